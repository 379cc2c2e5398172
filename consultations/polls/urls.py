"""Public and personal pages of this instrument (mounted at /polls/)."""

from django.urls import path  # noqa: F401

app_name = "polls"
urlpatterns = []
