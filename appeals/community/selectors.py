"""Reads for the community features: duplicates near a point, the problems of an area digest,
comments of a problem, a user's follows and subscriptions. Public reads only ever return
appeals that have a public problem (``problems.PublicProblem``) and fields that are public."""

import math
import re
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal
from appeals.problems.selectors import public_problems as all_public
from appeals.selectors import visibility
from appeals.workflow import Status
from cabinets.access import roles_by_cabinet
from edem.geo.models import Territory

from .models import Comment, StillNotFixed

DUPLICATE_RADIUS_M = 150
DUPLICATE_DAYS = 90
DUPLICATE_LIMIT = 10
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = 111_320.0

# Problems that no longer show up as candidates: joined to another, withdrawn.
_GONE = (Status.MERGED, Status.WITHDRAWN)

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_STOP = frozenset(
    [
        "и",
        "в",
        "во",
        "на",
        "по",
        "не",
        "для",
        "что",
        "как",
        "это",
        "из",
        "от",
        "до",
        "при",
        "без",
        "под",
        "над",
        "или",
        "the",
        "and",
        "for",
        "with",
        "of",
        "on",
        "in",
        "at",
        "у",
        "с",
        "со",
        "к",
        "ко",
        "о",
        "об",
        "а",
        "но",
        "же",
        "ли",
        "бы",
        "за",
        "то",
        "та",
        "те",
    ]
)


def haversine_m(lat1, lon1, lat2, lon2):
    """The distance between two points in metres (great circle)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat, lon, radius_m):
    """(south, west, north, east) of a box that holds the circle (for an indexed prefilter)."""
    dlat = radius_m / METRES_PER_DEGREE
    dlon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon


def subject_words(text):
    """Significant words of a subject, crudely stemmed (at most the first five letters, never
    the last one), so that "яма", "ямы", "ямой" or "дорога"/"дороге" meet."""
    words = set()
    for word in _WORD.findall((text or "").lower()):
        if len(word) < 3 or word in _STOP:
            continue
        words.add(word[: min(5, len(word) - 1)])
    return words


def problem_path(appeal_id):
    """The public page of a problem (the problems app's URL)."""
    return reverse("problems:detail", args=[appeal_id])


def public_problems():
    """Public problems that are still candidates (the projection holds only public appeals)."""
    return all_public().exclude(status__in=_GONE)


def _near(queryset, lat, lon, radius_m, lat_field="lat", lon_field="lon", as_decimal=False):
    south, west, north, east = bounding_box(lat, lon, radius_m)
    if as_decimal:
        south, west, north, east = (Decimal(f"{v:.6f}") for v in (south, west, north, east))
    return queryset.filter(
        **{
            f"{lat_field}__gte": south,
            f"{lat_field}__lte": north,
            f"{lon_field}__gte": west,
            f"{lon_field}__lte": east,
        }
    )


def _rank(rows, lat, lon, radius_m, subject, position, limit=DUPLICATE_LIMIT):
    words = subject_words(subject)
    found = []
    for row in rows:
        distance = haversine_m(lat, lon, *position(row))
        if distance > radius_m:
            continue
        shared = len(words & subject_words(row.subject)) if words else 0
        if words and not shared:
            continue
        found.append((row, round(distance), shared))
    found.sort(key=lambda item: (-item[2], item[1], -item[0].pk))
    return found[:limit]


def duplicates(*, lat, lon, category_id, subject="", now=None, exclude_pk=None):
    """Public problems of the same category within 150 m, opened in the last 90 days, sharing a
    significant word of the subject (if the subject has one): [(problem, metres, shared)] —
    a bounding box on the map index first, then the exact (haversine) distance."""
    now = now or timezone.now()
    qs = _near(public_problems(), lat, lon, DUPLICATE_RADIUS_M).filter(
        category_id=category_id, received_at__gte=now - timedelta(days=DUPLICATE_DAYS)
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    rows = qs.select_related("category").order_by("-received_at")[:200]
    return _rank(rows, lat, lon, DUPLICATE_RADIUS_M, subject, lambda row: (row.lat, row.lon))


def likely_duplicates(user, appeal, now=None):
    """For the official's card: appeals the user may see as staff (public or not) of the same
    category within 150 m and 90 days with a similar subject: [(appeal, metres, shared)]."""
    if appeal.latitude is None or appeal.longitude is None or not appeal.category_id:
        return []
    # The card asks twice (its list, and the merge form's candidates): found once per request.
    found = appeal.__dict__.setdefault("_likely_duplicates", {})
    if (user.pk, now) not in found:
        found[(user.pk, now)] = _likely_duplicates(user, appeal, now)
    return found[(user.pk, now)]


def _likely_duplicates(user, appeal, now):
    now = now or timezone.now()
    lat, lon = float(appeal.latitude), float(appeal.longitude)
    # The place, topic and period first (index appeal_near_idx), only the columns the ranking
    # reads; then who may see them, on the few the ranking keeps: the visibility condition has
    # an OR that no index serves, and most appeals have no likely duplicate at all, so the
    # common card asks nothing more. The newest 200 near ones are ranked, as before.
    near = list(
        _near(
            Appeal.objects.all(),
            lat,
            lon,
            DUPLICATE_RADIUS_M,
            lat_field="latitude",
            lon_field="longitude",
            as_decimal=True,
        )
        .filter(
            category_id=appeal.category_id,
            received_at__gte=now - timedelta(days=DUPLICATE_DAYS),
        )
        .exclude(pk=appeal.pk)
        .exclude(status=Status.MERGED)
        .order_by("-received_at")
        .only("pk", "subject", "latitude", "longitude")[:200]
    )
    ranked = _rank(
        near,
        lat,
        lon,
        DUPLICATE_RADIUS_M,
        appeal.subject,
        lambda row: (row.latitude, row.longitude),
        limit=None,
    )
    if not ranked:
        return []
    visible = Appeal.objects.filter(visibility(user), pk__in=[row.pk for row, *_rest in ranked])
    shown = {
        row.pk: row
        for row in visible.only("pk", "number", "subject", "status", "received_at", "cabinet_id")
    }
    return [(shown[row.pk], *rest) for row, *rest in ranked if row.pk in shown][:DUPLICATE_LIMIT]


def new_problems_for(subscription, *, since, until):
    """The public problems published in the subscription's area (and categories) in
    (since, until], as JSON-ready dicts for the digest mail (public fields only)."""
    qs = public_problems().filter(published_at__gt=since, published_at__lte=until)
    categories = [c.pk for c in subscription.categories.all()]
    if categories:
        qs = qs.filter(category_id__in=categories)
    qs = qs.select_related("category").order_by("published_at", "pk")
    if subscription.territory_id:
        rows = list(
            qs.filter(territory_id__in=_territory_and_parts(subscription.territory_id))[:100]
        )
    else:
        lat, lon = float(subscription.latitude), float(subscription.longitude)
        rows = [
            row
            for row in _near(qs, lat, lon, subscription.radius_m)[:500]
            if haversine_m(lat, lon, row.lat, row.lon) <= subscription.radius_m
        ][:100]
    return [
        {
            "subject": row.subject,
            "category": str(row.category) if row.category_id else "",
            "place": row.place,
            "path": problem_path(row.pk),
        }
        for row in rows
    ]


def _territory_and_parts(territory_id):
    ids, frontier = {territory_id}, [territory_id]
    while frontier:
        children = list(
            Territory.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.update(children)
        frontier = children
    return sorted(ids)


def comments_of(appeal):
    """Every comment of a problem in order; hidden ones are shown as their reason."""
    return (
        Comment.objects.filter(appeal=appeal).select_related("author").order_by("created_at", "pk")
    )


def still_not_fixed_of(appeal):
    return StillNotFixed.objects.filter(appeal=appeal).select_related("replied_by")


def still_not_fixed_for_staff(user, status=None):
    """Reports on problems held by the user's cabinets (newest first)."""
    cabinets = sorted(roles_by_cabinet(user))
    qs = StillNotFixed.objects.filter(appeal__cabinet_id__in=cabinets).select_related(
        "appeal", "appeal__cabinet"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def reported_comments_for_staff(user):
    """Visible comments with open reports on problems held by the user's cabinets."""
    cabinets = sorted(roles_by_cabinet(user))
    return (
        Comment.objects.visible()
        .filter(appeal__cabinet_id__in=cabinets, reports__resolved=False)
        .select_related("appeal", "author")
        .distinct()
        .order_by("-created_at", "-pk")
    )
