"""Public pages of this app (mounted at /problems/, beside the problems app: every path here is
prefixed so that none collides with the problems app's own)."""

from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    path("<int:pk>/support/", views.support, name="support"),
    path("<int:pk>/follow/", views.follow, name="follow"),
    path("<int:pk>/comments/", views.comments, name="comments"),
    path("comments/<int:comment_pk>/report/", views.report_comment, name="report_comment"),
    path("<int:pk>/still-not-fixed/", views.still_not_fixed, name="still_not_fixed"),
    path("<int:pk>/still-not-fixed/<int:report_pk>/photo/", views.still_photo, name="still_photo"),
    path(
        "<int:pk>/still-not-fixed/<int:report_pk>/thumb/",
        views.still_photo,
        {"thumb": True},
        name="still_thumb",
    ),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/follows/<int:appeal_pk>/remove/", views.unfollow_from_alerts, name="unfollow"),
    path("alerts/<int:pk>/remove/", views.delete_subscription, name="delete_subscription"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("duplicates.json", views.duplicates, name="duplicates"),
]
