from django.urls import path

from . import views

app_name = "initiatives"

urlpatterns = [
    path("", views.initiative_list, name="list"),
    path("new/", views.initiative_new, name="new"),
    path("<int:pk>/", views.initiative_detail, name="detail"),
    path("<int:pk>/membership/", views.membership, name="membership"),
    path("<int:pk>/updates/", views.post_update, name="post_update"),
    path("<int:pk>/close/", views.close, name="close"),
]
