from django.urls import path

from . import views

app_name = "service"

urlpatterns = [
    path("", views.service_home, name="home"),
    path("<slug:code>/", views.service_cabinet, name="cabinet"),
    path("<slug:code>/residents/", views.residents, name="residents"),
    path(
        "<slug:code>/residents/<int:user_id>/verify/",
        views.verify_resident,
        name="verify_resident",
    ),
    path("<slug:code>/publications/new/", views.publication_edit, name="publication_new"),
    path("<slug:code>/publications/<int:pk>/", views.publication_edit, name="publication_edit"),
]
