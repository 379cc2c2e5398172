"""The budget cycle and its categories (R32, R33)."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.eligibility import EligibilityRules
from edem.core.jurisdiction import get_profile
from edem.core.markup import render_markdown

from ..workflow import Phase, phase_index

CENT = Decimal("0.01")
MONEY = {"max_digits": 14, "decimal_places": 2}
CURRENCIES = {"RU": "RUB", "UA": "UAH"}
# The sign of a currency: the same in every language, unlike its code or its name.
SYMBOLS = {"RUB": "₽", "UAH": "₴", "EUR": "€", "USD": "$"}


def default_currency():
    return CURRENCIES.get(get_profile().country, "RUB")


def money(value):
    """A Decimal rounded to kopecks/kopiyky, half up (as accountants do)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class BudgetCycle(EligibilityRules):
    """One participatory budget: a year, a territory, a fund, and dated phases (R32)."""

    title = models.CharField(_("title"), max_length=255)
    year = models.PositiveSmallIntegerField(_("year"))
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_cycles",
        help_text=_("Empty: the whole municipality."),
    )
    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("responsible cabinet"),
        on_delete=models.PROTECT,
        related_name="budget_cycles",
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown: rules, contacts, useful links.")
    )
    description_html = models.TextField(_("description (HTML)"), blank=True, editable=False)
    total_fund = models.DecimalField(_("total fund"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    max_project_cost = models.DecimalField(
        _("maximum cost of a project"),
        null=True,
        blank=True,
        help_text=_("Used for projects without a category; a category may set its own cap."),
        **MONEY,
    )
    votes_per_voter = models.PositiveSmallIntegerField(
        _("votes per voter"),
        default=5,
        help_text=_("How many different projects each voter may support (K)."),
    )
    one_vote_per_category = models.BooleanField(_("at most one vote per category"), default=False)
    support_threshold = models.PositiveIntegerField(
        _("supporters needed before review"),
        null=True,
        blank=True,
        help_text=_("Set it (for example 75) to have a support phase; empty: no support phase."),
    )
    submission_start = models.DateField(_("submission starts"))
    submission_end = models.DateField(_("submission ends"))
    support_start = models.DateField(_("support starts"), null=True, blank=True)
    support_end = models.DateField(_("support ends"), null=True, blank=True)
    review_start = models.DateField(_("review starts"))
    review_end = models.DateField(_("review ends"))
    voting_start = models.DateField(_("voting starts"))
    voting_end = models.DateField(_("voting ends"))
    results_date = models.DateField(
        _("results are published on"),
        null=True,
        blank=True,
        help_text=_("Empty: the cabinet publishes them when the count is checked."),
    )
    implementation_start = models.DateField(_("implementation starts"), null=True, blank=True)
    status = models.CharField(
        _("phase"), max_length=20, choices=Phase.choices, default=Phase.PARAMETERS
    )
    parameters_approved_at = models.DateTimeField(_("parameters approved"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("phase changed"), default=timezone.now)
    lots_drawn_at = models.DateTimeField(_("numbers drawn"), null=True, blank=True)
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("budget cycle")
        verbose_name_plural = _("budget cycles")
        ordering = ["-year", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[p.value for p in Phase]),
                name="budgets_cycle_status_valid",
                violation_error_message=_("Choose one of the listed phases."),
            ),
            models.CheckConstraint(
                condition=models.Q(total_fund__gt=0),
                name="budgets_cycle_fund_positive",
                violation_error_message=_("The fund must be more than zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(votes_per_voter__gte=1),
                name="budgets_cycle_k_positive",
                violation_error_message=_("Each voter needs at least one vote."),
            ),
        ]
        indexes = [models.Index(fields=["status", "year"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("budgets:cycle", args=[self.pk])

    @property
    def has_support_phase(self):
        return bool(self.support_threshold and self.support_start and self.support_end)

    @property
    def is_announced(self):
        return self.parameters_approved_at is not None

    def clean(self):
        """R32: the phases come in order and never overlap; the categories' funds fit."""
        errors = {}
        if self.support_threshold and not (self.support_start and self.support_end):
            errors["support_start"] = _("A support phase needs its start and end dates.")
        if (self.support_start or self.support_end) and not self.support_threshold:
            errors["support_threshold"] = _(
                "Set the number of supporters needed, or clear the support dates."
            )
        if errors:
            raise ValidationError(errors)
        phases = self._dated()
        for start_field, end_field in phases:
            start, end = getattr(self, start_field), getattr(self, end_field)
            if start and end and start > end:
                errors[end_field] = _("The phase ends before it starts.")
        for (_start_a, end_a), (start_b, _end_b) in zip(phases, phases[1:], strict=False):
            end, start = getattr(self, end_a), getattr(self, start_b)
            if end and start and start <= end:  # R32: no overlap, in order
                errors.setdefault(
                    start_b, _("This phase must start after the previous one has ended.")
                )
        if self.results_date and self.voting_end and self.results_date <= self.voting_end:
            errors["results_date"] = _("Results come after the voting has ended.")
        if self.implementation_start and self.voting_end:
            after = self.results_date or self.voting_end + timedelta(days=1)
            if self.implementation_start < after:
                errors["implementation_start"] = _(
                    "Implementation starts after the voting, on or after the day of the results."
                )
        if errors:
            raise ValidationError(errors)

    def _dated(self):
        """(start field, end field) of each dated phase, in the order of R32."""
        phases = [("submission_start", "submission_end")]
        if self.support_threshold or self.support_start or self.support_end:
            phases.append(("support_start", "support_end"))
        return [*phases, ("review_start", "review_end"), ("voting_start", "voting_end")]

    # --- phases -------------------------------------------------------------------------------

    def starts(self):
        """{phase: the date it starts} for the dated phases (R32)."""
        starts = {
            Phase.SUBMISSION: self.submission_start,
            Phase.REVIEW: self.review_start,
            Phase.VOTING: self.voting_start,
            Phase.COUNT: self.voting_end + timedelta(days=1) if self.voting_end else None,
        }
        if self.has_support_phase:
            starts[Phase.SUPPORT] = self.support_start
        if self.results_date:
            starts[Phase.WINNERS_PUBLISHED] = self.results_date
        if self.implementation_start:
            starts[Phase.IMPLEMENTATION] = self.implementation_start
        return starts

    def window(self, phase):
        """(first day, last day) during which the phase's action is open, or (None, None)."""
        return {
            Phase.SUBMISSION: (self.submission_start, self.submission_end),
            Phase.SUPPORT: (self.support_start, self.support_end),
            Phase.REVIEW: (self.review_start, self.review_end),
            Phase.VOTING: (self.voting_start, self.voting_end),
        }.get(Phase(phase), (None, None))

    def date_phase(self, today=None):
        """The phase the dates say it is (never before PARAMETERS are approved)."""
        if not self.is_announced:
            return Phase.PARAMETERS
        today = today or timezone.localdate()
        current = Phase.PARAMETERS
        for phase, start in sorted(self.starts().items(), key=lambda item: phase_index(item[0])):
            if start and start <= today:
                current = phase
        return current

    def phase(self, today=None):
        """The phase now: the stored one, or later when the dates have moved on and the beat
        task has not yet caught up. Results are never shown before they are computed, so the
        dates alone bring a cycle at most to COUNT."""
        stored = Phase(self.status)
        by_date = self.date_phase(today)
        if phase_index(by_date) > phase_index(Phase.COUNT):
            by_date = Phase.COUNT
        return by_date if phase_index(by_date) > phase_index(stored) else stored

    def is_open(self, phase, today=None):
        """Whether the action of ``phase`` (submit, support, review, vote) is open today."""
        today = today or timezone.localdate()
        start, end = self.window(phase)
        return (
            self.phase(today) == phase
            and start is not None
            and start <= today
            and (end is None or today <= end)
        )

    def get_phase_display_now(self):
        return Phase(self.phase()).label

    @property
    def currency_symbol(self):
        return SYMBOLS.get(self.currency, self.currency)

    def render_description(self):
        """The sanitised HTML of each language's description (``description_html`` reads the
        reader's language, else the Russian one); a title or a description given in another
        language than Russian fills the empty Russian one too, so the default is never blank."""
        for name in ("title", "description"):
            if not getattr(self, f"{name}_{settings.LANGUAGE_CODE}", None):
                setattr(self, f"{name}_{settings.LANGUAGE_CODE}", getattr(self, name))
        for code, _name in settings.LANGUAGES:
            text = getattr(self, f"description_{code}", None)
            setattr(self, f"description_html_{code}", render_markdown(text) if text else "")

    def cap_for(self, category):
        """The maximum cost of a project in ``category`` (R33)."""
        if category is not None and category.max_project_cost is not None:
            return category.max_project_cost
        return self.max_project_cost


class BudgetCategory(models.Model):
    """A part of the fund with its own amount and cap (R32, R33: small and large projects)."""

    cycle = models.ForeignKey(
        BudgetCycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="categories"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    fund = models.DecimalField(_("fund"), **MONEY)
    max_project_cost = models.DecimalField(
        _("maximum cost of a project"), null=True, blank=True, **MONEY
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("budget category")
        verbose_name_plural = _("budget categories")
        ordering = ["cycle", "position", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "name"],
                name="budgets_category_unique_name",
                violation_error_message=_("This cycle already has a category with this name."),
            ),
            models.CheckConstraint(
                condition=models.Q(fund__gt=0),
                name="budgets_category_fund_positive",
                violation_error_message=_("The fund must be more than zero."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if (
            self.max_project_cost is not None
            and self.fund is not None
            and self.max_project_cost > self.fund
        ):
            raise ValidationError(
                {"max_project_cost": _("A project cannot cost more than the whole category.")}
            )
