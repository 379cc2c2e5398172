"""Public discussions of draft municipal acts (R27 commented draft act, R28, R29, R31).

A ``Discussion`` holds the settings (who may take part: ``EligibilityRules``), the dates and the
status; its text lives in numbered ``DraftVersion``s made of ``Section``s and ``Paragraph``s.
A paragraph keeps a stable ``key`` across versions, so that v2's paragraphs map to v1's and the
comments on v1 stay attached to what they were about.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consultations.eligibility import EligibilityRules
from edem.core.history import HistoryEvent
from edem.core.markup import render_markdown

from .workflow import PUBLIC_STATES, Status, TerminationReason


class Discussion(EligibilityRules):
    """A draft act put to public discussion by a cabinet, or proposed by a resident (R28)."""

    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("responsible cabinet"),
        on_delete=models.PROTECT,
        related_name="discussions",
    )
    title = models.CharField(_("title of the draft act"), max_length=255)
    summary = models.TextField(
        _("summary"),
        max_length=4000,
        blank=True,
        help_text=_("What the act is about and why it is discussed (Markdown)."),
    )
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the whole municipality."),
    )
    starts_at = models.DateTimeField(_("discussion opens"), db_index=True)
    ends_at = models.DateTimeField(_("discussion closes"), db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("initiator"),
        on_delete=models.PROTECT,
        related_name="initiated_discussions",
    )
    proposed_by_resident = models.BooleanField(_("proposed by a resident"), default=False)
    moderation_note = models.TextField(_("moderation decision"), blank=True)
    termination_reason = models.CharField(
        _("reason for early termination"),
        max_length=30,
        choices=TerminationReason.choices,
        blank=True,
    )
    termination_note = models.TextField(_("explanation of the early termination"), blank=True)
    results_published_at = models.DateTimeField(_("outcome published"), null=True, blank=True)
    final_text = models.FileField(
        _("adopted text (PDF)"), upload_to="discussions/final/%Y/", blank=True
    )
    final_text_name = models.CharField(
        _("file name of the adopted text"), max_length=200, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("discussion of a draft act")
        verbose_name_plural = _("discussions of draft acts")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]),
                name="discussion_status_valid",
                violation_error_message=_("Choose one of the listed statuses."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="discussion_ends_after_start",
                violation_error_message=_("The discussion must end after it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status="terminated_early") | ~Q(termination_reason=""),
                name="discussion_termination_has_reason",
                violation_error_message=_("An early end needs its reason."),
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="discussion_status_start")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("discussions:detail", args=[self.pk])

    @property
    def status_enum(self):
        return Status(self.status)

    @property
    def summary_html(self):
        return render_markdown(self.summary)

    @property
    def is_public(self):
        return self.status in PUBLIC_STATES

    @property
    def is_open(self):
        return self.status == Status.ACTIVE

    # What the pages show depends on these; the states themselves stay out of the templates.
    @property
    def is_scheduled(self):
        return self.status == Status.SCHEDULED

    @property
    def is_completed(self):
        return self.status == Status.COMPLETED

    @property
    def was_terminated_early(self):
        return self.status == Status.TERMINATED_EARLY

    @property
    def was_rejected(self):
        """Refused at moderation (a resident's proposal, R28)."""
        return self.status == Status.REJECTED

    @property
    def decisions_published(self):
        """The outcome is published: the decision on each comment may be shown (R27)."""
        return self.status == Status.RESULTS_PUBLISHED

    def current_version(self):
        return self.versions.order_by("-number").first()


class DiscussionEvent(HistoryEvent):
    """One immutable line of a discussion's history (who, when, from, to, note)."""

    discussion = models.ForeignKey(
        Discussion, verbose_name=_("discussion"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta(HistoryEvent.Meta):
        verbose_name = _("discussion event")
        verbose_name_plural = _("discussion history")

    def __str__(self):
        return f"{self.discussion} {self.action}"

    def delete(self, *args, **kwargs):
        raise ValueError("Discussion history is never deleted.")


class DraftVersion(models.Model):
    """One version of the draft act's text: 1, 2, ... Never changed once saved."""

    class Source(models.TextChoices):
        MARKDOWN = "markdown", pgettext_lazy("text source", "Pasted text (Markdown)")
        DOCX = "docx", pgettext_lazy("text source", "Word document (.docx)")

    discussion = models.ForeignKey(
        Discussion, verbose_name=_("discussion"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version number"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    source_name = models.CharField(_("file name"), max_length=200, blank=True)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("version of the draft")
        verbose_name_plural = _("versions of the draft")
        ordering = ["discussion", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "number"],
                name="discussion_version_number_unique",
                violation_error_message=_(
                    "This discussion already has a version with this number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(source__in=["markdown", "docx"]),
                name="discussion_version_source_valid",
                violation_error_message=_("Choose one of the listed source formats."),
            ),
        ]

    def __str__(self):
        return f"{self.discussion} — v{self.number}"


class Section(models.Model):
    """A section of one version (a heading of the act); paragraphs before the first heading
    fall into an untitled section."""

    version = models.ForeignKey(
        DraftVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="sections"
    )
    key = models.CharField(_("stable key"), max_length=20)
    order = models.PositiveIntegerField(_("order"))
    title = models.CharField(_("heading"), max_length=500, blank=True)
    level = models.PositiveSmallIntegerField(_("heading level"), default=1)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "order"],
                name="discussion_section_order",
                violation_error_message=_("Two sections of a version cannot share a position."),
            ),
            models.UniqueConstraint(
                fields=["version", "key"],
                name="discussion_section_key",
                violation_error_message=_("Two sections of a version cannot share a key."),
            ),
        ]

    def __str__(self):
        return self.title or f"§{self.order}"


class Paragraph(models.Model):
    """A paragraph of one version; ``key`` is the same for the paragraph in every version."""

    version = models.ForeignKey(
        DraftVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="paragraphs"
    )
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="paragraphs"
    )
    key = models.CharField(_("stable key"), max_length=20)
    order = models.PositiveIntegerField(_("order"))
    text = models.TextField(_("text (Markdown)"))

    class Meta:
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "order"],
                name="discussion_paragraph_order",
                violation_error_message=_("Two paragraphs of a version cannot share a position."),
            ),
            models.UniqueConstraint(
                fields=["version", "key"],
                name="discussion_paragraph_key",
                violation_error_message=_("Two paragraphs of a version cannot share a key."),
            ),
        ]

    def __str__(self):
        return f"{self.version} ¶{self.order}"

    @property
    def number(self):
        """The paragraph's number as shown to people (1-based within the version)."""
        return self.order

    @property
    def html(self):
        return render_markdown(self.text)


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(is_hidden=False)

    def owed_a_decision(self):
        """What the body must answer (R31): every visible comment and proposal, and a proposal
        hidden by moderation too: hiding moderates its text, not the duty to respond."""
        return self.filter(Q(is_hidden=False) | Q(kind=Comment.Kind.WORDING))


class Comment(models.Model):
    """A resident's comment on a paragraph or proposed new wording of it (R27)."""

    class Kind(models.TextChoices):
        COMMENT = "comment", pgettext_lazy("comment kind", "Comment")
        WORDING = "wording", pgettext_lazy("comment kind", "Proposed wording")

    class HiddenReason(models.TextChoices):
        """R31: what moderation removes."""

        OBSCENITY = "obscenity", _("Obscene language")
        HATE = "hate", _("Hate speech or insults")
        ADVERTISING = "advertising", _("Advertising or spam")
        PERSONAL_DATA = "personal_data", _("Personal data of other people")

    discussion = models.ForeignKey(
        Discussion, verbose_name=_("discussion"), on_delete=models.PROTECT, related_name="comments"
    )
    paragraph = models.ForeignKey(
        Paragraph, verbose_name=_("paragraph"), on_delete=models.PROTECT, related_name="comments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    text = models.TextField(_("text"), max_length=5000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="discussion_comments",
    )
    show_name = models.BooleanField(
        _("show my name"),
        default=False,
        help_text=_("Otherwise you are shown as “a resident”."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    is_hidden = models.BooleanField(_("hidden by moderation"), default=False, db_index=True)
    hidden_reason = models.CharField(
        _("reason for hiding"), max_length=20, choices=HiddenReason.choices, blank=True
    )
    hidden_note = models.CharField(_("moderator's note"), max_length=500, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment or proposal")
        verbose_name_plural = _("comments and proposals")
        ordering = ["created_at", "pk"]
        permissions = [("moderate_comment", "Can hide and restore comments on any discussion")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["comment", "wording"]),
                name="discussion_comment_kind_valid",
                violation_error_message=_("Choose one of the listed kinds of comment."),
            ),
            models.CheckConstraint(
                condition=Q(is_hidden=False) | ~Q(hidden_reason=""),
                name="discussion_comment_hidden_has_reason",
                violation_error_message=_("A hidden comment needs the reason it was hidden."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def author_display(self):
        """The author as they chose to be shown (R18: a name is published only by choice)."""
        if self.show_name and self.author.full_name:
            return self.author.full_name
        return _("a resident")

    @property
    def is_proposal(self):
        return self.kind == self.Kind.WORDING

    @property
    def owed_a_decision(self):
        """See ``CommentQuerySet.owed_a_decision`` (R31)."""
        return not self.is_hidden or self.is_proposal


class Support(models.Model):
    """A resident supports a proposed wording: one per person (R30)."""

    comment = models.ForeignKey(
        Comment, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="supports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="discussion_supports",
    )
    voter_key = models.CharField(_("voter key"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("support of a proposal")
        verbose_name_plural = _("supports of proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "voter_key"],
                name="discussion_support_one_per_person",
                violation_error_message=_("A person supports a comment only once."),
            )  # R30
        ]

    def __str__(self):
        return f"{self.comment} + {self.user}"


class Decision(models.Model):
    """The responsible official's decision on a comment or proposal, with its reason (R31)."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", pgettext_lazy("decision", "Accepted")
        PARTLY_ACCEPTED = "partly_accepted", pgettext_lazy("decision", "Partly accepted")
        REJECTED = "rejected", pgettext_lazy("decision", "Rejected")
        NOT_RELATED = "not_related", pgettext_lazy("decision", "Not related to the draft")

    comment = models.OneToOneField(
        Comment,
        verbose_name=_("comment or proposal"),
        on_delete=models.PROTECT,
        related_name="decision",
    )
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices)
    reason = models.TextField(_("reason"), max_length=4000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("decision on a proposal")
        verbose_name_plural = _("decisions on proposals")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["accepted", "partly_accepted", "rejected", "not_related"]),
                name="discussion_decision_outcome_valid",
                violation_error_message=_("Choose one of the listed outcomes."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="discussion_decision_has_reason",
                violation_error_message=_("A decision on a comment needs its reason."),
            ),
        ]

    def __str__(self):
        return f"{self.comment}: {self.get_outcome_display()}"
