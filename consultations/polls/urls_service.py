"""The service cabinet's pages of this instrument (mounted at /service/polls/)."""

from django.urls import path  # noqa: F401

app_name = "polls_service"
urlpatterns = []
