from django.urls import path

from . import views_intake, views_mail, views_service

app_name = "appeals_service"

urlpatterns = [
    path("", views_service.queue, name="queue"),
    path("enter/", views_intake.enter, name="enter"),  # R4: paper, post, e-mail scans
    # R12: outgoing mail, its batches and their registers of postal items
    path("mail/", views_mail.mail, name="mail"),
    path("mail/form/", views_mail.form_batch, name="mail_form"),
    path("mail/<int:pk>/register/", views_mail.register, name="mail_register"),
    path("mail/<int:pk>/send/", views_mail.send_batch, name="mail_send"),
    path("<int:pk>/", views_service.card, name="card"),
    path("<int:pk>/card.pdf", views_service.registration_card, name="registration_card"),
    path("<int:pk>/notes/", views_service.add_note, name="add_note"),
    path(  # R7: a reply that came by post or through a cabinet of the portal
        "<int:pk>/requests/<int:request_pk>/reply/",
        views_service.record_reply,
        name="record_reply",
    ),
    path(  # R7: a request for documents by post: its printable letter, the day it was posted
        "<int:pk>/requests/<int:request_pk>/letter.pdf",
        views_service.request_letter,
        name="request_letter",
    ),
    path(
        "<int:pk>/requests/<int:request_pk>/posted/",
        views_service.record_posted,
        name="record_posted",
    ),
    path("<int:pk>/letters/<int:answer_pk>/", views_service.letter, name="letter"),
    path("<int:pk>/files/<int:attachment_pk>/", views_service.attachment, name="attachment"),
    path("<int:pk>/<str:action>/", views_service.act, name="act"),
]
