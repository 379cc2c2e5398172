"""The map page and its JSON (mounted at /map/)."""

from django.urls import path  # noqa: F401

app_name = "map"
urlpatterns = []
