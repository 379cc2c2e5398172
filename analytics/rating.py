"""The effectiveness rating of the authorities: five documented indicators of how each
authority handles appeals over the last twelve months, and one score built from them by a
formula printed on the page (the seed's "evaluating the effectiveness of local
self-government").

Read from the rollup only (two queries whatever the size of the archive; whole months from
the monthly tables). An authority with
fewer than ``MIN_ANSWERS`` answers in the period is listed but not scored: a handful of
answers says nothing about how it works.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabinets.models import Cabinet

from .models import AppealDay, AppealMonth, ProcessingDays, ProcessingMonth
from .selectors import median_from_histogram, over_period

MIN_ANSWERS = 10
MIN_RATINGS = 3
TARGET_DAYS = 30  # the answer term of 59-FZ: a median at it or beyond scores nothing

# (key, weight, name, how it is computed): the page prints this table as the formula.
INDICATORS = (
    ("on_time", 30, _("Answered on time"), _("answers sent by the legal due date ÷ answers")),
    (
        "resolution",
        20,
        _("Answered on the merits"),
        _("answers ÷ (answers + closings without an answer on the merits)"),
    ),
    (
        "rating",
        20,
        _("Citizens' rating of answers"),
        _("(average stars − 1) ÷ 4; only with 3 ratings or more"),
    ),
    ("not_reopened", 15, _("Not reopened"), _("1 − reopened appeals ÷ answers")),
    (
        "speed",
        15,
        _("Speed"),
        _("1 − median processing days ÷ 30, and no less than 0"),
    ),
)


@dataclass
class Row:
    cabinet_id: int
    name: str
    code: str
    answered: int = 0
    on_time: int = 0
    no_merits: int = 0
    reopened: int = 0
    rating_sum: int = 0
    rating_count: int = 0
    histogram: list = field(default_factory=list)
    place: int | None = None

    @property
    def rated(self):
        return self.answered >= MIN_ANSWERS

    @property
    def median_days(self):
        return median_from_histogram(self.histogram)

    @property
    def average_rating(self):
        return round(self.rating_sum / self.rating_count, 2) if self.rating_count else None

    def components(self):
        """Each indicator as a share from 0 to 1, or None where there is nothing to measure."""
        closed = self.answered + self.no_merits
        median = self.median_days
        return {
            "on_time": self.on_time / self.answered if self.answered else None,
            "resolution": self.answered / closed if closed else None,
            "rating": (self.rating_sum / self.rating_count - 1) / 4
            if self.rating_count >= MIN_RATINGS
            else None,
            "not_reopened": max(0.0, 1 - self.reopened / self.answered) if self.answered else None,
            "speed": max(0.0, 1 - median / TARGET_DAYS) if median is not None else None,
        }

    @property
    def score(self):
        """The weighted mean of the indicators there are (the weights of those missing are
        left out of the denominator), from 0 to 100; None when the authority is not rated."""
        if not self.rated:
            return None
        weights = {key: weight for key, weight, _n, _h in INDICATORS}
        parts = [(weights[k], v) for k, v in self.components().items() if v is not None]
        total = sum(w for w, _v in parts)
        return round(100 * sum(w * v for w, v in parts) / total, 1) if total else None

    def shares(self):
        """The indicators as whole percentages for the table (None stays None)."""
        return {k: None if v is None else round(100 * v) for k, v in self.components().items()}


def period(today=None):
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=365), today


def effectiveness(cabinets=None, *, start=None, end=None):
    """The rows of the rating, best score first, then the unrated by name. ``cabinets``
    narrows it to these ids (an authority's own page); every active cabinet otherwise."""
    if start is None or end is None:
        start, end = period()
    active = Cabinet.objects.active()
    if cabinets is not None:
        active = active.filter(pk__in=cabinets)
    rows = {
        pk: Row(pk, name, code)
        for pk, name, code in active.order_by().values_list("pk", "short_name", "code")
    }
    names = ("answered", "on_time", "no_merits", "reopened", "rating_sum", "rating_count")
    sums = over_period(
        (AppealDay, AppealMonth),
        Q(cabinet_id__in=rows),
        start,
        end,
        {"cabinet": F("cabinet_id")},
        {
            "answered": Sum("answered"),
            "on_time": Sum("answered_on_time"),
            "no_merits": Sum("no_merits"),
            "reopened": Sum("reopened"),
            "rating_sum": Sum("rating_sum"),
            "rating_count": Sum("rating_count"),
        },
    )
    for (cabinet_id,), line in sums.items():
        row = rows[cabinet_id]
        for name in names:
            setattr(row, name, line[name])
    for (cabinet_id, days), line in over_period(
        (ProcessingDays, ProcessingMonth),
        Q(cabinet_id__in=rows),
        start,
        end,
        {"cabinet": F("cabinet_id"), "days": F("days")},
        {"n": Sum("answers")},
    ).items():
        rows[cabinet_id].histogram.append((days, line["n"]))
    scored = sorted((r for r in rows.values() if r.rated), key=lambda r: (-r.score, r.name))
    previous, place = None, 0
    for i, row in enumerate(scored, start=1):
        if row.score != previous:  # equal scores share a place
            place, previous = i, row.score
        row.place = place
    unrated = sorted((r for r in rows.values() if not r.rated), key=lambda r: r.name)
    return scored + unrated
