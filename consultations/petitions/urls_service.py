"""The service cabinet's pages of this instrument (mounted at /service/petitions/)."""

from django.urls import path  # noqa: F401

app_name = "petitions_service"
urlpatterns = []
