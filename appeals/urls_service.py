from django.urls import path

from . import views_intake, views_service

app_name = "appeals_service"

urlpatterns = [
    path("", views_service.queue, name="queue"),
    path("enter/", views_intake.enter, name="enter"),  # R4: paper, post, e-mail scans
    path("<int:pk>/", views_service.card, name="card"),
    path("<int:pk>/notes/", views_service.add_note, name="add_note"),
    path("<int:pk>/letters/<int:answer_pk>/", views_service.letter, name="letter"),
    path("<int:pk>/files/<int:attachment_pk>/", views_service.attachment, name="attachment"),
    path("<int:pk>/<str:action>/", views_service.act, name="act"),
]
