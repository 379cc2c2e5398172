"""Public and personal pages of this instrument (mounted at /budgets/)."""

from django.urls import path

from . import views

app_name = "budgets"
urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("my/", views.my, name="my"),
    path("<int:pk>/", views.cycle_detail, name="cycle"),
    path("<int:pk>/projects/", views.project_list, name="projects"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/results/", views.results, name="results"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.edit, name="edit"),
    path("projects/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("projects/<int:pk>/support/", views.support, name="support"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/thumb/", views.photo, {"thumb": True}, name="photo_thumb"),
]
