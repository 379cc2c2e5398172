"""Reading territory boundaries: GeoJSON polygons checked with shapely (no database)."""

from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity


def shape_from_geojson(data):
    """Parse and validate a GeoJSON Polygon/MultiPolygon (or a Feature holding one)."""
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    try:
        geom = shape(data)
    except Exception as exc:
        raise ValueError(
            _("The boundary is not valid GeoJSON: %(error)s") % {"error": exc}
        ) from exc
    if geom.is_empty:
        raise ValueError(_("The boundary is empty."))
    if not geom.is_valid:
        raise ValueError(
            _("The boundary is not a valid polygon: %(reason)s")
            % {"reason": explain_validity(geom)}
        )
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueError(_("The boundary has coordinates outside longitude/latitude ranges."))
    return geom
