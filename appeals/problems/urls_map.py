"""The map page and its JSON (mounted at /map/)."""

from django.urls import path

from . import views

app_name = "map"
urlpatterns = [
    path("", views.map_page, name="index"),
    path("problems.json", views.problems_json, name="problems_json"),
    path("territories.json", views.territories_json, name="territories_json"),
]
