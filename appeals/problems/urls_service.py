"""Service-cabinet pages of this app (mounted at /service/problems/)."""

from django.urls import path

from . import views_service

app_name = "problems_service"
urlpatterns = [
    path("<int:pk>/moderate/", views_service.moderate, name="moderate"),
]
