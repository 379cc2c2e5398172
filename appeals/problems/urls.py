"""Public pages of this app (mounted at /problems/)."""

from django.urls import path

from . import feeds, views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("feed/rss/", feeds.ProblemsRssFeed(), name="feed_rss"),
    path("feed/atom/", feeds.ProblemsAtomFeed(), name="feed_atom"),
    path("<int:pk>/", views.problem_detail, name="detail"),
    path("<int:pk>/photos/<int:attachment_pk>/", views.photo, name="photo"),
    path("<int:pk>/photos/<int:attachment_pk>/thumb/", views.photo_thumb, name="photo_thumb"),
]
