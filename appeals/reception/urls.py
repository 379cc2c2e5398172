"""Public pages of personal reception (mounted at /reception/)."""

from django.urls import path

from . import views

app_name = "reception"
urlpatterns = [
    path("", views.index, name="index"),
    path("my/", views.my, name="my"),
    path("my/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<slug:code>/", views.schedule, name="schedule"),
    path("<slug:code>/<int:pk>/book/", views.book, name="book"),
]
