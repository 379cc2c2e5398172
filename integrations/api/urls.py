"""``/api/``: the EDMS API (v1), its OpenAPI schema and its reference page."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import docs, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.ApiReference.as_view(url_name="api:schema"), name="docs"),
    path("v1/appeals/", views.AppealList.as_view(), name="appeals"),
    path("v1/appeals/<int:pk>/", views.AppealDetail.as_view(), name="appeal"),
    path(
        "v1/appeals/<int:pk>/actions/<slug:action>/",
        views.AppealAction.as_view(),
        name="action",
    ),
    path("v1/appeals/<int:pk>/documents/", views.AppealDocuments.as_view(), name="documents"),
    path(
        "v1/appeals/<int:pk>/attachments/<int:attachment_pk>/",
        views.AppealAttachment.as_view(),
        name="attachment",
    ),
    path(
        "v1/appeals/<int:pk>/answers/<int:answer_pk>/letter.pdf",
        views.AnswerLetter.as_view(),
        name="letter",
    ),
    path(
        "v1/appeals/<int:pk>/registration-card.pdf",
        views.RegistrationCard.as_view(),
        name="registration_card",
    ),
    re_path(r"^v1/", views.not_found),
]
