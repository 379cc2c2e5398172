"""The service cabinet's pages of this instrument (mounted at /service/discussions/)."""

from django.urls import path  # noqa: F401

app_name = "discussions_service"
urlpatterns = []
