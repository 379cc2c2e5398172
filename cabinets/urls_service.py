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
    path(
        "<slug:code>/publications/<int:pk>/unpublish/",
        views.publication_unpublish,
        name="publication_unpublish",
    ),
    path("<slug:code>/staff/", views.staff, name="staff"),
    path("<slug:code>/staff/invite/", views.staff_invite, name="staff_invite"),
    path("<slug:code>/staff/<int:pk>/role/", views.staff_change_role, name="staff_change_role"),
    path("<slug:code>/staff/<int:pk>/end/", views.staff_end, name="staff_end"),
    path(
        "<slug:code>/staff/invitations/<int:pk>/withdraw/",
        views.staff_revoke,
        name="staff_revoke",
    ),
]
