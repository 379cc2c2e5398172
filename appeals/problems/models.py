"""The public version of an appeal (issue #4).

``PublicProblem`` is a read model: one row per appeal published as a public problem
(``Appeal.is_public``), kept in step with the appeal by ``signals.py``. Public pages, the map,
its JSON and the list read only this table (and the appeal's public events and answer), never
the appeal's personal data (R13, R14, R18). The three counters belong to ``appeals.community``,
which changes them only with ``F()`` updates (the contract between the two apps).

``Moderation`` is the immutable log of what officials hid or redacted in the public version;
the original text and files stay in the case file untouched.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edem.core.history import HistoryEvent


class PublicState(models.IntegerChoices):
    """The status in plain words: what a passer-by needs to know, not the registry's stages."""

    NEW = 1, pgettext_lazy("public problem status", "New")
    IN_WORK = 2, pgettext_lazy("public problem status", "Being dealt with")
    ANSWERED = 3, pgettext_lazy("public problem status", "Answered")
    FORWARDED = 4, pgettext_lazy("public problem status", "Sent to another body")
    CLOSED = 5, pgettext_lazy("public problem status", "Closed without an answer")


# appeal status -> public state
STATE_OF_STATUS = {
    "received": PublicState.NEW,
    "registered": PublicState.NEW,
    "in_work": PublicState.IN_WORK,
    "answer_drafted": PublicState.IN_WORK,
    "reopened": PublicState.IN_WORK,
    "answered": PublicState.ANSWERED,
    "forwarded": PublicState.FORWARDED,
    "returned": PublicState.CLOSED,
    "closed_no_merits": PublicState.CLOSED,
    "withdrawn": PublicState.CLOSED,
    "merged": PublicState.CLOSED,
}

# Short codes used in URLs and JSON (compact, stable, language-free).
STATE_CODES = {
    PublicState.NEW: "new",
    PublicState.IN_WORK: "work",
    PublicState.ANSWERED: "answered",
    PublicState.FORWARDED: "forwarded",
    PublicState.CLOSED: "closed",
}
STATE_BY_CODE = {code: state for state, code in STATE_CODES.items()}


class PublicProblem(models.Model):
    appeal = models.OneToOneField(
        "appeals.Appeal",
        verbose_name=_("appeal"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="public_problem",
    )
    # Counters written by appeals.community with F() updates only.
    support_count = models.PositiveIntegerField(_("supporters"), default=0, db_index=True)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    follower_count = models.PositiveIntegerField(_("followers"), default=0)

    # Copies of the appeal's public fields (signals.sync_public_problem).
    state = models.PositiveSmallIntegerField(
        _("public status"), choices=PublicState.choices, default=PublicState.NEW
    )
    status = models.CharField(_("status"), max_length=30)
    category = models.ForeignKey(
        "appeals.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Only for the "mine" filter; never shown.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    place = models.CharField(_("address of the place"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_on_time = models.BooleanField(_("answered on time"), null=True)
    number = models.CharField(_("registration number"), max_length=60, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    # The public text: the appeal's text with moderated passages replaced.
    text = models.TextField(_("public text"))
    # The author's name, filled only when the author chose to show it.
    author_name = models.CharField(_("author's name"), max_length=460, blank=True)
    # Moderation of the public version: passages replaced in ``text`` and hidden photo ids.
    redactions = models.JSONField(_("redacted passages"), default=list, blank=True)
    hidden_photos = models.JSONField(_("hidden photos"), default=list, blank=True)
    # The published answer (R13): the signed text with the citizen's personal data removed.
    answer_text = models.TextField(_("public answer"), blank=True)
    answer_signer_name = models.CharField(_("signer"), max_length=255, blank=True)
    answer_signer_position = models.CharField(_("signer's position"), max_length=255, blank=True)
    answer_signed_at = models.DateTimeField(_("answer signed"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("public problem")
        verbose_name_plural = _("public problems")
        ordering = ["-received_at", "-appeal_id"]
        indexes = [
            # The map: a bbox on (lon, lat) narrowed by the usual filters; the index carries
            # everything a point or a cluster needs, so the JSON is an index-only scan.
            models.Index(
                fields=["lon", "lat", "state", "category", "received_at", "territory"],
                name="problem_map_idx",
                condition=Q(lat__isnull=False),
            ),
            # The map with a period filter: the recent rows, their point and filters in the
            # index itself (an index-only scan, however wide the box).
            models.Index(
                fields=["received_at"],
                name="problem_recent_map_idx",
                include=["lon", "lat", "state", "category", "territory"],
                condition=Q(lat__isnull=False),
            ),
            # The home page's month counts: answered since a date, on time or not, resolved or
            # not, from the index alone (an index-only scan instead of reading every row).
            models.Index(
                fields=["answered_at"],
                name="problem_answered_idx",
                include=["answered_on_time", "state", "appeal"],
                condition=Q(answered_at__isnull=False),
            ),
            # Open311's request list (newest first, by status, category and period): its order
            # with the filtered columns included, so a page deep in the list is found by an
            # index-only scan (``integrations.open311.request_list``).
            models.Index(
                fields=["-received_at", "-appeal"],
                name="problem_open311_idx",
                include=["state", "category"],
            ),
            models.Index(fields=["-support_count", "-received_at"], name="problem_support_idx"),
            models.Index(fields=["category", "-received_at"], name="problem_category_idx"),
            models.Index(fields=["territory", "-received_at"], name="problem_territory_idx"),
            models.Index(fields=["author", "-received_at"], name="problem_author_idx"),
            # Counts: the problems with a point are summed from the cluster grid; this small
            # partial index finds the others (``selectors.problem_count``).
            models.Index(
                fields=["state", "category", "territory"],
                name="problem_no_point_idx",
                condition=Q(lat__isnull=True),
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def pk_value(self):
        return self.appeal_id

    @property
    def state_code(self):
        return STATE_CODES.get(self.state, "new")


class Moderation(HistoryEvent):
    """One immutable line of moderation of a public problem: a photo hidden or shown again, a
    passage redacted or restored, with the official's reason. The appeal itself is not changed."""

    class Kind(models.TextChoices):
        HIDE_PHOTO = "hide_photo", _("Photo hidden")
        SHOW_PHOTO = "show_photo", _("Photo shown again")
        REDACT = "redact", _("Passage redacted")
        UNREDACT = "unredact", _("Redaction removed")

    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("appeal"),
        on_delete=models.PROTECT,
        related_name="moderations",
    )
    attachment = models.ForeignKey(
        "appeals.Attachment",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    passage = models.TextField(_("passage"), blank=True)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("moderation of a public problem")
        verbose_name_plural = _("moderation of public problems")

    def __str__(self):
        return f"{self.appeal} {self.action}"

    @property
    def action_label(self):
        try:
            return self.Kind(self.action).label
        except ValueError:
            return self.action


# Zoom levels with a precomputed cluster grid; deeper zooms cluster the (few) rows in view live.
CLUSTER_LEVELS = range(0, 17)
CELLS_PER_TILE = 4  # cluster grid: 4 × 4 cells per 256-px tile, about 64 px a cell


def cell_size(zoom):
    """The side of a cluster cell at ``zoom``, in degrees."""
    return 360.0 / (2**zoom) / CELLS_PER_TILE


# Zoom levels with a grid per day of receipt (``ProblemDayCell``): the town and district views,
# where a period filter would otherwise group every recent row in SQL.
DAY_CELL_LEVELS = range(0, 15)

# The SQL that fills ``ProblemDayCell`` from the projection for one level (the migration that
# creates the table and bench/seed_appeals.py); parameters: level, cell size, cell size.
FILL_DAY_CELLS_SQL = """
    INSERT INTO problems_problemdaycell (level, cx, cy, day, state, n, sum_lat, sum_lon)
    SELECT %s, floor(lon / %s)::int, floor(lat / %s)::int, (received_at AT TIME ZONE 'UTC')::date,
        state, count(*), sum(lat), sum(lon)
    FROM problems_publicproblem WHERE lat IS NOT NULL AND lon IS NOT NULL
    GROUP BY 2, 3, 4, 5
"""


class ProblemCell(models.Model):
    """A precomputed cluster: how many public problems with a point fall in one grid cell of
    one zoom level, per public status, category and territory, with the sums of their coordinates (for
    the centroid). Kept in step by ``sync.py`` in the same transaction as the projection; the
    map JSON reads it when the filters are only status and category (``selectors.map_data``)."""

    level = models.PositiveSmallIntegerField(_("zoom level"))
    cx = models.IntegerField(_("cell column"))
    cy = models.IntegerField(_("cell row"))
    state = models.PositiveSmallIntegerField(_("public status"), choices=PublicState.choices)
    category = models.IntegerField(_("category id (0: none)"))
    territory = models.IntegerField(_("territory id (0: none)"), default=0)
    n = models.IntegerField(_("problems"), default=0)
    sum_lat = models.FloatField(default=0)
    sum_lon = models.FloatField(default=0)

    class Meta:
        verbose_name = _("problem map cell")
        verbose_name_plural = _("problem map cells")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "cx", "cy", "state", "category", "territory"],
                name="problem_cell_key",
                violation_error_message=_("This map cell is already counted."),
            )
        ]
        indexes = [
            models.Index(
                fields=["level", "cx", "cy", "state", "category", "territory", "n"],
                name="problem_cell_box_idx",
                include=["sum_lat", "sum_lon"],
            )
        ]

    def __str__(self):
        return f"z{self.level} ({self.cx}, {self.cy}): {self.n}"


class ProblemDayCell(models.Model):
    """The cluster grid per day of receipt (UTC) and public status, on the town and district
    levels (``DAY_CELL_LEVELS``): the map with a period filter (and a status) sums a few
    thousand of these rows instead of grouping every problem received in the period, so it
    stays as fast whatever the number of problems. Kept in step by ``sync.py`` with
    ``ProblemCell``."""

    level = models.PositiveSmallIntegerField(_("zoom level"))
    cx = models.IntegerField(_("cell column"))
    cy = models.IntegerField(_("cell row"))
    day = models.DateField(_("day received (UTC)"))
    state = models.PositiveSmallIntegerField(_("public status"), choices=PublicState.choices)
    n = models.IntegerField(_("problems"), default=0)
    sum_lat = models.FloatField(default=0)
    sum_lon = models.FloatField(default=0)

    class Meta:
        verbose_name = _("problem map cell of a day")
        verbose_name_plural = _("problem map cells of a day")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "cx", "cy", "day", "state"],
                name="problem_day_cell_key",
                violation_error_message=_("This map cell is already counted."),
            )
        ]
        indexes = [
            models.Index(
                fields=["level", "day", "cx", "cy", "state", "n"],
                name="problem_day_cell_idx",
                include=["sum_lat", "sum_lon"],
            )
        ]

    def __str__(self):
        return f"z{self.level} ({self.cx}, {self.cy}) {self.day}: {self.n}"
