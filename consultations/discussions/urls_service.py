"""The service cabinet's pages of this instrument (mounted at /service/discussions/)."""

from django.urls import path

from . import views_service

app_name = "discussions_service"
urlpatterns = [
    path("", views_service.index, name="index"),
    path("new/", views_service.create, name="create"),
    path("<int:pk>/", views_service.card, name="card"),
    path("<int:pk>/edit/", views_service.edit, name="edit"),
    path("<int:pk>/text/", views_service.new_version, name="new_version"),
    path("<int:pk>/comments/", views_service.comments, name="comments"),
    path("<int:pk>/adopted-text/", views_service.attach_final, name="attach_final"),
    path("<int:pk>/<str:action>/", views_service.act, name="act"),
    path("comments/<int:comment_pk>/decide/", views_service.decide, name="decide"),
    path("comments/<int:comment_pk>/hide/", views_service.hide, name="hide"),
    path("comments/<int:comment_pk>/restore/", views_service.restore, name="restore"),
]
