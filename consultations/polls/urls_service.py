"""The service cabinet's pages of this instrument (mounted at /service/polls/)."""

from django.urls import path

from . import views_service

app_name = "polls_service"

urlpatterns = [
    path("", views_service.poll_list, name="list"),
    path("new/", views_service.poll_new, name="new"),
    path("<int:pk>/", views_service.card, name="card"),
    path("<int:pk>/edit/", views_service.poll_edit, name="edit"),
    path("<int:pk>/questions/new/", views_service.question_edit, name="question_new"),
    path(
        "<int:pk>/questions/<int:question_pk>/",
        views_service.question_edit,
        name="question_edit",
    ),
    path(
        "<int:pk>/questions/<int:question_pk>/delete/",
        views_service.question_delete,
        name="question_delete",
    ),
    path("<int:pk>/texts/", views_service.texts, name="texts"),
    path("<int:pk>/results/", views_service.results, name="results"),
    path("<int:pk>/results.csv", views_service.results_csv, name="results_csv"),
    path("<int:pk>/results.pdf", views_service.results_pdf, name="results_pdf"),
    path("<int:pk>/<str:action>/", views_service.act, name="act"),
]
