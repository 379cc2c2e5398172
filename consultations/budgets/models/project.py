"""Projects (R33, R34, R36), their itemised costs, photos, implementation and history."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edem.core.history import HistoryEvent
from edem.core.uploads import StoredFile

from ..workflow import ImplementationStatus, ProjectStatus
from .cycle import MONEY, BudgetCategory, BudgetCycle, money


class Project(models.Model):
    """A resident's project (R33), reviewed (R34), voted on (R35), maybe a winner (R36)."""

    cycle = models.ForeignKey(
        BudgetCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="projects"
    )
    category = models.ForeignKey(
        BudgetCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="budget_projects",
    )
    number = models.PositiveIntegerField(
        _("ballot number"), null=True, blank=True, help_text=_("Drawn by lot.")
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"), help_text=_("What is wrong now, and for whom."))
    description = models.TextField(
        _("description"), help_text=_("What is to be done. Markdown is allowed.")
    )
    description_html = models.TextField(_("description (HTML)"), blank=True, editable=False)
    beneficiaries = models.TextField(_("who benefits"))
    address = models.CharField(_("place"), max_length=255)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    cost = models.DecimalField(_("estimated cost"), default=Decimal("0.00"), **MONEY)
    approved_cost = models.DecimalField(
        _("cost after review"),
        null=True,
        blank=True,
        help_text=_("Set by the reviewers when they adjust the estimate."),
        **MONEY,
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProjectStatus.choices,
        default=ProjectStatus.SUBMITTED,
    )
    review_reason = models.TextField(
        _("reason of the review decision"),
        blank=True,
        help_text=_("Shown to everyone with the project."),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appeal_text = models.TextField(_("appeal"), blank=True)
    appealed_at = models.DateTimeField(_("appealed"), null=True, blank=True)
    final_votes = models.PositiveIntegerField(_("votes (final)"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("place"), null=True, blank=True)
    implementation_status = models.CharField(
        _("implementation"), max_length=20, choices=ImplementationStatus.choices, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("budget project")
        verbose_name_plural = _("budget projects")
        ordering = ["cycle", "number", "submitted_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ProjectStatus]),
                name="budgets_project_status_valid",
                violation_error_message=_("Choose one of the listed statuses."),
            ),
            models.CheckConstraint(
                condition=models.Q(cost__gte=0),
                name="budgets_project_cost_not_negative",
                violation_error_message=_("The cost cannot be negative."),
            ),
            models.UniqueConstraint(
                fields=["cycle", "number"],
                condition=models.Q(number__isnull=False),
                name="budgets_project_unique_number",
                violation_error_message=_("This cycle already has a project with this number."),
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"]),
            models.Index(fields=["status", "latitude", "longitude"]),
        ]

    def __str__(self):
        return f"№{self.number} {self.title}" if self.number else self.title

    def get_absolute_url(self):
        return reverse("budgets:project", args=[self.pk])

    @property
    def returned_for_changes(self):
        """The reviewers returned it (R34): its author changes it and submits it again."""
        return self.status == ProjectStatus.RETURNED

    @property
    def effective_cost(self):
        """What the project costs for the results: the reviewers' figure when they set one."""
        return self.approved_cost if self.approved_cost is not None else self.cost


class ReviewQueue(Project):
    """The administrators' moderation queue: projects waiting for a review decision."""

    class Meta:
        proxy = True
        verbose_name = _("project waiting for review")
        verbose_name_plural = _("review queue")


class CostLine(models.Model):
    """One line of the itemised estimate (R33): quantity × unit price, in Decimal."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="cost_lines"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.CharField(_("item"), max_length=255)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), **MONEY)

    class Meta:
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        ordering = ["project", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="budgets_costline_quantity_positive",
                violation_error_message=_("The quantity must be more than zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0),
                name="budgets_costline_price_not_negative",
                violation_error_message=_("The unit price cannot be negative."),
            ),
        ]

    def __str__(self):
        return self.description

    @property
    def total(self):
        return money(self.quantity * self.unit_price)


class ImplementationUpdate(models.Model):
    """A public step in carrying out a winning project: status, text, photos."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=ImplementationStatus.choices)
    text = models.TextField(_("text"), help_text=_("Markdown is allowed."))
    text_html = models.TextField(_("text (HTML)"), blank=True, editable=False)
    happened_on = models.DateField(_("date"), default=timezone.localdate)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("implementation update")
        verbose_name_plural = _("implementation updates")
        ordering = ["-happened_on", "-pk"]

    def __str__(self):
        return f"{self.project}: {self.get_status_display()}"


class Photo(StoredFile):
    """A photo of a project or of an implementation update: checked by content, re-encoded
    without metadata (``edem.core.uploads``). A photo of neither is *pending*: kept for the
    uploader while a form with errors comes back."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    update = models.ForeignKey(
        ImplementationUpdate,
        verbose_name=_("implementation update"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="budgets/%Y/%m/")
    thumbnail = models.FileField(_("thumbnail"), upload_to="budgets/%Y/%m/thumbs/", blank=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def is_pending(self):
        return self.project_id is None and self.update_id is None


class BudgetEvent(HistoryEvent):
    """One immutable line of the history of a cycle and its projects (who, when, from, to,
    note): phase changes, reviews, appeals, lots."""

    LABELS = {
        "submit": _("Submitted"),
        "edit": _("Changed by the author"),
        "resubmit": _("Changed and submitted again"),
        "accept": _("Admitted to the vote"),
        "return": _("Returned for changes"),
        "reject": _("Rejected"),
        "appeal": _("Rejection appealed"),
        "not_supported": _("Not enough support"),
        "update": _("Implementation update"),
    }

    cycle = models.ForeignKey(
        BudgetCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="events"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    is_public = models.BooleanField(_("public"), default=True)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("budget event")
        verbose_name_plural = _("budget events")
        indexes = [models.Index(fields=["cycle", "action"], name="budget_event_idx")]

    def __str__(self):
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"
