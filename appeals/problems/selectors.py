"""Reads of the public side (R13, R14, R18): everything here starts from ``PublicProblem``,
which holds only public fields, so no public page can reach the appeal's personal data."""

import hashlib
import math
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from django.apps import apps
from django.core.cache import cache
from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import Floor
from django.http import Http404
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from appeals.categories import category_ids
from appeals.models import AppealEvent, Attachment
from edem.geo.models import Territory

from .models import (
    CLUSTER_LEVELS,
    DAY_CELL_LEVELS,
    STATE_CODES,
    ProblemCell,
    ProblemDayCell,
    PublicProblem,
    PublicState,
    cell_size,
)


def public_problems():
    """Public problems, for public pages (rows exist only while the appeal is public)."""
    return PublicProblem.objects.all()


def public_problem_or_404(pk):
    """The PublicProblem of a public appeal, or 404 (the contract with appeals.community)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    problem = (
        PublicProblem.objects.filter(appeal__is_public=True)
        .select_related("category", "cabinet", "territory", "appeal")
        .filter(pk=pk)
        .first()
    )
    if problem is None:
        raise Http404
    return problem


# --- filters shared by the map JSON and the list -------------------------------------------

POINTS_LIMIT = 500  # at most this many points in a box; more become grid clusters
JSON_TTL = 30
COUNT_TTL = 60
HOME_TTL = 120
VERSION_KEY = "problems:version"


def data_version():
    """Bumped whenever a public problem changes, so cached maps and counts never outlive it."""
    return cache.get_or_set(VERSION_KEY, 1, None)


def bump_version():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def territory_ids(territory_id):
    """The territory and everything inside it (districts hold microdistricts)."""
    ids, frontier = {territory_id}, [territory_id]
    while frontier:
        frontier = list(
            Territory.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.update(frontier)
    return sorted(ids)


def supported_by(user):
    """Appeal ids the user supports, from appeals.community once its model exists."""
    try:
        support = apps.get_model("community", "Support")
    except LookupError:
        return None
    return support.objects.filter(user=user).values("appeal_id")


def filtered(filters, user=None, queryset=None):
    qs = PublicProblem.objects.all() if queryset is None else queryset
    filters = filters or {}
    if filters.get("category"):
        qs = qs.filter(category_id__in=category_ids(filters["category"]))  # a group: all in it
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("territory"):
        qs = qs.filter(territory_id__in=territory_ids(filters["territory"]))
    if filters.get("period"):
        qs = qs.filter(received_at__gte=timezone.now() - timedelta(days=filters["period"]))
    authenticated = bool(user and user.is_authenticated)
    if filters.get("mine"):
        qs = qs.filter(author=user) if authenticated else qs.none()
    if filters.get("supported"):
        supported = supported_by(user) if authenticated else None
        qs = qs.filter(pk__in=supported) if supported is not None else qs.none()
    return qs


def personal(filters):
    return bool(filters.get("mine") or filters.get("supported"))


def cache_key(prefix, *parts):
    """The key of a cached read: the data version, the reader's language (names of categories
    and territories are in it) and the parts."""
    raw = repr((translation.get_language(), parts)).encode()
    return f"problems:{prefix}:{data_version()}:{hashlib.sha256(raw).hexdigest()}"


def snapped(bbox, zoom):
    """The box grown to whole cells of the zoom's grid: (cell ranges, the snapped box). The
    JSON covers exactly this box, so every cluster is whole and the counts add up."""
    size = cell_size(zoom)
    west, south, east, north = bbox
    cx0, cy0 = math.floor(west / size), math.floor(south / size)
    cx1, cy1 = math.floor(east / size), math.floor(north / size)
    box = (cx0 * size, cy0 * size, (cx1 + 1) * size, (cy1 + 1) * size)
    return (cx0, cx1, cy0, cy1), box


def in_cells(qs, cells, box, zoom):
    """Rows whose cell (as ``sync.move_in_cells`` computes it) is in range: a slightly wider
    plain range for the index, then the exact cell test."""
    (cx0, cx1, cy0, cy1), (west, south, east, north) = cells, box
    size = cell_size(zoom)
    slack = size / 1e6
    return (
        qs.filter(lat__isnull=False)
        .filter(lon__gte=west - slack, lon__lte=east + slack)
        .filter(lat__gte=south - slack, lat__lte=north + slack)
        .annotate(cx=Floor(F("lon") / size), cy=Floor(F("lat") / size))
        .filter(cx__gte=cx0, cx__lte=cx1, cy__gte=cy0, cy__lte=cy1)
    )


def _cell_filters(filters):
    """Whether the precomputed grid can answer: status, category and territory filters."""
    return not any(filters.get(name) for name in ("period", "mine", "supported"))


def _points(qs):
    rows = qs.order_by().values_list("appeal_id", "lat", "lon", "state")[: POINTS_LIMIT + 1]
    return [
        [pk, round(lat, 5), round(lon, 5), STATE_CODES.get(state, "new")]
        for pk, lat, lon, state in rows
    ]


def _grid(level, filters):
    """The cluster grid's rows of one zoom level under the status, category and territory
    filters (the only ones it is kept by)."""
    qs = ProblemCell.objects.filter(level=level)
    if filters.get("category"):
        qs = qs.filter(category__in=category_ids(filters["category"]))
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("territory"):
        qs = qs.filter(territory__in=territory_ids(filters["territory"]))
    return qs


def precomputed_cells(cells, zoom, filters):
    cx0, cx1, cy0, cy1 = cells
    qs = _grid(zoom, filters).filter(cx__gte=cx0, cx__lte=cx1, cy__gte=cy0, cy__lte=cy1, n__gt=0)
    rows = (
        qs.values("cx", "cy")
        .annotate(total=Sum("n"), slat=Sum("sum_lat"), slon=Sum("sum_lon"))
        .filter(total__gt=0)
        .values_list("slat", "slon", "total")
    )
    return [[round(slat / n, 5), round(slon / n, 5), n] for slat, slon, n in rows]


def _live_cells(qs):
    rows = (
        qs.order_by()
        .values("cx", "cy")
        .annotate(n=Count("*"), alat=Avg("lat"), alon=Avg("lon"))
        .values_list("alat", "alon", "n")
    )
    return [[round(lat, 5), round(lon, 5), n] for lat, lon, n in rows]


def _day_filters(filters, zoom):
    """Whether the grid per day can answer: a period, alone or with a status, at a town or
    district zoom."""
    return bool(
        zoom in DAY_CELL_LEVELS
        and filters.get("period")
        and not any(filters.get(name) for name in ("category", "territory", "mine", "supported"))
    )


def day_cells(cells, box, zoom, filters):
    """Clusters of the problems received in the period: its whole days (UTC) summed from
    ``ProblemDayCell``, the rest of its first day grouped live (at most a day of rows), so the
    cost follows the cells in view, not the number of problems in the period."""
    cx0, cx1, cy0, cy1 = cells
    cutoff = timezone.now() - timedelta(days=filters["period"])
    first_day = cutoff.astimezone(UTC).date() + timedelta(days=1)
    grid = ProblemDayCell.objects.filter(
        level=zoom, day__gte=first_day, cx__gte=cx0, cx__lte=cx1, cy__gte=cy0, cy__lte=cy1, n__gt=0
    )
    partial = in_cells(
        PublicProblem.objects.filter(
            received_at__gte=cutoff, received_at__lt=datetime.combine(first_day, time.min, UTC)
        ),
        cells,
        box,
        zoom,
    )
    if filters.get("state"):
        grid = grid.filter(state=filters["state"])
        partial = partial.filter(state=filters["state"])
    sums = defaultdict(lambda: [0, 0.0, 0.0])
    for rows in (
        grid.values("cx", "cy").annotate(t=Sum("n"), a=Sum("sum_lat"), o=Sum("sum_lon")),
        partial.order_by().values("cx", "cy").annotate(t=Count("*"), a=Sum("lat"), o=Sum("lon")),
    ):
        for cx, cy, n, slat, slon in rows.values_list("cx", "cy", "t", "a", "o"):
            total = sums[(int(cx), int(cy))]
            total[0] += n
            total[1] += slat
            total[2] += slon
    return [[round(slat / n, 5), round(slon / n, 5), n] for n, slat, slon in sums.values() if n > 0]


def map_data(bbox, zoom, filters, user=None):
    """Points when at most POINTS_LIMIT problems are in the box, else grid clusters whose
    counts add up to the number of problems in the box (the box grown to whole cells, returned
    as ``bbox``). Status, category and territory filters at zoom levels up to 16 read the
    precomputed grid (``ProblemCell``); a period, "mine", "supported by me" and deeper zooms
    group the rows in view in SQL, but a period (alone or with a status) at zoom levels up to 14
    reads the grid per day (``ProblemDayCell``).
    Cached briefly unless the filters are personal ("mine", "supported by me")."""
    cells, box = snapped(bbox, zoom)
    key = None if personal(filters) else cache_key("map", cells, zoom, sorted(filters.items()))
    if key:
        cached = cache.get(key)
        if cached is not None:
            return cached
    live = in_cells(filtered(filters, user), cells, box, zoom)
    clusters = None
    if _cell_filters(filters) and zoom in CLUSTER_LEVELS:
        clusters = precomputed_cells(cells, zoom, filters)
        total = sum(c[2] for c in clusters)
        points = _points(live) if total <= POINTS_LIMIT else None
    elif _day_filters(filters, zoom):
        clusters = day_cells(cells, box, zoom, filters)
        total = sum(c[2] for c in clusters)
        points = _points(live) if total <= POINTS_LIMIT else None
    else:
        points = _points(live)
        if len(points) > POINTS_LIMIT:
            points = None
    if points is not None:
        data = {"kind": "points", "total": len(points), "points": points}
    else:
        if clusters is None:
            clusters = _live_cells(live)
        data = {"kind": "clusters", "total": sum(c[2] for c in clusters), "clusters": clusters}
    data["bbox"] = [round(v, 7) for v in box]
    if key:
        cache.set(key, data, JSON_TTL)
    return data


def problem_list(filters, user=None, sort="new"):
    qs = filtered(filters, user).select_related("category", "cabinet")
    if sort == "support":
        return qs.order_by("-support_count", "-received_at", "-appeal_id")
    return qs.order_by("-received_at", "-appeal_id")


def _count_from_cells(filters):
    """Status, category and territory filters: the problems with a point are the sum of the
    coarsest level of the cluster grid (kept in the same transaction as the projection; a few
    hundred rows instead of half a million), the others come from a small partial index."""
    with_point = _grid(CLUSTER_LEVELS[0], filters).aggregate(total=Sum("n"))["total"] or 0
    return with_point + filtered(filters).filter(lat__isnull=True).count()


def problem_count(filters, user=None):
    """The number of problems matching the filters, cached briefly: from the cluster grid when
    the filters allow it, else a COUNT (over half a million rows, the slow part of a list page
    right after any public problem changed)."""
    if personal(filters):
        return filtered(filters, user).count()
    key = cache_key("count", sorted(filters.items()))
    if _cell_filters(filters):
        return cache.get_or_set(key, lambda: _count_from_cells(filters), COUNT_TTL)
    return cache.get_or_set(key, lambda: filtered(filters).count(), COUNT_TTL)


# --- the problem page ------------------------------------------------------------------------

# Public timeline (R13): these actions, in plain words, without notes or actors (a note or an
# actor can carry personal data).
PUBLIC_ACTIONS = (
    "receive",
    "register",
    "forward",
    "extend",
    "sign_answer",
    "reopen",
    "reopen_by_head",
    "return",
    "close_no_merits",
    "merge",
    "merged_in",
    "withdraw",
)


def public_timeline(problem):
    events = AppealEvent.objects.filter(
        appeal_id=problem.pk, is_public=True, action__in=PUBLIC_ACTIONS
    ).only("at", "action", "data", "appeal_id")
    return [{"at": e.at, "action": e.action, "text": _event_words(e)} for e in events]


def _event_words(event):
    data = event.data or {}
    if event.action == "receive":
        return _("Received")
    if event.action == "register":
        return _("Registered")
    if event.action == "forward":
        return _("Forwarded to %(body)s") % {"body": data.get("to_cabinet_name", "")}
    if event.action == "extend":
        return _("Deadline extended to %(date)s") % {"date": _date(data.get("new_due"))}
    if event.action == "sign_answer":
        return _("Answered")
    if event.action in ("reopen", "reopen_by_head"):
        return _("Reopened, new deadline %(date)s") % {"date": _date(data.get("new_due"))}
    if event.action == "return":
        return _("Returned with an explanation")
    if event.action == "close_no_merits":
        return _("Closed without an answer on the merits")
    if event.action == "merge":
        return _("Joined to a similar problem")
    if event.action == "merged_in":
        return _("A similar appeal was joined to this one")
    if event.action == "withdraw":
        return _("Withdrawn by the author")
    return event.action


def _date(value):
    try:
        return date_format(date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return ""


def public_photos(problem):
    """Images the author attached (never scans of a paper appeal: they carry personal data),
    minus those moderation hid."""
    return list(
        Attachment.objects.filter(
            appeal_id=problem.pk,
            content_type__startswith="image/",
            stage__in=[Attachment.Stage.INITIAL, Attachment.Stage.SUPPLEMENT],
        )
        .exclude(pk__in=problem.hidden_photos or [])
        .only("pk", "original_name", "thumbnail", "width", "height", "appeal_id")
    )


def public_photo_or_404(problem, attachment_pk):
    for photo in public_photos(problem):
        if photo.pk == attachment_pk:
            return photo
    raise Http404


# --- the home page ---------------------------------------------------------------------------


def latest_problems(limit=6):
    key = cache_key("latest", limit)
    return cache.get_or_set(
        key,
        lambda: list(
            PublicProblem.objects.select_related("category")
            .order_by("-received_at", "-appeal_id")
            .only("appeal_id", "subject", "state", "received_at", "place", "category__name")[:limit]
        ),
        HOME_TTL,
    )


def month_counts():
    """This month's figures for the home page: public problems filed, answered, resolved (answered
    and not reopened since) and the share answered on time."""
    key = cache_key("month", timezone.localdate().strftime("%Y-%m"))

    def compute():
        start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        filed = PublicProblem.objects.filter(received_at__gte=start).count()
        answered = PublicProblem.objects.filter(answered_at__gte=start).aggregate(
            n=Count("*"),
            on_time=Count("pk", filter=Q(answered_on_time=True)),
            resolved=Count("pk", filter=Q(state=PublicState.ANSWERED)),
        )
        n = answered["n"]
        return {
            "filed": filed,
            "answered": n,
            "resolved": answered["resolved"],
            "on_time_share": round(100 * answered["on_time"] / n) if n else None,
        }

    return cache.get_or_set(key, compute, HOME_TTL)
