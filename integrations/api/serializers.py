"""The API's shapes. Output serializers read what the selectors give (the list: no query per
row; the citizen's personal data only where the client's account sees it, R14/R18). Input
serializers document the writes; their values are then checked by the screens' own forms."""

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appeals import workflow
from appeals.models import Appeal, Attachment
from appeals.services import ENTERED_CHANNELS
from appeals.views_service import CITIZEN_ACTIONS

from .actions import API_ACTIONS

PERSONAL_FIELDS = (
    "last_name",
    "first_name",
    "patronymic",
    "email",
    "postal_address",
    "phone",
    "organisation_name",
    "organisation_number",
    "signer_position",
)


# R4: how an appeal a registrar enters reached the cabinet.
ENTERED_CHANNEL_CHOICES = [
    (value, label) for value, label in Appeal.Channel.choices if value in ENTERED_CHANNELS
]


class CitizenSerializer(serializers.Serializer):
    last_name = serializers.CharField()
    first_name = serializers.CharField()
    patronymic = serializers.CharField()
    email = serializers.CharField()
    postal_address = serializers.CharField()
    phone = serializers.CharField()
    organisation_name = serializers.CharField()
    organisation_number = serializers.CharField()
    signer_position = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _person(user):
    return None if user is None else {"id": user.pk, "name": user.full_name or str(user)}


class AppealSerializer(serializers.ModelSerializer):
    """One appeal in the list."""

    url = serializers.SerializerMethodField()
    cabinet = serializers.CharField(source="cabinet.code")
    category = serializers.SerializerMethodField()
    executor = serializers.SerializerMethodField()
    citizen = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = [
            "id",
            "url",
            "number",
            "status",
            "kind",
            "channel",
            "cabinet",
            "category",
            "subject",
            "received_at",
            "registered_at",
            "registration_due",
            "legal_due",
            "control_due",
            "answered_at",
            "closed_at",
            "executor",
            "is_public",
            "citizen",
            "updated_at",
        ]

    def get_url(self, appeal) -> str:
        return reverse("api:appeal", args=[appeal.pk])

    @extend_schema_field(CategorySerializer(allow_null=True))
    def get_category(self, appeal):
        category = appeal.category
        return None if category is None else {"id": category.pk, "name": category.name}

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_executor(self, appeal):
        return _person(appeal.executor)

    def _personal(self, appeal):
        return appeal.cabinet_id in self.context["personal_cabinets"]

    @extend_schema_field(CitizenSerializer(allow_null=True))
    def get_citizen(self, appeal):
        """The citizen's name and addresses, or null where the account is an observer."""
        if not self._personal(appeal):
            return None
        return {name: getattr(appeal, name) for name in PERSONAL_FIELDS}


LIST_DATES = ("registration_due", "legal_due", "control_due")
LIST_MOMENTS = ("received_at", "registered_at", "answered_at", "closed_at", "updated_at")
LIST_PLAIN = ("number", "status", "kind", "channel", "subject", "is_public")


def _moment(value, zone):
    """A datetime as DRF writes it (local time, ISO 8601, "Z" for UTC), without a field."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _translated(row, prefix):
    """The reference text in the current language, else the default one (modeltranslation's
    fallback), from the row's per-language columns."""
    return row.get(f"{prefix}_{translation.get_language()}") or row.get(prefix) or ""


def appeal_rows(rows, personal_cabinets):
    """The list's rows (``selectors.appeal_list``'s values), shaped as ``AppealSerializer``
    documents them, written directly: a hundred rows through model instances and the
    serializer's fields cost several times the query that read them."""
    prefix = reverse("api:appeals")
    zone = timezone.get_current_timezone()
    out = []
    for row in rows:
        item = {"id": row["id"], "url": f"{prefix}{row['id']}/", "cabinet": row["cabinet__code"]}
        for name in LIST_PLAIN:
            item[name] = row[name]
        item["category"] = (
            None
            if row["category_id"] is None
            else {"id": row["category_id"], "name": _translated(row, "category__name")}
        )
        executor = row["executor_id"]
        item["executor"] = (
            None
            if executor is None
            else {
                "id": executor,
                "name": " ".join(
                    p
                    for p in (
                        row["executor__last_name"],
                        row["executor__first_name"],
                        row["executor__patronymic"],
                    )
                    if p
                )
                or row["executor__email"],
            }
        )
        item["citizen"] = (
            {name: row[name] for name in PERSONAL_FIELDS}
            if row["cabinet_id"] in personal_cabinets
            else None
        )
        for name in LIST_MOMENTS:
            item[name] = _moment(row[name], zone)
        for name in LIST_DATES:
            value = row[name]
            item[name] = None if value is None else value.isoformat()
        out.append(item)
    return out


class AppealPageSerializer(serializers.Serializer):
    """A page of the list: ``next`` and ``previous`` are the addresses of the neighbouring
    pages (cursor pagination), null at either end."""

    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = AppealSerializer(many=True)


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    action = serializers.CharField()
    label = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    is_public = serializers.BooleanField()
    actor = PersonSerializer(allow_null=True)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Attachment.Stage.choices)
    uploaded_at = serializers.DateTimeField()
    url = serializers.CharField()


class AnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    drafted_at = serializers.DateTimeField()
    signed_at = serializers.DateTimeField(allow_null=True)
    signer_name = serializers.CharField()
    signer_position = serializers.CharField()
    verification_code = serializers.CharField()
    text_sha256 = serializers.CharField()
    delivery_channel = serializers.CharField()
    letter_url = serializers.CharField(allow_null=True)


class AppealDetailSerializer(AppealSerializer):
    """One appeal with its history, files and answers, and what the client may do now."""

    history = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    registration_card_url = serializers.SerializerMethodField()

    class Meta(AppealSerializer.Meta):
        fields = [
            *AppealSerializer.Meta.fields,
            "text",
            "answer_channel",
            "place",
            "latitude",
            "longitude",
            "result",
            "no_merits_ground",
            "forwarding_due",
            "history",
            "attachments",
            "answers",
            "actions",
            "registration_card_url",
        ]

    @extend_schema_field(EventSerializer(many=True))
    def get_history(self, appeal):
        personal = self._personal(appeal)
        return [
            {
                "id": event.pk,
                "at": serializers.DateTimeField().to_representation(event.at),
                "action": event.action,
                "label": str(event.action_label),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note if personal or event.action not in CITIZEN_ACTIONS else "",
                "is_public": event.is_public,
                "actor": _person(event.actor)
                if personal or event.action not in CITIZEN_ACTIONS
                else None,
            }
            for event in appeal.events.select_related("actor").order_by("at", "pk")
        ]

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, appeal):
        if not self._personal(appeal):
            return []  # the citizen's files are personal data, as on the card
        return [
            {
                "id": item.pk,
                "name": item.original_name,
                "content_type": item.content_type,
                "size": item.size,
                "stage": item.stage,
                "uploaded_at": serializers.DateTimeField().to_representation(item.uploaded_at),
                "url": reverse("api:attachment", args=[appeal.pk, item.pk]),
            }
            for item in appeal.attachments.all()
        ]

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, appeal):
        personal = self._personal(appeal)
        return [
            {
                "id": answer.pk,
                "text": answer.text,
                "drafted_at": serializers.DateTimeField().to_representation(answer.drafted_at),
                "signed_at": serializers.DateTimeField().to_representation(answer.signed_at)
                if answer.signed_at
                else None,
                "signer_name": answer.signer_name,
                "signer_position": answer.signer_position,
                "verification_code": answer.verification_code or "",
                "text_sha256": answer.text_sha256,
                "delivery_channel": answer.delivery_channel or "",
                "letter_url": reverse("api:letter", args=[appeal.pk, answer.pk])
                if answer.letter and personal
                else None,
            }
            for answer in appeal.answers.order_by("drafted_at", "pk")
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, appeal):
        """The workflow actions the client's account may take now (``POST …/actions/{name}/``)."""
        user = self.context["user"]
        return [a.name for a in workflow.available_actions(appeal, user) if a.name in API_ACTIONS]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_registration_card_url(self, appeal):
        if not self.context.get("may_print_card"):
            return None
        return reverse("api:registration_card", args=[appeal.pk])


class AppealFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[("open", _("Open (in work)")), *workflow.Status.choices],
        required=False,
        help_text=_("A status, or “open” for every state still in work."),
    )
    kind = serializers.ChoiceField(choices=Appeal.Kind.choices, required=False)
    cabinet = serializers.CharField(required=False, max_length=50, help_text=_("Cabinet code."))
    number = serializers.CharField(required=False, max_length=60)
    received_from = serializers.DateField(required=False)
    received_to = serializers.DateField(required=False)
    changed_since = serializers.DateTimeField(
        required=False, help_text=_("Only appeals changed at or after this moment.")
    )
    cursor = serializers.CharField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=500)


class PaperAppealInputSerializer(serializers.Serializer):
    """R4: an appeal received on paper, by post, as a scan or at a reception; the screen's
    entry form checks it (``appeals.forms_intake.PaperAppealForm``)."""

    cabinet = serializers.CharField(help_text=_("Code of the addressee cabinet."))
    channel = serializers.ChoiceField(choices=ENTERED_CHANNEL_CHOICES)
    received_on = serializers.DateField(help_text=_("As stamped on the letter."))
    kind = serializers.ChoiceField(choices=Appeal.Kind.choices)
    category = serializers.IntegerField(required=False, allow_null=True)
    subject = serializers.CharField(max_length=255)
    text = serializers.CharField()
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    patronymic = serializers.CharField(required=False, allow_blank=True, max_length=150)
    postal_address = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    organisation_name = serializers.CharField(required=False, allow_blank=True)
    organisation_number = serializers.CharField(required=False, allow_blank=True)
    signer_position = serializers.CharField(required=False, allow_blank=True)
    answer_channel = serializers.ChoiceField(choices=Appeal.AnswerChannel.choices)
    register_now = serializers.BooleanField(required=False, default=True)
    number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=60,
        help_text=_("The EDMS's registration number; empty: the portal numbers it."),
    )
    scans = serializers.ListField(
        child=serializers.FileField(), required=False, help_text=_("PDF or JPEG scans (multipart).")
    )


class ActionInputSerializer(serializers.Serializer):
    """The fields of every action's screen form; each action reads its own (see the
    reference: register takes none; assign takes executor and co_executors; …)."""

    executor = serializers.IntegerField(required=False)
    co_executors = serializers.ListField(child=serializers.IntegerField(), required=False)
    days = serializers.IntegerField(required=False)
    reason = serializers.CharField(required=False)
    note = serializers.CharField(required=False)
    to_cabinet = serializers.IntegerField(required=False)
    to_body = serializers.IntegerField(required=False)
    text = serializers.CharField(required=False)
    result = serializers.CharField(required=False)
    classifier = serializers.IntegerField(required=False)
    refusal_ground = serializers.CharField(required=False)
    otp_code = serializers.CharField(required=False)
    ground = serializers.CharField(required=False)
    earlier = serializers.ListField(child=serializers.IntegerField(), required=False)
    published_url = serializers.CharField(required=False)
    law_enforcement = serializers.CharField(required=False)
    law_enforcement_body = serializers.IntegerField(required=False)
    into = serializers.IntegerField(required=False)


class DocumentsInputSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField())
    note = serializers.CharField(required=False, allow_blank=True)


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
