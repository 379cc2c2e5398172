"""Public and personal pages of this instrument (mounted at /budgets/)."""

from django.urls import path  # noqa: F401

app_name = "budgets"
urlpatterns = []
