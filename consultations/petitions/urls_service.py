"""The service cabinet's pages of this instrument (mounted at /service/petitions/)."""

from django.urls import path

from . import views_service

app_name = "petitions_service"
urlpatterns = [
    path("", views_service.queue, name="queue"),
    path("<int:pk>/", views_service.card, name="card"),
    path("<int:pk>/<str:action>/", views_service.act, name="act"),
]
