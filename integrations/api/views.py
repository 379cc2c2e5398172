"""The EDMS API's operations. Thin, like the screens' views: the selectors say what the client
may read, the screens' forms check the input, the workflow and the services decide and write.
Every call is written to the access log (R18) with the client and the outcome."""

from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from appeals import selectors as appeal_selectors
from appeals import services
from appeals.forms_intake import PaperAppealForm
from appeals.letters import registration_card_pdf
from appeals.models import AccessLog, Appeal, Attachment
from appeals.views_service import may_print_card
from edem.core.net import client_ip
from integrations.models import ApiClient

from . import actions, selectors
from .idempotency import idempotent
from .problems import CONTENT_TYPE, TITLES, Invalid, ProblemJSONRenderer, Refused, form_errors
from .serializers import (
    ActionInputSerializer,
    AppealDetailSerializer,
    AppealFilterSerializer,
    AppealPageSerializer,
    AttachmentSerializer,
    DocumentsInputSerializer,
    PaperAppealInputSerializer,
    ProblemSerializer,
    appeal_rows,
)

PROBLEM = OpenApiResponse(ProblemSerializer, description="RFC 9457 problem details")
READ_PROBLEMS = dict.fromkeys((401, 403, 404, 422, 429), PROBLEM)
WRITE_PROBLEMS = dict.fromkeys((401, 403, 404, 409, 415, 422, 429), PROBLEM)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A unique key of this write: the same key sent again replays the first response.",
)
# What the API passes to the screen's entry form (the rest are the screen's own: its citizen
# search, its pending uploads, the cabinet given here by code).
PAPER_FIELDS = tuple(
    name
    for name in PaperAppealForm.base_fields
    if name not in ("cabinet", "citizen_query", "author", "scans", "pending", "register_now")
)
PDF = OpenApiResponse(OpenApiTypes.BINARY, description="PDF")
FILE = OpenApiResponse(OpenApiTypes.BINARY, description="The file")


def json_object(request):
    """The request's body as an object (a JSON object or a form); anything else is refused."""
    if not hasattr(request.data, "get"):
        raise Invalid({"non_field_errors": [_("Send an object with the fields.")]})
    return request.data


class AppealCursor(CursorPagination):
    """Newest first by id: a page never shifts when appeals arrive or change meanwhile."""

    ordering = "-id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class ApiView(APIView):
    """What every operation shares: problem+json errors, the access log."""

    log_action = AccessLog.Action.VIEW

    def get_renderers(self):
        return [*super().get_renderers(), ProblemJSONRenderer()]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        client = getattr(request, "auth", None)
        if isinstance(client, ApiClient):
            appeal = getattr(self, "logged_appeal", None)
            details = {
                "api_client": client.pk,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
            }
            details.update(getattr(self, "log_details", {}))
            services.log_access(
                user=client.acts_as,
                action=getattr(self, "logged_action", self.log_action),
                appeal=appeal,
                cabinet=getattr(appeal, "cabinet", None),
                ip=client_ip(request),
                **details,
            )  # R14/R18
        return response

    def appeal(self, request, pk):
        appeal = selectors.appeal_for(request.auth, pk)
        self.logged_appeal = appeal
        return appeal

    def detail_response(self, request, appeal, status_code=200, headers=None):
        user = request.auth.acts_as
        context = {
            "request": request,
            "user": user,
            "personal_cabinets": selectors.personal_data_cabinets(user),
            "may_print_card": may_print_card(user, appeal),
        }
        return Response(
            AppealDetailSerializer(appeal, context=context).data,
            status=status_code,
            headers=headers,
        )


class AppealList(ApiView):
    log_action = AccessLog.Action.EXPORT

    @extend_schema(
        operation_id="appeals_list",
        summary="Appeals of the client's cabinets",
        parameters=[AppealFilterSerializer],
        responses={200: AppealPageSerializer, **READ_PROBLEMS},
    )
    def get(self, request):
        filters = AppealFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = AppealCursor()
        queryset = selectors.appeal_list(request.auth, filters.validated_data)
        page = paginator.paginate_queryset(queryset, request, view=self)
        self.log_details = {"count": len(page)}
        personal = selectors.personal_data_cabinets(request.auth.acts_as)
        return paginator.get_paginated_response(appeal_rows(page, personal))

    @extend_schema(
        operation_id="appeals_enter_paper",
        summary="Enter an appeal received on paper (R4)",
        parameters=[IDEMPOTENCY_KEY],
        request={
            "application/json": PaperAppealInputSerializer,
            "multipart/form-data": PaperAppealInputSerializer,
        },
        responses={201: AppealDetailSerializer, **WRITE_PROBLEMS},
    )
    @idempotent
    def post(self, request):
        actor = request.auth.acts_as
        data = json_object(request)
        cabinet = request.auth.cabinets.filter(code=str(data.get("cabinet", ""))).first()
        if cabinet is None:
            raise Invalid({"cabinet": [_("Give the code of one of the client's cabinets.")]})
        fields = {key: data[key] for key in PAPER_FIELDS if key in data}
        register_now = str(data.get("register_now", True)).lower() not in ("false", "0", "")
        number = str(data.get("number") or "").strip()
        if number and not register_now:
            raise Invalid({"number": [_("A number is given at registration: set register_now.")]})
        with transaction.atomic():
            scans = [
                services.store_upload(
                    upload=upload,
                    actor=actor,
                    stage=Attachment.Stage.SCAN,
                    content_types=services.SCAN_TYPES,
                )
                for upload in request.FILES.getlist("scans")
            ]
            form = PaperAppealForm(
                {
                    **{k: "" if v is None else str(v) for k, v in fields.items()},
                    "cabinet": cabinet.pk,
                },
                user=actor,
                pending=scans,
            )
            if not form.is_valid():
                raise Invalid(form_errors(form))
            if number and Appeal.objects.filter(cabinet=cabinet, number=number).exists():
                raise Refused(_("This registration number is already used in this cabinet."))
            appeal = services.enter_paper_appeal(actor=actor, **form.service_fields())
            if register_now:
                appeal = services.register(appeal=appeal, actor=actor, number=number or None)
        self.logged_appeal = appeal
        appeal = selectors.appeal_for(request.auth, appeal.pk)
        location = reverse("api:appeal", args=[appeal.pk])
        return self.detail_response(request, appeal, 201, headers={"Location": location})


class AppealDetail(ApiView):
    @extend_schema(
        operation_id="appeals_retrieve",
        summary="One appeal with its history, attachments and answers",
        responses={200: AppealDetailSerializer, **READ_PROBLEMS},
    )
    def get(self, request, pk):
        return self.detail_response(request, self.appeal(request, pk))


class AppealAction(ApiView):
    @extend_schema(
        operation_id="appeals_action",
        summary="Take a workflow action (register, assign, extend, forward, draft_answer, "
        "sign_answer, close_no_merits, return, merge, reopen_by_head, defer)",
        parameters=[
            OpenApiParameter(
                "action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=actions.API_ACTIONS
            ),
            IDEMPOTENCY_KEY,
        ],
        request=ActionInputSerializer,
        responses={200: AppealDetailSerializer, **WRITE_PROBLEMS},
    )
    @idempotent
    def post(self, request, pk, action):
        appeal = self.appeal(request, pk)
        if action not in actions.API_ACTIONS:
            raise Invalid({"action": [_("Unknown action.")]})
        payload = json_object(request)
        self.log_details = {"workflow_action": action}
        actions.perform(appeal=appeal, actor=request.auth.acts_as, name=action, payload=payload)
        # Forwarded to another cabinet, the appeal is no longer the client's: it is shown as the
        # screens show a passed-on appeal, read-only, without personal data.
        return self.detail_response(request, selectors.after_action(appeal.pk))


class AppealDocuments(ApiView):
    @extend_schema(
        operation_id="appeals_documents_add",
        summary="Add documents to the case (e.g. the signed answer from the EDMS)",
        parameters=[IDEMPOTENCY_KEY],
        request={"multipart/form-data": DocumentsInputSerializer},
        responses={201: AttachmentSerializer(many=True), **WRITE_PROBLEMS},
    )
    @idempotent
    def post(self, request, pk):
        appeal = self.appeal(request, pk)
        actor = request.auth.acts_as
        uploads = request.FILES.getlist("files")
        if not uploads:
            raise Invalid({"files": [_("Attach at least one document.")]})
        with transaction.atomic():
            stored = [
                services.store_upload(upload=u, actor=actor, stage=Attachment.Stage.SUPPLEMENT)
                for u in uploads
            ]
            added = services.add_documents(
                appeal=appeal,
                actor=actor,
                attachments=stored,
                note=str(json_object(request).get("note", "")),
            )
        return Response(
            [
                {
                    "id": item.pk,
                    "name": item.original_name,
                    "content_type": item.content_type,
                    "size": item.size,
                    "stage": item.stage,
                    "uploaded_at": AttachmentSerializer()
                    .fields["uploaded_at"]
                    .to_representation(item.uploaded_at),
                    "url": reverse("api:attachment", args=[appeal.pk, item.pk]),
                }
                for item in added
            ],
            status=status.HTTP_201_CREATED,
        )


class AppealAttachment(ApiView):
    log_action = AccessLog.Action.FILE

    @extend_schema(
        operation_id="appeals_attachment",
        summary="Download an attachment (the card's checks)",
        responses={(200, "*/*"): FILE, **READ_PROBLEMS},
    )
    def get(self, request, pk, attachment_pk):
        appeal = self.appeal(request, pk)
        item = appeal.attachments.filter(pk=attachment_pk).first()
        if item is None or not appeal_selectors.sees_personal_data(request.auth.acts_as, appeal):
            raise Http404
        return FileResponse(
            item.file.open("rb"), content_type=item.content_type, filename=item.original_name
        )


class AnswerLetter(ApiView):
    log_action = AccessLog.Action.LETTER

    @extend_schema(
        operation_id="appeals_answer_letter",
        summary="The signed answer letter (PDF)",
        responses={(200, "application/pdf"): PDF, **READ_PROBLEMS},
    )
    def get(self, request, pk, answer_pk):
        appeal = self.appeal(request, pk)
        answer = appeal.answers.filter(pk=answer_pk).exclude(letter="").first()
        if answer is None or not appeal_selectors.sees_personal_data(request.auth.acts_as, appeal):
            raise Http404
        return FileResponse(
            answer.letter.open("rb"),
            content_type="application/pdf",
            filename=f"{appeal.number or appeal.pk}-answer.pdf".replace("/", "-"),
        )


class RegistrationCard(ApiView):
    @extend_schema(
        operation_id="appeals_registration_card",
        summary="The registration card (R4), PDF",
        responses={(200, "application/pdf"): PDF, **READ_PROBLEMS},
    )
    def get(self, request, pk):
        appeal = self.appeal(request, pk)
        if not may_print_card(request.auth.acts_as, appeal):
            raise Http404
        response = HttpResponse(registration_card_pdf(appeal), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{appeal.pk}-registration-card.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


@csrf_exempt  # a token client has no CSRF cookie; this view changes nothing
def not_found(request, *args, **kwargs):
    """An address under /api/ that names no operation: a problem, not the portal's page."""
    response = JsonResponse(
        {
            "type": "/api/docs/#problem-not_found",
            "title": str(TITLES[404]),
            "status": 404,
            "detail": _("No such address in the API; see /api/docs/."),
        },
        status=404,
        content_type=CONTENT_TYPE,
    )
    return response
