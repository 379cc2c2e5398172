"""The widget's pages (mounted at /widget/)."""

from django.urls import path

from . import views

app_name = "widget"
urlpatterns = [
    path("<slug:key>/", views.index, name="index"),
    path("<slug:key>/problems/", views.problems, name="problems"),
    path("<slug:key>/track/", views.track, name="track"),
    path("<slug:key>/answers/", views.answers, name="answers"),
    path("<slug:key>/reception/", views.reception, name="reception"),
]
