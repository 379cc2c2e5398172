"""The reception desk in the service cabinet (mounted at /service/reception/)."""

from django.urls import path

from . import views_service

app_name = "reception_service"
urlpatterns = [
    path("", views_service.desks, name="desks"),
    path("bookings/<int:pk>/open/", views_service.open_card, name="open_card"),
    path("cards/<int:pk>/", views_service.card, name="card"),
    path("cards/<int:pk>/<str:outcome>/", views_service.outcome, name="outcome"),
    path("<slug:code>/", views_service.day_view, name="day"),
    path("<slug:code>/walk-in/", views_service.walk_in, name="walk_in"),
    path("<slug:code>/schedules/new/", views_service.schedule_edit, name="schedule_new"),
    path("<slug:code>/schedules/<int:pk>/", views_service.schedule_edit, name="schedule_edit"),
]
