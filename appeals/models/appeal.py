"""The appeal and its immutable history."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edem.core.calendar import is_overdue
from edem.core.history import HistoryEvent

from ..workflow import ACTIONS, INFORMATION_REQUEST, OPEN_STATES, Status
from .setup import Category, DeadlinePolicy


class Appeal(models.Model):
    class Kind(models.TextChoices):  # R1
        PROPOSAL = "proposal", pgettext_lazy("appeal kind", "Proposal")
        STATEMENT = "statement", pgettext_lazy("appeal kind", "Statement")
        COMPLAINT = "complaint", pgettext_lazy("appeal kind", "Complaint")
        # R17: its own kind, not an appeal under the appeals law; its own clocks.
        INFORMATION_REQUEST = (
            INFORMATION_REQUEST,
            pgettext_lazy("appeal kind", "Request for information"),
        )

    class Channel(models.TextChoices):
        PORTAL = "portal", pgettext_lazy("appeal channel", "Portal")
        PAPER = "paper", pgettext_lazy("appeal channel", "Paper, handed in")
        POST = "post", pgettext_lazy("appeal channel", "Post")
        EMAIL_SCAN = "email_scan", pgettext_lazy("appeal channel", "Scan received by e-mail")
        RECEPTION = "reception", pgettext_lazy("appeal channel", "Personal reception")
        FORWARDED = "forwarded", pgettext_lazy("appeal channel", "Forwarded by another body")

    class AnswerChannel(models.TextChoices):  # R3
        EMAIL = "email", pgettext_lazy("answer channel", "E-mail")
        PORTAL_ACCOUNT = "portal_account", pgettext_lazy("answer channel", "Portal account")
        EPGU_ACCOUNT = "epgu_account", pgettext_lazy("answer channel", "Gosuslugi account")
        POST = "post", pgettext_lazy("answer channel", "Post")

    class NoMeritsGround(models.TextChoices):  # R11, 59-FZ Art. 11
        NO_NAME_OR_ADDRESS = (
            "no_name_or_address",
            _("No surname or no address for the answer (part 1)"),
        )
        ABUSIVE = "abusive", _("Obscene language or threats (part 3)")
        UNREADABLE = "unreadable", _("Text cannot be read (part 4)")
        UNCLEAR = "unclear", _("Substance cannot be determined (part 4.1)")
        REPEATED = "repeated", _("Same question already answered, no new arguments (part 5)")
        PUBLISHED = "published", _("Answer already published on the site (part 5.1)")
        SECRET = "secret", _("Answer would reveal a protected secret (part 6)")

    class Result(models.TextChoices):  # R16: the result of the consideration, for the reports
        SUPPORTED = "supported", pgettext_lazy("appeal result", "Supported")
        MEASURES = "measures", pgettext_lazy("appeal result", "Supported, measures taken")
        EXPLAINED = "explained", pgettext_lazy("appeal result", "Explained")
        NOT_SUPPORTED = "not_supported", pgettext_lazy("appeal result", "Not supported")
        FORWARDED = "forwarded", pgettext_lazy("appeal result", "Forwarded by competence")
        NO_MERITS = "no_merits", pgettext_lazy("appeal result", "No answer on the merits")

    # The results an answer on the merits may carry (the other two follow from the outcome).
    MERITS_RESULTS = (Result.SUPPORTED, Result.MEASURES, Result.EXPLAINED, Result.NOT_SUPPORTED)

    number = models.CharField(_("registration number"), max_length=60, blank=True, db_index=True)
    # Given with the number at registration: the number and this code together let the citizen
    # (or anyone they tell) look up the status and dates, and nothing else, without signing in
    # (the widget on the authority's site, integrations.widget). Never shown in public lists.
    tracking_code = models.CharField(_("tracking code"), max_length=14, blank=True, editable=False)
    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.PORTAL
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    # Personal data (R3/R19): never returned by public selectors (R14, R18).
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail for the answer"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # 59-FZ Art. 1(4): an appeal on behalf of an organisation or association; the person above
    # signs it, the answer goes to the organisation at the addresses above.
    organisation_name = models.CharField(_("organisation"), max_length=255, blank=True)
    organisation_number = models.CharField(
        _("organisation's registration number"), max_length=20, blank=True
    )
    signer_position = models.CharField(_("signer's position"), max_length=200, blank=True)
    answer_channel = models.CharField(
        _("answer channel"),
        max_length=20,
        choices=AnswerChannel.choices,
        default=AnswerChannel.EMAIL,
    )

    subject = models.CharField(_("subject"), max_length=255)
    text = models.TextField(_("text"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT
    )
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    classifier = models.ForeignKey(  # R16
        "appeals.ClassifierCode",
        verbose_name=_("classifier code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(  # R16
        _("result"), max_length=20, choices=Result.choices, blank=True
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    place = models.CharField(_("address of the place"), max_length=255, blank=True)

    is_collective = models.BooleanField(_("collective"), default=False)  # R1
    is_public = models.BooleanField(_("published as a public problem"), default=False)  # R13, R18
    show_author_name = models.BooleanField(_("show the author's name publicly"), default=False)
    personal_data_consent_at = models.DateTimeField(
        _("personal data consent"), null=True, blank=True
    )
    respondent_cabinet = models.ForeignKey(  # R6
        "cabinets.Cabinet",
        verbose_name=_("body complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
    )
    respondent_official = models.ForeignKey(  # R6
        settings.AUTH_USER_MODEL,
        verbose_name=_("official complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
    )
    simple = models.BooleanField(_("needs no extra study"), default=False)  # R21
    reports_offence = models.BooleanField(  # R11 part 1: registered and sent to law enforcement
        _("reports an offence"), default=False
    )

    received_at = models.DateTimeField(_("received"), default=timezone.now)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    # Deadlines (DESIGN §4): legal_due counts overdue, control_due drives reminders.
    # Every term has both dates (RULES, Conventions): registration (R4), forwarding (R5), the
    # no-merits notice of R11 parts 4, 4.1, 5.1, and the answer (R8).
    registration_due = models.DateField(_("registration due"), null=True, blank=True)
    registration_control_due = models.DateField(
        _("registration due (control)"), null=True, blank=True
    )
    forwarding_due = models.DateField(_("forwarding due"), null=True, blank=True)
    forwarding_control_due = models.DateField(_("forwarding due (control)"), null=True, blank=True)
    notice_due = models.DateField(_("no-merits notice due"), null=True, blank=True)  # R11
    notice_control_due = models.DateField(
        _("no-merits notice due (control)"), null=True, blank=True
    )
    # R17: a request for information is deferred (with a notice) by this date or not at all.
    deferral_due = models.DateField(_("deferral notice due"), null=True, blank=True)
    deferral_control_due = models.DateField(
        _("deferral notice due (control)"), null=True, blank=True
    )
    legal_due = models.DateField(_("answer due (legal)"), null=True, blank=True, db_index=True)
    control_due = models.DateField(_("answer due (control)"), null=True, blank=True, db_index=True)
    original_due = models.DateField(_("answer due before extension"), null=True, blank=True)

    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_appeals",
    )
    co_executors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-executors"),
        blank=True,
        related_name="co_assigned_appeals",
    )
    no_merits_ground = models.CharField(
        _("ground for no answer on the merits"),
        max_length=30,
        choices=NoMeritsGround.choices,
        blank=True,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_appeals",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["cabinet", "status", "legal_due"], name="appeal_queue_idx"),
            # The default work queue: open appeals of a cabinet in due-date order (an ascending
            # PostgreSQL index puts NULLs last, as the queue's ORDER BY does).
            models.Index(
                fields=["cabinet", "legal_due", "received_at", "id"],
                name="appeal_open_queue_idx",
                condition=Q(status__in=sorted(OPEN_STATES)),
            ),
            # The head's overdue and due-soon lists: open appeals in due-date order, read
            # from the front of this index whatever the cabinets.
            models.Index(
                fields=["legal_due", "id"],
                name="appeal_open_due_idx",
                condition=Q(status__in=sorted(OPEN_STATES)),
            ),
            # The executors' current load on the head's dashboard: open appeals per executor,
            # counted from this index alone.
            models.Index(
                fields=["cabinet", "executor"],
                name="appeal_open_executor_idx",
                condition=Q(status__in=sorted(OPEN_STATES)),
            ),
            models.Index(fields=["status", "latitude", "longitude"], name="appeal_map_idx"),
            # Likely duplicates on the official's card: the same topic near a point.
            models.Index(fields=["category", "latitude", "longitude"], name="appeal_near_idx"),
            models.Index(fields=["author", "-received_at"], name="appeal_author_idx"),
            # The same citizen by e-mail (``email__iexact``): the card's earlier answers (R11
            # part 5) and merge candidates, which otherwise read the whole table.
            models.Index(Upper("email"), name="appeal_email_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values),
                name="appeal_status_valid",
                violation_error_message=_("Choose one of the listed statuses."),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["proposal", "statement", "complaint", INFORMATION_REQUEST]
                ),
                name="appeal_kind_valid",
                violation_error_message=_("Choose one of the listed kinds of appeal."),
            ),
            models.UniqueConstraint(
                fields=["cabinet", "number"],
                condition=~models.Q(number=""),
                name="appeal_number_unique",
                violation_error_message=_("This cabinet already has an appeal with this number."),
            ),
        ]
        permissions = [("view_personal_data", "Can see the personal data of appellants")]

    def __str__(self):
        return self.number or f"#{self.pk}"

    @property
    def full_name(self):
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def is_information_request(self):
        """R17: a request for information, its own kind with its own clocks."""
        return self.kind == INFORMATION_REQUEST

    @property
    def is_deferred(self):
        """R17: the answer to this request for information was deferred (with a notice)."""
        return self.is_information_request and self.original_due is not None

    @property
    def deferral_window_closed(self):
        """R17: the last day to defer the answer (with its notice) has passed."""
        return bool(self.deferral_due) and is_overdue(self.deferral_due)

    @property
    def on_behalf_of_organisation(self):
        return bool(self.organisation_name)

    @property
    def due_state(self):
        """ "overdue" (past legal_due), "soon" (control_due within 3 days) or "" — shown in colour
        and in words on the work queue."""
        if not self.legal_due or not Status(self.status).is_open:
            return ""
        return self.due_state_on(timezone.localdate(), DeadlinePolicy.current().due_soon_days)

    def due_state_on(self, today, due_soon_days):
        """``due_state`` for a list of appeals, with the day and the policy read once."""
        if not self.legal_due or not Status(self.status).is_open:
            return ""
        if self.is_overdue(today):
            return "overdue"
        if self.control_due and self.control_due <= today + timedelta(days=due_soon_days):
            return "soon"
        return ""

    @property
    def is_answered(self):
        """Answered on the merits: the author may rate the answer or ask to reopen."""
        return self.status == Status.ANSWERED

    @property
    def awaits_registration(self):
        """Received and not yet registered, with its registration term (R4) to show."""
        return self.status == Status.RECEIVED and bool(self.registration_due)

    @property
    def registration_overdue(self):
        """The registration term (R4) has passed and the appeal is still not registered."""
        return self.awaits_registration and self.registration_due < timezone.localdate()

    @property
    def awaits_notice_decision(self):
        """Registered, nobody has taken it into work yet, and the 7-day clock of the notice of
        R11 parts 4, 4.1 and 5.1 runs."""
        return self.status == Status.REGISTERED and bool(self.notice_due)

    @property
    def notice_overdue(self):
        """The notice term of R11 parts 4, 4.1, 5.1 (``notice_due``) has passed undecided."""
        return self.awaits_notice_decision and is_overdue(self.notice_due)

    def is_overdue(self, today=None):
        """Overdue counts against ``legal_due`` (RULES, Conventions)."""
        return (
            bool(self.legal_due)
            and Status(self.status).is_open
            and is_overdue(self.legal_due, today)
        )


class AppealEvent(HistoryEvent):
    """One immutable line of an appeal's history (who, when, from, to, note)."""

    # The citizen's history (the appeal's page in the personal cabinet).
    LABELS = {
        "receive": _("Received"),
        "register": (_("Registered under number %(number)s"), {"number": "number"}),
        "forward": (_("Forwarded to %(name)s"), {"name": "to_cabinet_name"}),
        "extend": (_("Deadline extended to %(date)s"), {"date": "new_due"}),
        "defer": (_("Answer deferred to %(date)s"), {"date": "new_due"}),  # R17
        "sign_answer": _("Answered"),
        "withdraw": _("Withdrawn"),
        "close_no_merits": _("Closed without an answer on the merits"),
        "reopen": _("Reopened"),
        "reopen_by_head": _("Reopened"),
        "add_materials": _("Materials added"),
        "return": _("Returned with explanation"),
        "merge": (_("Joined to your earlier appeal %(number)s"), {"number": "into_number"}),
        "merged_in": _("A repeat appeal was joined to this one"),
        "posted": _("Answer letter posted"),
    }

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="events"
    )
    is_public = models.BooleanField(_("shown to the citizen"), default=True)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal history")
        indexes = [
            # The analytics rollup asks of every history line which cabinet held the appeal
            # then: the first forwarding at or after it. Forwardings are few; this finds them
            # (or their absence) without reading the appeal's whole history.
            models.Index(
                fields=["appeal", "id"],
                condition=models.Q(action="forward"),
                name="appealevent_forward_idx",
            )
        ]

    def __str__(self):
        return f"{self.appeal} {self.action}"

    # Words for the history lines that are not workflow actions (those take their label from
    # workflow.ACTIONS).
    OTHER_ACTIONS = {
        "receive": _("Received"),
        "add_materials": _("Materials added"),
        "add_documents": _("Documents added by the cabinet"),
        "cosign": _("Co-signer confirmed"),
        "invite_cosigners": _("Co-signers invited"),
        "external_request": _("Documents requested from another body"),
        "external_request_posted": _("Request for documents posted"),
        "merged_in": _("A repeat appeal was joined to this one"),
        "rate": _("Answer rated"),
        "reclassify": _("Kind changed"),
        "posted": _("Answer letter posted"),
        "external_letter": _("Letter sent to another body by e-mail"),
        "external_reply": _("Reply received from another body"),
        "mail_bounced": _("E-mail not delivered"),
    }

    @property
    def action_label(self):
        if self.action in ACTIONS:
            return ACTIONS[self.action].label
        return self.OTHER_ACTIONS.get(self.action, self.action)

    @staticmethod
    def _status_label(value):
        try:
            return Status(value).label
        except ValueError:
            return value

    @property
    def from_status_label(self):
        return self._status_label(self.from_status) if self.from_status else ""

    @property
    def to_status_label(self):
        return self._status_label(self.to_status) if self.to_status else ""
