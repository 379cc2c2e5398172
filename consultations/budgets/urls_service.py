"""The service cabinet's pages of this instrument (mounted at /service/budgets/)."""

from django.urls import path

from . import views_service as views

app_name = "budgets_service"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.cycle_edit, name="new"),
    path("<int:pk>/", views.cycle_card, name="cycle"),
    path("<int:pk>/edit/", views.cycle_edit, name="edit"),
    path("<int:pk>/review/", views.review_queue, name="queue"),
    path("<int:pk>/paper/", views.paper_ballot, name="paper"),
    path("<int:pk>/<slug:action>/", views.cycle_action, name="action"),
    path("projects/<int:pk>/", views.review_project, name="project"),
    path("projects/<int:pk>/update/", views.post_update, name="update"),
]
