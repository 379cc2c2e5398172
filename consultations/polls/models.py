"""Polls and surveys (R27–R31): the rows and their invariants.

Which transition is allowed to whom lives in ``workflow.py``; every change goes through
``services.py``; results are computed in ``selectors.py``. One ballot per person per poll is a
database constraint on (poll, voter_key) (R30).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consultations.eligibility import EligibilityRules
from edem.core.history import HistoryEvent
from edem.core.markup import render_markdown

from .workflow import CLOSED_STATES, EDITABLE_STATES, PUBLIC_STATES, Status


class InitiatorKind(models.TextChoices):
    """Who initiated the poll (R28); all but the cabinet go through moderation."""

    CABINET = "cabinet", pgettext_lazy("poll initiator", "Authority")
    ADVISORY_BODY = "advisory_body", pgettext_lazy("poll initiator", "Advisory body")
    NGO = "ngo", pgettext_lazy("poll initiator", "NGO or self-organisation body")
    RESIDENT = "resident", pgettext_lazy("poll initiator", "Resident")


class ResultsVisibility(models.TextChoices):
    LIVE = "live", pgettext_lazy("poll results", "Live, while voting is open")
    AFTER_CLOSE = "after_close", pgettext_lazy("poll results", "Only after voting closes")


class TerminationReason(models.TextChoices):
    """R29: a poll stopped before its end date says why."""

    NO_LONGER_RELEVANT = (
        "no_longer_relevant",
        pgettext_lazy("poll termination", "No longer relevant"),
    )
    TECHNICAL_ERROR = "technical_error", pgettext_lazy("poll termination", "Technical error")


class PollQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status__in=PUBLIC_STATES)

    def archived(self):
        return self.filter(status__in=CLOSED_STATES)


class Poll(EligibilityRules):
    """A poll or survey of residents, run by a cabinet (R27)."""

    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("responsible cabinet"),
        on_delete=models.PROTECT,
        related_name="polls",
    )
    initiator_kind = models.CharField(
        _("initiator"), max_length=20, choices=InitiatorKind.choices, default=InitiatorKind.CABINET
    )
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("initiated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiated_polls",
    )
    organisation_name = models.CharField(
        _("organisation"),
        max_length=255,
        blank=True,
        help_text=_("The advisory body, NGO or self-organisation body that proposes the poll."),
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description (Markdown)"), blank=True)
    starts_at = models.DateTimeField(_("voting opens"), db_index=True)
    ends_at = models.DateTimeField(_("voting closes"), db_index=True)
    results_visibility = models.CharField(
        _("results shown"),
        max_length=20,
        choices=ResultsVisibility.choices,
        default=ResultsVisibility.AFTER_CLOSE,
    )
    ballots_changeable = models.BooleanField(
        _("voters may change their ballot until voting closes"),
        default=False,
        help_text=_("Off: a ballot, once cast, is final, as in most official polls."),  # R30
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    termination_reason = models.CharField(
        _("reason for early termination"),
        max_length=30,
        choices=TerminationReason.choices,
        blank=True,
    )
    termination_note = models.TextField(_("termination explained"), blank=True)
    decision = models.TextField(
        _("response and decision (Markdown)"),
        blank=True,
        help_text=_("The body's response to the results and its final decision."),  # R31
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)

    objects = PollQuerySet.as_manager()

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in Status]),
                name="poll_status_valid",
                violation_error_message=_("Choose one of the listed statuses."),
            ),
            models.CheckConstraint(
                condition=models.Q(initiator_kind__in=[k.value for k in InitiatorKind]),
                name="poll_initiator_kind_valid",
                violation_error_message=_("Choose one of the listed kinds of initiator."),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="poll_ends_after_start",
                violation_error_message=_("Voting must close after it opens."),
            ),
            models.CheckConstraint(  # R29: an early end always has its reason
                condition=~models.Q(status="terminated_early") | ~models.Q(termination_reason=""),
                name="poll_termination_has_reason",
                violation_error_message=_("An early end needs its reason."),
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="poll_status_start")]

    def __str__(self):
        return self.title

    @property
    def description_html(self):
        return render_markdown(self.description)

    @property
    def decision_html(self):
        return render_markdown(self.decision)

    @property
    def is_editable(self):
        return self.status in EDITABLE_STATES  # R29

    @property
    def is_public(self):
        return self.status in PUBLIC_STATES

    @property
    def is_closed(self):
        return self.status in CLOSED_STATES

    # What the pages show depends on these; the states themselves stay out of the templates.
    @property
    def is_voting(self):
        return self.status == Status.ACTIVE

    @property
    def is_scheduled(self):
        return self.status == Status.SCHEDULED

    @property
    def was_refused(self):
        return self.status == Status.REFUSED

    @property
    def was_terminated_early(self):
        return self.status == Status.TERMINATED_EARLY

    @property
    def results_published(self):
        return self.status == Status.RESULTS_PUBLISHED

    @property
    def results_visible(self):
        """Whether anyone may see the counts now (per the poll's setting)."""
        if self.status in CLOSED_STATES:
            return True
        return self.status == Status.ACTIVE and self.results_visibility == ResultsVisibility.LIVE

    @property
    def status_css(self):
        """The badge class of the status: the one place that maps states to looks."""
        if self.status == Status.ACTIVE:
            return "status-open"
        if self.status in (Status.COMPLETED, Status.RESULTS_PUBLISHED):
            return "status-done"
        if self.status in (Status.DRAFT, Status.MODERATION, Status.SCHEDULED):
            return "badge-draft"
        return "status-closed"

    @property
    def initiator_label(self):
        if self.initiator_kind == InitiatorKind.CABINET:
            return self.cabinet.short_name
        if self.organisation_name:
            return self.organisation_name
        return InitiatorKind(self.initiator_kind).label


class Question(models.Model):
    """One question of a poll. Simple polls have single or multiple choice; complex ones
    ranking or scoring (R27); free text is moderated before it is shown (R31)."""

    class Kind(models.TextChoices):
        SINGLE = "single", pgettext_lazy("question kind", "Single choice")
        MULTIPLE = "multiple", pgettext_lazy("question kind", "Multiple choice")
        RANKING = "ranking", pgettext_lazy("question kind", "Ranking")
        SCALE = "scale", pgettext_lazy("question kind", "Scale 1–5")
        TEXT = "text", pgettext_lazy("question kind", "Free text")

    CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING})
    SCALE_MIN, SCALE_MAX = 1, 5

    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("explanation"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SINGLE)
    required = models.BooleanField(_("answer required"), default=True)
    min_choices = models.PositiveSmallIntegerField(
        _("at least this many choices"), null=True, blank=True
    )
    max_choices = models.PositiveSmallIntegerField(
        _("at most this many choices"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["poll", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["single", "multiple", "ranking", "scale", "text"]),
                name="poll_question_kind_valid",
                violation_error_message=_("Choose one of the listed kinds of question."),
            ),
            models.CheckConstraint(
                condition=models.Q(min_choices__isnull=True)
                | models.Q(max_choices__isnull=True)
                | models.Q(min_choices__lte=models.F("max_choices")),
                name="poll_question_min_le_max",
                violation_error_message=_(
                    "The least number of choices is larger than the largest."
                ),
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def has_options(self):
        return self.kind in self.CHOICE_KINDS


class Option(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("option"), max_length=300)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "order", "pk"]

    def __str__(self):
        return self.text


class Ballot(models.Model):
    """One person's ballot in one poll (R30). The voter's territory is copied at voting time
    for the breakdown of results."""

    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.PROTECT, related_name="ballots"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voter"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="poll_ballots",
    )
    voter_key = models.CharField(_("voter key"), max_length=64, editable=False)
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("voter's territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("cast"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    changes = models.PositiveSmallIntegerField(_("times changed"), default=0)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "voter_key"],
                name="poll_one_ballot_per_person",
                violation_error_message=_("A person votes in a poll only once."),
            )
        ]  # R30

    def __str__(self):
        return f"{self.poll} #{self.pk}"


class Answer(models.Model):
    """The answer to one question on a ballot: one row per chosen option (single, multiple),
    one per option with its rank (ranking), one with the value (scale) or the text (free text).
    """

    class TextStatus(models.TextChoices):
        NONE = "", pgettext_lazy("free text moderation", "Not a free text")
        PENDING = "pending", pgettext_lazy("free text moderation", "Awaiting moderation")
        APPROVED = "approved", pgettext_lazy("free text moderation", "Approved")
        REJECTED = "rejected", pgettext_lazy("free text moderation", "Rejected")

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("ballot"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    option = models.ForeignKey(
        Option,
        verbose_name=_("option"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answers",
    )
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    value = models.PositiveSmallIntegerField(_("scale value"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    text_status = models.CharField(
        _("moderation"), max_length=10, choices=TextStatus.choices, blank=True, db_index=True
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderation_note = models.CharField(_("moderation note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["ballot", "question", "rank", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=1, value__lte=5),
                name="poll_answer_scale_range",
                violation_error_message=_("A scale answer is from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=models.Q(text_status__in=["", "pending", "approved", "rejected"]),
                name="poll_answer_text_status_valid",
                violation_error_message=_("Choose one of the listed moderation states."),
            ),
            models.UniqueConstraint(
                fields=["ballot", "option"],
                condition=models.Q(option__isnull=False),
                name="poll_answer_option_once",
                violation_error_message=_("An option is chosen only once in a ballot."),
            ),
        ]

    def __str__(self):
        return f"{self.question}: {self.option or self.value or self.text[:40]}"

    @property
    def text_approved(self):
        return self.text_status == self.TextStatus.APPROVED

    @property
    def text_rejected(self):
        return self.text_status == self.TextStatus.REJECTED


class PollEvent(HistoryEvent):
    """One immutable line of a poll's history (who, when, from, to, note)."""

    LABELS = {
        "create": _("Created"),
        "propose": _("Proposed"),
        "edit": _("Edited"),
        "add_question": _("Question added"),
        "edit_question": _("Question changed"),
        "delete_question": _("Question deleted"),
        "schedule": _("Scheduled"),
        "approve": _("Proposal approved"),
        "refuse": _("Proposal refused"),
        "start": _("Voting opened"),
        "complete": _("Voting closed"),
        "terminate": _("Terminated early"),
        "publish_results": _("Results published"),
        "moderate_text": _("Free-text answer moderated"),
    }
    DEFAULT_LABEL = None  # an action not listed reads as its name

    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta(HistoryEvent.Meta):
        verbose_name = _("poll event")
        verbose_name_plural = _("poll history")

    def __str__(self):
        return f"{self.poll} {self.action}"
