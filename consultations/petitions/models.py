"""E-petitions (RULES section D, R22–R26). The eligibility check is the shared one of
``consultations/eligibility.py``; the states are in ``workflow.py``."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consultations.eligibility import EligibilityRules
from edem.accounts.models import User
from edem.core.history import HistoryEvent
from edem.core.jurisdiction import get_profile
from edem.core.markup import render_markdown
from edem.core.net import registrable_domain

from .workflow import PUBLIC_STATES, Status


class PetitionSettings(models.Model):
    """The municipality's petition numbers (one row; R23–R25). Every number is data: the
    defaults are RULES' local example (R24: 250 signatures in 60 days) and the working-day
    terms of the jurisdiction profile (R23: 2, R25: 3 and 10)."""

    signature_threshold = models.PositiveIntegerField(
        _("signatures needed"),
        default=250,
        help_text=_(
            "Set by the municipality's charter or its regulation on petitions, e.g. 100, 250, 300 or 1,000."
        ),
    )
    collection_days = models.PositiveSmallIntegerField(
        _("collection period (days)"),
        default=60,
        help_text=_("Calendar days from publication, e.g. 30, 45, 60 or 90."),
    )
    sign_verification = models.CharField(
        _("verification needed to sign"),
        max_length=20,
        choices=User.Verification.choices,
        default=User.Verification.RESIDENT,
    )
    moderation_working_days = models.PositiveSmallIntegerField(
        _("moderation term (working days)"),
        default=2,
        help_text=_(
            "Working days to check a petition before it is published or refused; usually 2."
        ),
    )
    announce_working_days = models.PositiveSmallIntegerField(
        _("announcement of consideration (working days)"),
        default=3,
        help_text=_(
            "Working days, after the signatures are collected, to announce when the petition will be considered; usually 3."
        ),
    )
    decision_working_days = models.PositiveSmallIntegerField(
        _("decision term (working days)"),
        default=10,
        help_text=_("Working days after that announcement to take the decision; usually 10."),
    )
    confirmation_days = models.PositiveSmallIntegerField(
        _("confirmation link valid (days)"), default=7
    )
    signatures_per_ip_per_hour = models.PositiveIntegerField(
        _("signatures per IP address per hour"), default=20
    )
    signatures_per_domain_per_hour = models.PositiveIntegerField(
        _("signatures per e-mail domain per hour"), default=200
    )
    unlimited_domains = models.TextField(
        _("e-mail domains without a limit"),
        blank=True,
        help_text=_("One per line: large public mail services whose users sign in great numbers."),
    )

    class Meta:
        verbose_name = _("petition settings")
        verbose_name_plural = _("petition settings")

    def __str__(self):
        return str(_("Petition settings"))

    @classmethod
    def load(cls):
        """The one row, created on first use with the profile's working-day terms."""
        row = cls.objects.order_by("pk").first()
        if row is None:
            profile = get_profile()
            row = cls.objects.create(
                moderation_working_days=profile.petition_publication_working_days,
                announce_working_days=profile.petition_announce_working_days,
                decision_working_days=profile.petition_decision_working_days,
            )
        return row

    def unlimited_domain_set(self):
        """The domains registered (``mail.example.co.uk`` is ``example.co.uk``), as the
        limits count them."""
        return {
            registrable_domain(line) for line in self.unlimited_domains.splitlines() if line.strip()
        }

    def clean(self):
        if self.signature_threshold < 1 or self.collection_days < 1:
            raise ValidationError(_("The threshold and the period must be at least 1."))


class PetitionQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status__in=PUBLIC_STATES)


class Petition(EligibilityRules):
    """A resident's petition to a cabinet (R22). The threshold and the collection period are
    copied from the settings when it is published, so later changes never move a running
    petition's goal."""

    class RefusalGround(models.TextChoices):  # R22: what a petition may not contain
        CONSTITUTIONAL_ORDER = (
            "constitutional_order",
            _("Calls to overthrow the constitutional order or break territorial integrity"),
        )
        VIOLENCE = "violence", _("War or violence propaganda")
        HATRED = "hatred", _("Incitement of hatred")
        CRIME = "crime", _("Calls to commit a crime")
        OBSCENE = "obscene", _("Obscene language")
        NOT_COMPETENT = "not_competent", _("Outside the addressee's competence")
        OTHER = "other", _("Other breach of the petition rules")

    class Result(models.TextChoices):  # R25
        SUPPORTED = "supported", pgettext_lazy("petition answer", "Supported")
        NOT_SUPPORTED = "not_supported", pgettext_lazy("petition answer", "Not supported")

    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("addressee"),
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    author_name = models.CharField(
        _("author's name"), max_length=255, help_text=_("Shown publicly with the petition.")
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), help_text=_("Markdown."))
    proposed_solution = models.TextField(_("proposed solution"), help_text=_("Markdown."))
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    signature_threshold = models.PositiveIntegerField(_("signatures needed"), default=250)
    collection_days = models.PositiveSmallIntegerField(_("collection period (days)"), default=60)
    signature_count = models.PositiveIntegerField(
        _("signatures"), default=0, help_text=_("Confirmed, valid signatures.")
    )

    submitted_at = models.DateTimeField(_("sent for moderation"), null=True, blank=True)
    moderation_due = models.DateField(_("moderation due"), null=True, blank=True, db_index=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal_ground = models.CharField(
        _("refusal ground"), max_length=30, choices=RefusalGround.choices, blank=True
    )
    refusal_note = models.TextField(_("refusal explanation"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    collection_ends_on = models.DateField(
        _("collection ends"), null=True, blank=True, db_index=True
    )
    threshold_reached_at = models.DateTimeField(_("threshold reached"), null=True, blank=True)
    announce_due = models.DateField(_("announcement due"), null=True, blank=True, db_index=True)
    consideration_started_at = models.DateTimeField(
        _("consideration announced"), null=True, blank=True
    )
    decision_due = models.DateField(_("decision due"), null=True, blank=True, db_index=True)
    answer_result = models.CharField(_("answer"), max_length=20, choices=Result.choices, blank=True)
    answer_text = models.TextField(_("answer text"), blank=True, help_text=_("Markdown."))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expired_at = models.DateTimeField(_("collection ended"), null=True, blank=True)
    appeal = models.OneToOneField(
        "appeals.Appeal",
        verbose_name=_("appeal made of it"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petition",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["cabinet", "status"], name="petition_queue_idx"),
            models.Index(fields=["status", "-signature_count"], name="petition_popular_idx"),
            models.Index(fields=["author", "-created_at"], name="petition_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values),
                name="petition_status_valid",
                violation_error_message=_("Choose one of the listed statuses."),
            ),
            models.CheckConstraint(
                condition=models.Q(answer_result__in=["", "supported", "not_supported"]),
                name="petition_result_valid",
                violation_error_message=_("Choose one of the listed results."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_ground=""),
                name="petition_refusal_cites_ground",
                violation_error_message=_("A refusal cites its ground."),
            ),  # R23
        ]

    def __str__(self):
        return self.title

    @property
    def number(self):
        return f"{self.pk}"

    @property
    def is_public(self):
        return Status(self.status) in PUBLIC_STATES

    @cached_property
    def text_html(self):
        return mark_safe(render_markdown(self.text))  # noqa: S308 — sanitised by nh3

    @cached_property
    def solution_html(self):
        return mark_safe(render_markdown(self.proposed_solution))  # noqa: S308 — sanitised

    @cached_property
    def answer_html(self):
        return mark_safe(render_markdown(self.answer_text))  # noqa: S308 — sanitised by nh3

    @property
    def status_badge(self):
        """The badge class of the status: the one place that decides how a state looks."""
        return {
            Status.DRAFT: "badge-draft",
            Status.MODERATION: "badge-warning",
            Status.REFUSED: "badge-error",
            Status.COLLECTING: "",
            Status.THRESHOLD_REACHED: "badge-success",
            Status.UNDER_CONSIDERATION: "badge-success",
            Status.ANSWERED: "badge-published",
            Status.EXPIRED: "status-closed",
        }[Status(self.status)]

    @property
    def progress_percent(self):
        if not self.signature_threshold:
            return 0
        return min(100, self.signature_count * 100 // self.signature_threshold)

    @property
    def current_due(self):
        """The date the cabinet owes something by, for the current state (R23, R25)."""
        return {
            Status.MODERATION: self.moderation_due,
            Status.THRESHOLD_REACHED: self.announce_due,
            Status.UNDER_CONSIDERATION: self.decision_due,
        }.get(Status(self.status))

    # What the pages show depends on these; the states themselves stay out of the templates.
    @property
    def is_draft(self):
        return self.status == Status.DRAFT

    @property
    def in_moderation(self):
        return self.status == Status.MODERATION

    @property
    def was_refused(self):
        return self.status == Status.REFUSED

    @property
    def awaits_announcement(self):
        """The threshold is reached; the cabinet owes the announcement (R25)."""
        return self.status == Status.THRESHOLD_REACHED

    @property
    def under_consideration(self):
        return self.status == Status.UNDER_CONSIDERATION

    @property
    def is_answered(self):
        return self.status == Status.ANSWERED

    def is_overdue(self, today=None):
        due = self.current_due
        return bool(due) and (today or timezone.localdate()) > due

    @property
    def due_state(self):
        """ "overdue" or "soon" (due today or tomorrow), shown in words on the queue."""
        due = self.current_due
        if not due:
            return ""
        today = timezone.localdate()
        if today > due:
            return "overdue"
        if (due - today).days <= 1:
            return "soon"
        return ""


class PetitionEvent(HistoryEvent):
    """One immutable line of a petition's history (who, when, from, to, note)."""

    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.PROTECT, related_name="events"
    )
    is_public = models.BooleanField(_("shown publicly"), default=True)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("petition event")
        verbose_name_plural = _("petition history")
        indexes = [models.Index(fields=["petition", "action"], name="petition_event_idx")]

    def __str__(self):
        return f"{self.petition_id}: {self.action}"

    @property
    def label(self):
        """What happened, in the past tense, for the history lists."""
        return EVENT_LABELS.get(self.action, self.action)


EVENT_LABELS = {
    "create": _("Draft created"),
    "submit": _("Sent for moderation"),
    "publish": _("Published, collection of signatures started"),
    "refuse": _("Publication refused"),
    "invalidate": _("Signatures invalidated"),
    "withdraw_signature": _("A signature withdrawn by its signer"),
    "reach_threshold": _("Threshold reached"),
    "reopen_collection": _("Back to collecting signatures"),
    "expire": _("Collection period ended"),
    "start_consideration": _("Consideration announced"),
    "answer": _("Answer published"),
    "to_appeal": _("Turned into an appeal"),
    "admin_change": _("Changed by an administrator"),
    "overdue_moderation": _("Moderation term missed"),
    "overdue_announce": _("Announcement term missed"),
    "overdue_decision": _("Decision term missed"),
}


class SignatureQuerySet(models.QuerySet):
    def valid(self):
        """Signatures that count: confirmed by the e-mail link and not invalidated."""
        return self.filter(confirmed_at__isnull=False, invalidated_at__isnull=True)


class Signature(models.Model):
    """One person's signature (R24). It counts only after the e-mail link is followed and as
    long as no moderator invalidated it. One per person: a database constraint on
    (petition, voter_key)."""

    petition = models.ForeignKey(
        Petition, verbose_name=_("petition"), on_delete=models.PROTECT, related_name="signatures"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="petition_signatures",
    )
    voter_key = models.CharField(_("person key"), max_length=64)
    public_name = models.CharField(_("name in the list"), max_length=255, blank=True)
    show_name = models.BooleanField(_("name shown in the public list"), default=True)
    invite_to_appeal = models.BooleanField(
        _("co-sign the appeal if the petition fails"), default=False
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    email_domain = models.CharField(_("e-mail domain"), max_length=255, db_index=True)
    created_at = models.DateTimeField(_("signed"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed by e-mail"), null=True, blank=True)
    invalidated_at = models.DateTimeField(_("invalidated"), null=True, blank=True)
    invalidation_reason = models.TextField(_("reason for invalidation"), blank=True)
    invalidated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invalidated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "voter_key"],
                name="petition_one_signature_per_person",
                violation_error_message=_("A person signs a petition only once."),
            ),  # R24: one signature per verified person
        ]
        indexes = [
            models.Index(
                fields=["petition", "confirmed_at", "invalidated_at"], name="signature_valid_idx"
            )
        ]

    def __str__(self):
        return f"{self.petition_id}: {self.public_name or self.pk}"

    @property
    def counts(self):
        return self.confirmed_at is not None and self.invalidated_at is None
