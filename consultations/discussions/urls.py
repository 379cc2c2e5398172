"""Public and personal pages of this instrument (mounted at /discussions/)."""

from django.urls import path

from . import views

app_name = "discussions"
urlpatterns = [
    path("", views.discussion_list, name="list"),
    path("my/", views.my, name="my"),
    path("propose/", views.propose, name="propose"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/paragraphs/<int:paragraph_pk>/comment/", views.comment, name="comment"),
    path("comments/<int:comment_pk>/support/", views.support, name="support"),
    path("<int:pk>/versions/<int:number>/changes/", views.version_diff, name="diff"),
    path("<int:pk>/outcome/", views.outcome, name="outcome"),
    path("<int:pk>/outcome.pdf", views.outcome_pdf, name="outcome_pdf"),
    path("<int:pk>/adopted-text/", views.final_text, name="final_text"),
]
