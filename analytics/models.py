"""The rollup the dashboards and the public statistics read instead of the raw tables.

All derived (``manage.py rebuild_analytics`` rebuilds them from scratch; the beat task
``analytics.tasks.refresh_rollup`` keeps them current appeal by appeal, and
``analytics.tasks.refresh_participation`` recounts participation):

* ``AppealDay``: one row per local day × cabinet × territory × category × channel × kind, with
  the counts of what happened that day (received, registered, answered, ...), the sums and
  counts for the averages. Every column is a count of history events (or answers, ratings,
  supports) dated that day, so any day can be recomputed from the raw tables alone.
* ``OverdueDay``: the appeals of a cell open past their legal due date, as observed by the
  refresh task once an hour (the last snapshot of a day stands for its end). It is a snapshot, not an event count: a past day's
  figure cannot be recomputed later (a deadline moved by an extension or a reopening leaves no
  trace of the old date in the appeal row), so a rebuild keeps the past snapshots and writes
  today's.
* ``NoMeritsDay``: the closings without an answer on the merits per cell and ground.
* ``ProcessingDays``: a histogram of processing days per the same cell: how many answers of the
  day took exactly N calendar days (N capped at ``DAYS_CAP``). The median of any selection is
  read from the summed histogram — exact for whole days, bounded in size (at most
  ``DAYS_CAP + 1`` rows per cell and day), and additive, which per-appeal values are not.
* ``ExecutorDay``: answers and answers on time per executor (the drafter) and day.
* ``Participation``: one row per petition, poll, discussion and budget cycle with its current
  participation figures.
* ``AppealMonth``, ``ProcessingMonth``, ``NoMeritsMonth``, ``ExecutorMonth``: the same figures summed per local
  month (the first day of it), so that a dashboard over a year reads twelve months and the
  days of the partial months at its ends, not 365 days of rows.
* ``AppealShare``: the ledger behind all of them: what each appeal contributes to each table,
  one row per appeal and fact cell (day, cabinet, territory, category, channel, kind, and for
  an answer its executor and processing days, for a closing its ground). Every table above is
  the sum of the ledger, so the incremental refresh recomputes only the appeals that changed,
  subtracts their old rows, adds their new ones, and touches nothing else.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DAYS_CAP = 120


class Place(models.Model):
    """Where a row of the rollup is counted: the cabinet that held the appeal, and its territory.

    The rollup's foreign keys carry no database constraint: the tables are derived, rewritten
    in bulk by a rebuild (where a check per row and key was a third of its time), and the
    rows they point at are archived, never deleted."""

    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        abstract = True


class Cell(Place):
    """The cell every appeal table of the rollup is counted by (with its day): its place, and
    the appeal's category, channel and kind."""

    category = models.ForeignKey(
        "appeals.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    channel = models.CharField(_("channel"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20)

    class Meta:
        abstract = True


class AppealDay(Cell):
    day = models.DateField(_("day"))

    received = models.IntegerField(_("received"), default=0)
    registered = models.IntegerField(_("registered"), default=0)
    answered = models.IntegerField(_("answered"), default=0)
    answered_on_time = models.IntegerField(_("answered on time"), default=0)
    forwarded_out = models.IntegerField(_("forwarded to another body"), default=0)
    no_merits = models.IntegerField(_("closed without an answer on the merits"), default=0)
    reopened = models.IntegerField(_("reopened"), default=0)
    processing_days_sum = models.IntegerField(_("processing days, sum"), default=0)
    processing_days_count = models.IntegerField(_("processing days, answers counted"), default=0)
    rating_sum = models.IntegerField(_("rating, sum of stars"), default=0)
    rating_count = models.IntegerField(_("ratings"), default=0)
    supports = models.IntegerField(_("supports of public problems"), default=0)

    class Meta:
        verbose_name = _("daily appeal figures")
        verbose_name_plural = _("daily appeal figures")
        indexes = [
            models.Index(fields=["cabinet", "day"], name="analytics_day_cabinet_idx"),
            models.Index(fields=["day", "territory"], name="analytics_day_territory_idx"),
        ]

    def __str__(self):
        return f"{self.day} {self.cabinet_id}"


class OverdueDay(Cell):
    day = models.DateField(_("day"))
    open = models.IntegerField(_("open"), default=0)
    overdue = models.IntegerField(_("overdue and open"), default=0)

    class Meta:
        verbose_name = _("open and overdue appeals at the end of a day")
        verbose_name_plural = _("open and overdue appeals at the end of a day")
        indexes = [models.Index(fields=["cabinet", "day"], name="analytics_overdue_cabinet_idx")]

    def __str__(self):
        return f"{self.day} {self.cabinet_id}"


class ProcessingDays(Cell):
    day = models.DateField(_("day answered"))
    days = models.PositiveSmallIntegerField(_("processing days"))
    answers = models.IntegerField(_("answers"))

    class Meta:
        verbose_name = _("processing days histogram")
        verbose_name_plural = _("processing days histograms")
        indexes = [models.Index(fields=["cabinet", "day"], name="analytics_proc_cabinet_idx")]

    def __str__(self):
        return f"{self.day} {self.cabinet_id} {self.days}"


class NoMeritsDay(Cell):
    """Appeals closed without an answer on the merits, per cell and ground (59-FZ Art. 11)."""

    day = models.DateField(_("day"))
    ground = models.CharField(_("ground"), max_length=30)
    appeals = models.IntegerField(_("appeals"))

    class Meta:
        verbose_name = _("no answer on the merits, by ground")
        verbose_name_plural = _("no answer on the merits, by ground")
        indexes = [models.Index(fields=["cabinet", "day"], name="analytics_nomerits_cab_idx")]

    def __str__(self):
        return f"{self.day} {self.cabinet_id} {self.ground}"


class ExecutorAnswers(models.Model):
    """Answers per executor (who drafted them) in a cabinet, and how many came on time."""

    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executor"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    answered = models.IntegerField(_("answered"), default=0)
    answered_on_time = models.IntegerField(_("answered on time"), default=0)

    class Meta:
        abstract = True


class ExecutorDay(ExecutorAnswers):
    """Answers per executor (who drafted them) and day: the dashboard's on-time share."""

    day = models.DateField(_("day answered"))

    class Meta:
        verbose_name = _("answers of an executor")
        verbose_name_plural = _("answers of executors")
        indexes = [models.Index(fields=["cabinet", "day"], name="analytics_exec_cabinet_idx")]

    def __str__(self):
        return f"{self.day} {self.executor_id}"


class Measures(models.Model):
    received = models.IntegerField(_("received"), default=0)
    registered = models.IntegerField(_("registered"), default=0)
    answered = models.IntegerField(_("answered"), default=0)
    answered_on_time = models.IntegerField(_("answered on time"), default=0)
    forwarded_out = models.IntegerField(_("forwarded to another body"), default=0)
    no_merits = models.IntegerField(_("closed without an answer on the merits"), default=0)
    reopened = models.IntegerField(_("reopened"), default=0)
    processing_days_sum = models.IntegerField(_("processing days, sum"), default=0)
    processing_days_count = models.IntegerField(_("processing days, answers counted"), default=0)
    rating_sum = models.IntegerField(_("rating, sum of stars"), default=0)
    rating_count = models.IntegerField(_("ratings"), default=0)
    supports = models.IntegerField(_("supports of public problems"), default=0)

    class Meta:
        abstract = True


class AppealMonth(Cell, Measures):
    """``AppealDay`` summed per local month."""

    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("monthly appeal figures")
        verbose_name_plural = _("monthly appeal figures")
        indexes = [models.Index(fields=["cabinet", "month"], name="analytics_month_cabinet_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.cabinet_id}"


class ProcessingMonth(Place):
    """``ProcessingDays`` summed per local month, cabinet and territory (what the dashboard and
    the rating filter by)."""

    month = models.DateField(_("month answered"))
    days = models.PositiveSmallIntegerField(_("processing days"))
    answers = models.IntegerField(_("answers"))

    class Meta:
        verbose_name = _("processing days histogram of a month")
        verbose_name_plural = _("processing days histograms of months")
        indexes = [models.Index(fields=["cabinet", "month"], name="analytics_procm_cabinet_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.cabinet_id} {self.days}"


class NoMeritsMonth(Place):
    """``NoMeritsDay`` summed per local month, cabinet, territory and ground."""

    month = models.DateField(_("month"))
    ground = models.CharField(_("ground"), max_length=30)
    appeals = models.IntegerField(_("appeals"))

    class Meta:
        verbose_name = _("no answer on the merits in a month, by ground")
        verbose_name_plural = _("no answer on the merits in months, by ground")
        indexes = [models.Index(fields=["cabinet", "month"], name="analytics_nmm_cabinet_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.cabinet_id} {self.ground}"


class ExecutorMonth(ExecutorAnswers):
    """``ExecutorDay`` summed per local month."""

    month = models.DateField(_("month answered"))

    class Meta:
        verbose_name = _("answers of an executor in a month")
        verbose_name_plural = _("answers of executors in months")
        indexes = [models.Index(fields=["cabinet", "month"], name="analytics_execm_cabinet_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.executor_id}"


class AppealShare(Measures):
    """One appeal's share of the rollup in one fact cell (see the module docstring): a rebuild
    writes one row per fact, a fold one row per cell, readers sum them. Plain
    columns without foreign-key constraints: the ledger is rewritten in bulk by a rebuild and
    row by row by the refresh, and the rows it points at are never deleted (appeals are
    archived, not deleted)."""

    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("appeal"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    day = models.DateField(_("day"))
    cabinet_id = models.BigIntegerField(_("cabinet"))
    territory_id = models.BigIntegerField(_("territory"), null=True)
    category_id = models.BigIntegerField(_("category"), null=True)
    channel = models.CharField(_("channel"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20)
    executor_id = models.BigIntegerField(_("executor"), null=True)
    ground = models.CharField(_("ground"), max_length=30, blank=True)
    days = models.PositiveSmallIntegerField(_("processing days"), null=True)

    class Meta:
        verbose_name = _("appeal's share of the rollup")
        verbose_name_plural = _("appeals' shares of the rollup")

    def __str__(self):
        return f"{self.appeal_id} {self.day}"


class Participation(models.Model):
    class Instrument(models.TextChoices):
        PETITION = "petition", pgettext_lazy("instrument", "Petition")
        POLL = "poll", pgettext_lazy("instrument", "Poll")
        DISCUSSION = "discussion", pgettext_lazy("instrument", "Discussion")
        BUDGET = "budget", pgettext_lazy("instrument", "Participatory budget")

    instrument = models.CharField(_("instrument"), max_length=20, choices=Instrument.choices)
    object_id = models.BigIntegerField(_("id"))
    title = models.CharField(_("title"), max_length=255)
    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=30)
    started = models.DateField(_("started"), null=True, blank=True)
    participants = models.IntegerField(_("participants"), default=0)
    signatures = models.IntegerField(_("signatures"), default=0)
    votes = models.IntegerField(_("votes"), default=0)
    proposals = models.IntegerField(_("proposals and comments"), default=0)
    answered = models.IntegerField(_("proposals answered"), default=0)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participation")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "object_id"], name="analytics_participation_once"
            )
        ]

    def __str__(self):
        return f"{self.instrument} {self.object_id}"


class RollupState(models.Model):
    """Where the incremental refresh stopped: when it last ran, and (PostgreSQL) the snapshot
    its search for new history lines read, which tells the next run which lines of its
    look-back it already folded in — whatever order their transactions committed in."""

    key = models.CharField(_("key"), max_length=40, unique=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    folded = models.TextField(_("history folded in (database snapshot)"), blank=True)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup state")

    def __str__(self):
        return self.key


class Indicator(models.Model):
    """An indicator of the social and economic situation that the municipality monitors
    (issue 12: "monitoring"): defined in the admin, its values entered by the officials of the
    cabinet that owns it or imported from a spreadsheet, published as a time series beside the
    residents' problems of the same territory and topic."""

    class Frequency(models.TextChoices):
        MONTH = "month", _("monthly")
        QUARTER = "quarter", _("quarterly")
        YEAR = "year", _("yearly")

    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("A short name for spreadsheets: the first column of an import file."),
    )
    name = models.CharField(_("name"), max_length=255)
    unit = models.CharField(_("unit"), max_length=60, help_text=_("For example: %, people, km."))
    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet that keeps it"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Its officials who publish news enter the values."),
    )
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for the whole municipality."),
    )
    category = models.ForeignKey(
        "appeals.Category",
        verbose_name=_("residents' problems shown beside it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The appeals of this category (and territory) are counted beside the values."),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTH
    )
    source = models.CharField(_("source"), max_length=255, blank=True)
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    higher_is_better = models.BooleanField(_("a higher value is better"), default=True)
    is_published = models.BooleanField(_("published"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("monitoring indicator")
        verbose_name_plural = _("monitoring indicators")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.unit}"


class IndicatorValue(models.Model):
    """One value of an indicator for one period (the period's first day)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="values"
    )
    period = models.DateField(_("period"), help_text=_("The first day of the period."))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3)
    note = models.CharField(_("source or note"), max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                name="indicator_one_value_per_period",
                violation_error_message=_("This indicator already has a value for this period."),
            )
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.period}: {self.value}"


class Report(models.Model):
    """A stored statutory report (R16): its figures (the machine-readable file), its PDF and its
    workbook, as made at the time; a quarterly review is the public one."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("monthly report")
        QUARTERLY = "quarterly", _("quarterly public review")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the whole municipality."),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    data = models.JSONField(_("figures"), default=dict)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/")
    xlsx = models.FileField(_("XLSX"), upload_to="reports/%Y/")
    is_public = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("made"), auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_start", "kind", "cabinet_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "cabinet", "period_start"],
                name="report_one_per_period",
                nulls_distinct=False,
                violation_error_message=_("This report for this period is already made."),
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start:%Y-%m}"


class ReportSubscription(models.Model):
    """A head who wants the cabinet's monthly report by mail (the head of a top cabinet also
    gets the municipality's)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("official"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    cabinet = models.ForeignKey(
        "cabinets.Cabinet", verbose_name=_("cabinet"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cabinet"],
                name="report_subscription_once",
                violation_error_message=_("This official already gets this cabinet's reports."),
            )
        ]

    def __str__(self):
        return f"{self.user_id} → {self.cabinet_id}"
