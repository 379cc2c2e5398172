"""The service cabinet's pages of this instrument (mounted at /service/budgets/)."""

from django.urls import path  # noqa: F401

app_name = "budgets_service"
urlpatterns = []
