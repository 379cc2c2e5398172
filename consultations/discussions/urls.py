"""Public and personal pages of this instrument (mounted at /discussions/)."""

from django.urls import path  # noqa: F401

app_name = "discussions"
urlpatterns = []
