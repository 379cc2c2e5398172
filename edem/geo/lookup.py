"""Point-in-territory lookup.

``territory_for(lat, lon)`` returns the smallest territory whose boundary covers the point.

Tie-break on shared borders (documented rule): a point that lies exactly on the border of two
territories is covered by both; the one with the smaller area wins, and between equal areas the
one with the lower id (created first). A microdistrict inside a district therefore wins over its
district, and the result never depends on query order.

The shapely STRtree is built once per process and rebuilt when any territory changes (its
signature is the count and the latest ``updated_at``; asking costs one small query).
"""

import math
import threading
from dataclasses import dataclass

from django.db.models import Count, Max
from shapely import STRtree
from shapely.geometry import Point

from .models import Territory
from .shapes import shape_from_geojson


@dataclass(frozen=True)
class _Index:
    signature: tuple
    tree: STRtree | None
    ids: tuple
    geoms: tuple


_lock = threading.Lock()
_index: _Index | None = None


def _signature():
    agg = Territory.objects.filter(boundary__isnull=False).aggregate(
        n=Count("id"), t=Max("updated_at")
    )
    return (agg["n"], agg["t"])


def _build(signature):
    ids, geoms = [], []
    for pk, boundary in Territory.objects.filter(boundary__isnull=False).values_list(
        "pk", "boundary"
    ):
        try:
            geoms.append(shape_from_geojson(boundary))
        except ValueError:
            continue  # an invalid boundary is reported by the admin form; it never matches
        ids.append(pk)
    tree = STRtree(geoms) if geoms else None
    return _Index(signature, tree, tuple(ids), tuple(geoms))


def _current_index():
    global _index
    signature = _signature()
    index = _index
    if index is None or index.signature != signature:
        with _lock:
            if _index is None or _index.signature != signature:
                _index = _build(signature)
            index = _index
    return index


def territory_id_for(lat, lon):
    """Id of the smallest territory covering (lat, lon), or None."""
    lat, lon = float(lat), float(lon)
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    index = _current_index()
    if index.tree is None:
        return None
    point = Point(lon, lat)
    candidates = []
    for i in index.tree.query(point, predicate="intersects"):
        geom = index.geoms[i]
        if geom.covers(point):
            candidates.append((geom.area, index.ids[i]))
    if not candidates:
        return None
    return min(candidates)[1]


def territory_for(lat, lon):
    """The smallest ``Territory`` covering (lat, lon), or None (see the module's tie-break)."""
    pk = territory_id_for(lat, lon)
    return Territory.objects.filter(pk=pk).first() if pk else None


def has_territories():
    """Whether any territory has a boundary: without one no point is inside or outside."""
    return _current_index().tree is not None
