"""Public and personal pages of this instrument (mounted at /petitions/)."""

from django.urls import path  # noqa: F401

app_name = "petitions"
urlpatterns = []
