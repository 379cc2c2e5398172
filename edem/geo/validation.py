"""Checks of territories' geometry beyond a single valid polygon: territories of one kind do
not overlap (or routing by point silently depends on which one wins), and a part lies inside
the territory it is part of. Used by the model's ``clean()`` and by the GeoJSON import."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .shapes import shape_from_geojson

#: How far (in degrees, about a centimetre) a border may stray over its neighbour or parent:
#: borders drawn by hand on a map never coincide exactly.
TOLERANCE = 1e-7


def check_rings(data):
    """Every ring of a GeoJSON Polygon/MultiPolygon is closed (its last position repeats the
    first) and has at least four positions, as GeoJSON requires. shapely closes an open ring
    silently, so this is checked on the text itself."""
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict):
        return
    coordinates = data.get("coordinates") or []
    polygons = [coordinates] if data.get("type") == "Polygon" else coordinates
    for polygon in polygons:
        for ring in polygon if isinstance(polygon, list) else ():
            if not isinstance(ring, list) or len(ring) < 4:
                raise ValidationError(
                    _(
                        "A ring of the boundary needs at least four points (the last repeating the first)."
                    ),
                    code="short_ring",
                )
            if list(ring[0]) != list(ring[-1]):
                raise ValidationError(
                    _(
                        "A ring of the boundary is not closed: its last point must repeat the first (%(first)s)."
                    )
                    % {"first": ", ".join(str(c) for c in ring[0])},
                    code="open_ring",
                )


def overlaps(geom, other):
    """Whether the interiors of the two shapes share more than a sliver."""
    if not geom.intersects(other):
        return False
    return geom.buffer(-TOLERANCE).intersects(other.buffer(-TOLERANCE))


def check_inside(geom, parent_geom, parent_name):
    if not parent_geom.buffer(TOLERANCE).covers(geom):
        raise ValidationError(
            _("The boundary goes outside “%(parent)s”, which this territory is part of.")
            % {"parent": parent_name},
            code="outside_parent",
        )


def check_no_overlap(geom, others):
    """``others``: (name, shape) of the territories of the same kind."""
    names = [name for name, other in others if other is not None and overlaps(geom, other)]
    if names:
        raise ValidationError(
            _(
                "The boundary overlaps %(names)s of the same kind; a point there would belong to both. Correct the borders."
            )
            % {"names": ", ".join(f"“{name}”" for name in names)},
            code="overlap",
        )


def named_shapes(rows):
    """(name, shape) for (name, GeoJSON) rows, skipping boundaries that are not valid."""
    result = []
    for name, boundary in rows:
        try:
            result.append((name, shape_from_geojson(boundary)))
        except ValueError:
            continue
    return result


def parent_shape(parent):
    if parent is None or not parent.boundary:
        return None
    try:
        return shape_from_geojson(parent.boundary)
    except ValueError:
        return None
