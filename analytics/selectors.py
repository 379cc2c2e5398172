"""Reads for the head's dashboard and the public statistics: from the rollup, never from the
raw tables, except the lists that name single appeals (overdue and due soon, the worst-rated
answers, the executors' current load), which read the appeals through their indexes and are
cut to a page."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Func, IntegerField, Q, Subquery, Sum
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

from .models import AppealDay, ExecutorDay, NoMeritsDay, Participation, ProcessingDays

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


def _filtered(model, cabinets, start, end, territory=None):
    qs = model.objects.filter(cabinet_id__in=cabinets, day__gte=start, day__lte=end)
    if territory is not None:
        qs = qs.filter(territory=territory)
    return qs.order_by()


def dashboard(cabinets, *, start, end, territory=None, today=None):
    """Everything the head's dashboard shows for these cabinets, as tables (nine queries
    whatever the size of the data)."""
    today = today or timezone.localdate()
    days = _filtered(AppealDay, cabinets, start, end, territory)
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
    # One read of the rollup by month and category gives the totals, the trend and the
    # slowest categories.
    cells = list(
        days.annotate(month=TruncMonth("day"))
        .values("month", "kind", category_name=localized_lookup("category__name"))
        .annotate(**sums)
    )
    totals = {key: sum((row[key] or 0) for row in cells) for key in sums}
    by_month, by_category, by_kind = {}, {}, {}
    for row in cells:
        for group, key in (
            (by_month, row["month"]),
            (by_category, row["category_name"]),
            (by_kind, row["kind"]),  # R17: requests for information counted apart
        ):
            into = group.setdefault(key, dict.fromkeys(sums, 0))
            for name in sums:
                into[name] += row[name] or 0
    histogram = (
        _filtered(ProcessingDays, cabinets, start, end, territory)
        .values_list("days")
        .annotate(n=Sum("answers"))
    )
    median = median_from_histogram(histogram)
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
            _grounds(_filtered(NoMeritsDay, cabinets, start, end, territory)),
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
    """Current load (open appeals, read live through the open-queue index) and the on-time
    share of the period's answers (from the rollup)."""
    table = Table(
        "executors",
        _("Executors"),
        [_("Executor"), _("Open appeals now"), _("Answered"), _("On time, %")],
    )
    person = ("executor_id", "executor__last_name", "executor__first_name", "executor__email")
    people, load, answered = {}, {}, {}
    for row in (
        Appeal.objects.filter(
            cabinet_id__in=cabinets, status__in=sorted(OPEN_STATES), executor__isnull=False
        )
        .order_by()
        .values(*person)
        .annotate(n=Count("id"))
    ):
        people[row["executor_id"]] = row
        load[row["executor_id"]] = row["n"]
    for row in (
        ExecutorDay.objects.filter(cabinet_id__in=cabinets, day__gte=start, day__lte=end)
        .order_by()
        .values(*person)
        .annotate(answered=Sum("answered"), on_time=Sum("answered_on_time"))
    ):
        people[row["executor_id"]] = row
        answered[row["executor_id"]] = row

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


def _grounds(qs):
    labels = dict(Appeal.NoMeritsGround.choices)
    table = Table("grounds", _("No answer on the merits, by ground"), [_("Ground"), _("Appeals")])
    rows = qs.values("ground").annotate(n=Sum("appeals")).order_by("-n")
    table.rows = [[labels.get(r["ground"], r["ground"]), r["n"]] for r in rows]
    return table


def _worst_rated(cabinets, start, end, territory):
    """The answers rated lowest in the period (ratings read with their appeal: a short list)."""
    table = Table(
        "ratings",
        _("Worst-rated answers"),
        [_("Appeal"), _("Subject"), _("Cabinet"), _("Rating")],
    )
    qs = Rating.objects.filter(
        appeal__cabinet_id__in=cabinets,
        stars__lte=3,
        created_at__date__gte=start,
        created_at__date__lte=end,
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
