"""Service-cabinet pages of this app (mounted at /service/problems/, under community/)."""

from django.urls import path

from . import views_service

app_name = "community_service"
urlpatterns = [
    path("community/still-not-fixed/", views_service.still_list, name="still_list"),
    path("community/still-not-fixed/<int:pk>/", views_service.still_detail, name="still_detail"),
    path(
        "community/still-not-fixed/<int:pk>/reply/", views_service.still_reply, name="still_reply"
    ),
    path(
        "community/still-not-fixed/<int:pk>/reopen/",
        views_service.still_reopen,
        name="still_reopen",
    ),
    path("community/comments/", views_service.reported_comments, name="reported_comments"),
    path("community/comments/<int:pk>/hide/", views_service.hide_comment, name="hide_comment"),
]
