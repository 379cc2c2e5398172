"""The public statistics page: what residents write about, where, what gets solved, and how
many take part. Only counts from the rollup; no personal data; a count below 3 is shown as
"fewer than 3" (and a share computed on fewer than 3 is not shown), since it could point at
one person: the rule of ``edem.core.disclosure``, the one helper of every public breakdown. No
total of these breakdowns is published, so no second cell needs hiding."""

import datetime

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.initiatives.selectors import counts as initiative_counts
from cabinets.models import Cabinet
from edem.core.disclosure import SMALL, shown
from edem.core.i18n import localized_lookup
from edem.geo.models import Territory

from . import charts
from .models import AppealDay, Participation
from .selectors import share

MONTHS = 6
TOP_TOPICS = 3


def shown_share(part, whole):
    return f"{share(part, whole)} %" if whole >= SMALL else "—"


def statistics(today=None):
    today = today or timezone.localdate()
    start = (today.replace(day=1) - datetime.timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    year_ago = today - datetime.timedelta(days=365)
    return {
        "since": year_ago,
        **_topics(year_ago, today),
        **_solved(start, today),
        "participation": _participation(),
        "initiatives": initiatives(),
    }


def initiatives():
    row = initiative_counts()
    return {"total": row["total"], "open": row["open"], "people": shown(row["people"])}


def _topics(start, end):
    rows = (
        AppealDay.objects.filter(day__gte=start, day__lte=end)
        .order_by()
        .values("territory_id", category_name=localized_lookup("category__name"))
        .annotate(n=Sum("received"))
    )
    per_territory, topics = {}, {}
    for row in rows:
        if not row["n"]:
            continue
        per_territory[row["territory_id"]] = per_territory.get(row["territory_id"], 0) + row["n"]
        topics.setdefault(row["territory_id"], []).append(
            (row["n"], row["category_name"] or _("No category"))
        )
    territories = list(Territory.objects.order_by("name").values("pk", "name", "boundary"))
    totals = [per_territory.get(t["pk"], 0) for t in territories]
    classes = charts.classes([n if n >= SMALL else None for n in totals])
    table = []
    for territory, total, cls in zip(territories, totals, classes, strict=True):
        top = sorted(topics.get(territory["pk"], []), reverse=True)[:TOP_TOPICS]
        table.append(
            {
                "name": territory["name"],
                "total": shown(total),
                "topics": [(name, shown(n)) for n, name in top if n >= SMALL],
                "cls": cls,
            }
        )
    if per_territory.get(None):
        table.append(
            {
                "name": _("Place not given"),
                "total": shown(per_territory[None]),
                "topics": [
                    (name, shown(n))
                    for n, name in sorted(topics.get(None, []), reverse=True)[:TOP_TOPICS]
                    if n >= SMALL
                ],
                "cls": None,
            }
        )
    choropleth = charts.choropleth(
        [
            (t["name"], t["boundary"], cls, shown(total))
            for t, total, cls in zip(territories, totals, classes, strict=True)
        ],
        title=_("Appeals received by territory"),
        chart_id="territory-map",
        description="; ".join(f"{row['name']}: {row['total']}" for row in table),
    )
    return {"territories": table, "choropleth": choropleth}


def record(cabinet, today=None):
    """An authority's own record for its public page: its line of the "what is solved" table."""
    today = today or timezone.localdate()
    start = (today.replace(day=1) - datetime.timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    solved = _solved(start, today, cabinets=[cabinet.pk])
    line = solved["authorities"][0]["months"] if solved["authorities"] else []
    return {"months": list(zip(solved["months"], line, strict=False)) if line else []}


def _solved(start, end, cabinets=None):
    days = AppealDay.objects.filter(day__gte=start, day__lte=end)
    if cabinets is not None:
        days = days.filter(cabinet_id__in=cabinets)
    rows = (
        days.order_by()
        .annotate(month=TruncMonth("day"))
        .values("cabinet_id", "month")
        .annotate(
            received=Sum("received"), answered=Sum("answered"), on_time=Sum("answered_on_time")
        )
    )
    months, month = [], start
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    cells = {(r["cabinet_id"], r["month"]): r for r in rows}
    names = dict(
        Cabinet.objects.active()
        .filter(pk__in={cabinet for cabinet, _m in cells})
        .values_list("pk", "short_name")
    )
    authorities = []
    for pk, name in sorted(names.items(), key=lambda item: item[1]):
        line = []
        for month in months:
            r = cells.get((pk, month), {})
            received, answered = r.get("received") or 0, r.get("answered") or 0
            line.append(
                {
                    "received": shown(received),
                    "answered": shown(answered),
                    "on_time": shown_share(r.get("on_time") or 0, answered),
                }
            )
        authorities.append({"name": name, "months": line})
    return {"months": months, "authorities": authorities}


def _participation():
    rows = (
        Participation.objects.order_by()
        .values("instrument")
        .annotate(
            items=Count("id"),
            participants=Sum("participants"),
            signatures=Sum("signatures"),
            votes=Sum("votes"),
            proposals=Sum("proposals"),
        )
    )
    labels = dict(Participation.Instrument.choices)
    return [
        {
            "name": labels.get(r["instrument"], r["instrument"]),
            "items": r["items"],
            "participants": shown(r["participants"] or 0),
            "signatures": shown(r["signatures"] or 0),
            "votes": shown(r["votes"] or 0),
            "proposals": shown(r["proposals"] or 0),
        }
        for r in sorted(rows, key=lambda r: r["instrument"])
    ]
