"""Public pages of this app (mounted at /problems/)."""

from django.urls import path  # noqa: F401

app_name = "community"
urlpatterns = []
