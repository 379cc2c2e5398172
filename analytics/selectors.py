"""Reads for the head's dashboard and the public statistics: from the rollup, never from the
raw tables, except the lists that name single appeals (overdue and due soon, the worst-rated
answers, the executors' current load), which read the appeals through their indexes and are
cut to a page."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appeals.models import Appeal, DeadlinePolicy, Rating
from appeals.workflow import OPEN_STATES
from cabinets.models import Cabinet
from consultations.budgets.models import BudgetCycle
from consultations.discussions.models import Discussion
from consultations.polls.models import Poll
from edem.core.i18n import localized_lookup

from .models import (
    AppealDay,
    AppealMonth,
    ExecutorDay,
    ExecutorMonth,
    NoMeritsDay,
    NoMeritsMonth,
    Participation,
    ProcessingDays,
    ProcessingMonth,
)

LIST_SIZE = 50


@dataclass
class Table:
    """One table of figures: shown on the page, exported as CSV or XLSX."""

    key: str
    title: str
    headers: list
    rows: list = field(default_factory=list)
    links: list = field(default_factory=list)  # per row: a URL for the first cell, or ""

    @property
    def lines(self):
        """(link, first cell, other cells) per row, for the template."""
        links = self.links + [""] * (len(self.rows) - len(self.links))
        return [(link, row[0], row[1:]) for link, row in zip(links, self.rows, strict=True)]


def cabinet_and_subtree(code):
    """The active cabinet with this code and the ids of it and every active cabinet below it,
    read in one query (cabinets number in the tens); (None, []) when there is none."""
    rows = list(Cabinet.objects.active().order_by())
    cabinet = next((c for c in rows if c.code == code), None)
    if cabinet is None:
        return None, []
    children = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row.pk)
    found, todo = set(), [cabinet.pk]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return cabinet, sorted(found)


def share(part, whole):
    return round(100 * part / whole) if whole else None


def median_from_histogram(pairs):
    """The median of a histogram given as (value, count) pairs (the lower middle for an even
    total, as whole days)."""
    pairs = sorted((v, n) for v, n in pairs if n)
    total = sum(n for _v, n in pairs)
    if not total:
        return None
    middle, seen = (total + 1) // 2, 0
    for value, count in pairs:
        seen += count
        if seen >= middle:
            return value
    return None


def _months(start, end):
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def _next_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def split_period(start, end):
    """The whole months of [start, end] as (first month, last month), or None, and the day
    ranges of the partial months at its ends."""
    first = start if start.day == 1 else _next_month(start)
    if (end + datetime.timedelta(days=1)).day == 1:  # end is the last day of its month
        last = end.replace(day=1)
    else:
        last = (end.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    if first > last:
        return None, [(start, end)] if start <= end else []
    edges = [(start, first - datetime.timedelta(days=1)), (_next_month(last), end)]
    return (first, last), [(lo, hi) for lo, hi in edges if lo <= hi]


def over_period(models, where, start, end, keys, sums, by_month=False):
    """Rows of ``keys`` and ``sums`` over [start, end] from a (day table, month table) pair:
    the whole months from the month table, the partial months at the ends from the day
    table, in one query (a UNION ALL), summed here. ``keys`` maps names to expressions valid
    on both tables; ``by_month`` adds the month as the first key."""
    day_model, month_model = models
    months, edges = split_period(start, end)
    parts = []
    if months:
        qs = month_model.objects.filter(where, month__gte=months[0], month__lte=months[1])
        parts.append((qs, F("month")))
    for lo, hi in edges:
        parts.append((day_model.objects.filter(where, day__gte=lo, day__lte=hi), TruncMonth("day")))
    if not parts:  # an empty period
        return {}
    names = [f"k_{name}" for name in keys]
    if by_month:
        names.insert(0, "k_month")
    queries = [
        qs.order_by()
        .annotate(**({"k_month": month} if by_month else {}))
        .annotate(**{f"k_{name}": expr for name, expr in keys.items()})
        .values(*names)
        .annotate(**sums)
        for qs, month in parts
    ]
    rows = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    found = {}
    for row in rows:
        key = tuple(row[name] for name in names)
        into = found.setdefault(key, dict.fromkeys(sums, 0))
        for name in sums:
            into[name] += row[name] or 0
    return found


def dashboard(cabinets, *, start, end, territory=None, today=None):
    """Everything the head's dashboard shows for these cabinets, as tables (nine queries
    whatever the size of the data; the figures from the monthly tables for the whole months
    of the period and from the daily ones for its ends)."""
    today = today or timezone.localdate()
    where = Q(cabinet_id__in=cabinets)
    if territory is not None:
        where &= Q(territory=territory)
    sums = {
        "received": Sum("received"),
        "registered": Sum("registered"),
        "answered": Sum("answered"),
        "on_time": Sum("answered_on_time"),
        "forwarded": Sum("forwarded_out"),
        "no_merits": Sum("no_merits"),
        "reopened": Sum("reopened"),
        "days_sum": Sum("processing_days_sum"),
        "days_count": Sum("processing_days_count"),
        "rating_sum": Sum("rating_sum"),
        "rating_count": Sum("rating_count"),
        "supports": Sum("supports"),
    }
    # One read of the rollup by month and category (whole months from the monthly table)
    # gives the totals, the trend and the slowest categories.
    cells = over_period(
        (AppealDay, AppealMonth),
        where,
        start,
        end,
        {"category": localized_lookup("category__name"), "kind": F("kind")},
        sums,
        by_month=True,
    )
    totals = dict.fromkeys(sums, 0)
    by_month, by_category, by_kind = {}, {}, {}
    for (month, category, kind), row in cells.items():
        for group, key in (
            (by_month, month),
            (by_category, category),
            (by_kind, kind),  # R17: requests for information counted apart
        ):
            into = group.setdefault(key, dict.fromkeys(sums, 0))
            for name in sums:
                into[name] += row[name]
        for name in sums:
            totals[name] += row[name]
    histogram = over_period(
        (ProcessingDays, ProcessingMonth),
        where,
        start,
        end,
        {"days": F("days")},
        {"n": Sum("answers")},
    )
    median = median_from_histogram((days, row["n"]) for (days,), row in histogram.items())
    open_list = _open_list(cabinets, territory, today)

    trend = Table(
        "trend",
        _("Month by month"),
        [_("Month"), _("Received"), _("Answered"), _("On time, %")],
    )
    for month in _months(start, end):
        row = by_month.get(month, {})
        trend.rows.append(
            [
                month.strftime("%Y-%m"),
                row.get("received") or 0,
                row.get("answered") or 0,
                share(row.get("on_time") or 0, row.get("answered") or 0),
            ]
        )

    figures = Table("figures", _("Figures for the period"), [_("Figure"), _("Value")])
    figures.rows = [
        [_("Received"), totals["received"]],
        [_("Registered"), totals["registered"]],
        [_("Answered"), totals["answered"]],
        [_("Answered on time, %"), share(totals["on_time"], totals["answered"])],
        [_("Overdue and open now"), open_list[0].overdue_total if open_list else 0],
        [_("Forwarded to another body"), totals["forwarded"]],
        [_("Closed without an answer on the merits"), totals["no_merits"]],
        [_("Reopened"), totals["reopened"]],
        [
            _("Average processing days"),
            round(totals["days_sum"] / totals["days_count"], 1) if totals["days_count"] else None,
        ],
        [_("Median processing days"), median],
        [
            _("Average rating of answers"),
            round(totals["rating_sum"] / totals["rating_count"], 2)
            if totals["rating_count"]
            else None,
        ],
        [_("Supports of public problems"), totals["supports"]],
    ]

    kinds = Table(
        "kinds",
        _("By kind"),
        [_("Kind"), _("Received"), _("Answered"), _("On time, %")],
    )
    labels = dict(Appeal.Kind.choices)
    for kind in Appeal.Kind.values:  # R17: a request for information is not an appeal
        row = by_kind.get(kind)
        if row:
            kinds.rows.append(
                [
                    labels[kind],
                    row["received"],
                    row["answered"],
                    share(row["on_time"], row["answered"]),
                ]
            )

    return {
        "cabinets": cabinets,
        "figures": figures,
        "trend": trend,
        "tables": [
            figures,
            trend,
            *_lists(open_list, today),
            _executors(cabinets, start, end),
            _slowest(by_category),
            _grounds(
                over_period(
                    (NoMeritsDay, NoMeritsMonth),
                    where,
                    start,
                    end,
                    {"ground": F("ground")},
                    {"n": Sum("appeals")},
                )
            ),
            _worst_rated(cabinets, start, end, territory),
            _participation(cabinets),
            kinds,
        ],
    }


def _open_list(cabinets, territory, today):
    """Open appeals past their due date or due soon (the open-queue index), most urgent first,
    each carrying the number of all overdue ones (a scalar subquery, so no extra query)."""
    soon = today + datetime.timedelta(days=DeadlinePolicy.current().due_soon_days)
    held = Appeal.objects.filter(cabinet_id__in=cabinets, status__in=sorted(OPEN_STATES))
    if territory is not None:
        held = held.filter(territory=territory)
    overdue = (
        held.filter(legal_due__lt=today)
        .order_by()
        .annotate(n=Func("id", function="COUNT"))
        .values("n")
    )
    qs = held.filter(legal_due__isnull=False).filter(
        Q(legal_due__lt=today) | Q(control_due__lte=soon)
    )
    return list(
        qs.annotate(overdue_total=Subquery(overdue, output_field=IntegerField()))
        .select_related("cabinet", "executor")
        .order_by("legal_due", "id")[: 2 * LIST_SIZE]
    )


def _lists(open_list, today):
    headers = [_("Appeal"), _("Subject"), _("Cabinet"), _("Executor"), _("Due")]
    overdue = Table("overdue", _("Overdue"), headers)
    due_soon = Table("due_soon", _("Due soon"), headers)
    for appeal in open_list:
        table = overdue if appeal.legal_due < today else due_soon
        if len(table.rows) >= LIST_SIZE:
            continue
        table.rows.append(
            [
                str(appeal),
                appeal.subject,
                appeal.cabinet.short_name,
                appeal.executor.full_name if appeal.executor else "",
                appeal.legal_due,
            ]
        )
        table.links.append(reverse("appeals_service:card", args=[appeal.pk]))
    return [overdue, due_soon]


def _executors(cabinets, start, end):
    """Current load (open appeals, read live through the open appeals' executor index) and the
    on-time share of the period's answers (from the rollup)."""
    table = Table(
        "executors",
        _("Executors"),
        [_("Executor"), _("Open appeals now"), _("Answered"), _("On time, %")],
    )
    person = ("executor_id", "executor__last_name", "executor__first_name", "executor__email")
    people, load = {}, {}
    # The executors of the open appeals, each with a count of them: both read from the open
    # appeals' (cabinet, executor) index alone, the names joined to the few executors only.
    held = Appeal.objects.filter(cabinet_id__in=cabinets, status__in=sorted(OPEN_STATES))
    counted = (
        held.filter(executor_id=OuterRef("pk"))
        .order_by()
        .values("executor_id")
        .annotate(n=Count("executor_id"))
        .values("n")
    )
    for row in (
        get_user_model()
        .objects.filter(pk__in=held.filter(executor__isnull=False).values("executor_id"))
        .order_by()
        .annotate(n=Subquery(counted, output_field=IntegerField()))
        .values("pk", "last_name", "first_name", "email", "n")
    ):
        people[row["pk"]] = dict(
            zip(person, (row["pk"], row["last_name"], row["first_name"], row["email"]), strict=True)
        )
        load[row["pk"]] = row["n"] or 0
    answered = {}
    for key, row in over_period(
        (ExecutorDay, ExecutorMonth),
        Q(cabinet_id__in=cabinets),
        start,
        end,
        {
            "pk": F("executor_id"),
            "last": F(person[1]),
            "first": F(person[2]),
            "email": F(person[3]),
        },
        {"answered": Sum("answered"), "on_time": Sum("answered_on_time")},
    ).items():
        people[key[0]] = dict(zip(person, key, strict=True))
        answered[key[0]] = row

    def name(pk):
        row = people[pk]
        full = " ".join(p for p in (row["executor__last_name"], row["executor__first_name"]) if p)
        return full or row["executor__email"]

    for pk in sorted(people, key=lambda pk: (-load.get(pk, 0), name(pk))):
        row = answered.get(pk, {})
        table.rows.append(
            [
                name(pk),
                load.get(pk, 0),
                row.get("answered", 0),
                share(row.get("on_time", 0), row.get("answered", 0)),
            ]
        )
    return table


def _slowest(by_category):
    table = Table(
        "categories",
        _("Slowest categories"),
        [_("Category"), _("Answered"), _("Average processing days")],
    )
    rows = [(name, r["days_count"], r["days_sum"]) for name, r in by_category.items()]
    ranked = sorted((r for r in rows if r[1]), key=lambda r: -r[2] / r[1])[:10]
    table.rows = [[name or _("No category"), n, round(total / n, 1)] for name, n, total in ranked]
    return table


def _grounds(found):
    labels = dict(Appeal.NoMeritsGround.choices)
    table = Table("grounds", _("No answer on the merits, by ground"), [_("Ground"), _("Appeals")])
    rows = sorted(((ground, row["n"]) for (ground,), row in found.items()), key=lambda r: -r[1])
    table.rows = [[labels.get(ground, ground), n] for ground, n in rows if n]
    return table


def _worst_rated(cabinets, start, end, territory):
    """The answers rated lowest in the period (ratings read with their appeal: a short list)."""
    table = Table(
        "ratings",
        _("Worst-rated answers"),
        [_("Appeal"), _("Subject"), _("Cabinet"), _("Rating")],
    )
    tz = timezone.get_current_timezone()
    qs = Rating.objects.filter(
        appeal__cabinet_id__in=cabinets,
        stars__lte=3,
        # Local days as a time range, so that the (stars, created_at) index serves the order.
        created_at__gte=datetime.datetime.combine(start, datetime.time(), tzinfo=tz),
        created_at__lt=datetime.datetime.combine(
            end + datetime.timedelta(days=1), datetime.time(), tzinfo=tz
        ),
    )
    if territory is not None:
        qs = qs.filter(appeal__territory=territory)
    for rating in qs.select_related("appeal__cabinet").order_by("stars", "-created_at")[:20]:
        table.rows.append(
            [
                str(rating.appeal),
                rating.appeal.subject,
                rating.appeal.cabinet.short_name,
                rating.stars,
            ]
        )
        table.links.append(reverse("appeals_service:card", args=[rating.appeal_id]))
    return table


# The instruments whose titles the cabinet writes in every language (the rollup keeps a copy in
# the default language): read in the reader's language from the instrument itself.
TRANSLATED_TITLES = {
    Participation.Instrument.POLL: Poll,
    Participation.Instrument.DISCUSSION: Discussion,
    Participation.Instrument.BUDGET: BudgetCycle,
}


def _current_titles(rows):
    titles = {}
    for instrument, model in TRANSLATED_TITLES.items():
        ids = [p.object_id for p in rows if p.instrument == instrument]
        if ids:
            for obj in model.objects.filter(pk__in=ids):
                titles[(instrument, obj.pk)] = obj.title
    return titles


def _participation(cabinets):
    table = Table(
        "participation",
        _("Participation"),
        [
            _("Instrument"),
            _("Title"),
            _("Participants"),
            _("Signatures"),
            _("Votes"),
            _("Proposals and comments"),
            _("Answered, %"),
        ],
    )
    rows = list(
        Participation.objects.filter(cabinet_id__in=cabinets).order_by("-started", "id")[:LIST_SIZE]
    )
    titles = _current_titles(rows)
    for p in rows:
        table.rows.append(
            [
                p.get_instrument_display(),
                titles.get((p.instrument, p.object_id), p.title),
                p.participants,
                p.signatures,
                p.votes,
                p.proposals,
                share(p.answered, p.proposals) if p.proposals else (100 if p.answered else 0),
            ]
        )
    return table
