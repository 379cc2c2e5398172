"""Service-cabinet pages of this app (mounted at /service/problems/)."""

from django.urls import path  # noqa: F401

app_name = "problems_service"
urlpatterns = []
