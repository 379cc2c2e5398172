from django.urls import path

from . import feeds, views

app_name = "cabinets"

urlpatterns = [
    path("news/", views.publication_list, name="publication_list"),
    path("news/<int:pk>/", views.publication_detail, name="publication_detail"),
    path("news/<int:pk>/image/", views.publication_image, name="publication_image"),
    path("news/feed/rss/", feeds.PublicationsRssFeed(), name="feed_rss"),
    path("news/feed/atom/", feeds.PublicationsAtomFeed(), name="feed_atom"),
    path("news/feed/<slug:code>/rss/", feeds.PublicationsRssFeed(), name="cabinet_feed_rss"),
    path("news/feed/<slug:code>/atom/", feeds.PublicationsAtomFeed(), name="cabinet_feed_atom"),
    path("authorities/", views.cabinet_list, name="public_list"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("authorities/<slug:code>/", views.cabinet_detail, name="public_detail"),
]
