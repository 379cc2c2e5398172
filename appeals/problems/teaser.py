"""The home page's map teaser: the town's territories and its public problems drawn as a small
server-side SVG (no tiles, no JavaScript: it shows on an intranet and in any browser), linking
to the interactive map.

The problems come from the precomputed cluster grid (``ProblemCell``) at a zoom whose cells
are about a twentieth of the town's width, so the teaser costs one small grouped query; it is
cached with the other home-page figures and dropped whenever a public problem changes.
"""

import math

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import mark_safe

from edem.core.municipality import current
from edem.geo.models import Territory

from .models import CLUSTER_LEVELS, cell_size
from .selectors import HOME_TTL, cache_key, precomputed_cells, snapped

WIDTH, HEIGHT, PAD = 480, 300, 10
CELLS_ACROSS = 20  # the teaser's grid: about this many cells across the town
MAX_RADIUS = 18
MIN_RADIUS = 4
MAX_LABELS = 12  # territories named on the teaser when there are at most this many


def _mercator(lat, lon):
    """Web Mercator in units of the world's width (0..1), y growing southwards."""
    lat = max(min(lat, 85.0), -85.0)
    x = (lon + 180.0) / 360.0
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2
    return x, y


def _outer_rings(geometry):
    """The outer rings ([lon, lat] lists) of a GeoJSON Polygon or MultiPolygon."""
    if not isinstance(geometry, dict):
        return []
    if geometry.get("type") == "Feature":
        return _outer_rings(geometry.get("geometry"))
    coordinates = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        return coordinates[:1]
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in coordinates if polygon]
    return []


def _default_box():
    """The map page's opening view when no territory is drawn: its centre and zoom."""
    municipality = current()
    lat, lon = municipality.map_center
    half_lon = 360.0 / 2 ** int(municipality.map_zoom) * 1.5
    half_lat = half_lon * math.cos(math.radians(lat)) * HEIGHT / WIDTH
    return lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat


def _teaser_level(box):
    west, _south, east, _north = box
    wanted = max((east - west) / CELLS_ACROSS, 1e-9)
    level = math.floor(math.log2(cell_size(0) / wanted))
    return min(max(level, CLUSTER_LEVELS[0]), CLUSTER_LEVELS[-1])


def _compute():
    territories = []
    for territory in Territory.objects.only("pk", "name", "parent_id", "boundary"):
        for ring in _outer_rings(territory.boundary):
            points = [(float(lon), float(lat)) for lon, lat, *_rest in ring]
            if len(points) >= 3:
                territories.append((territory, points))
    if territories:
        lons = [lon for _t, ring in territories for lon, _lat in ring]
        lats = [lat for _t, ring in territories for _lon, lat in ring]
        box = (min(lons), min(lats), max(lons), max(lats))
    else:
        box = _default_box()
    west, south, east, north = box
    x0, y1 = _mercator(south, west)
    x1, y0 = _mercator(north, east)
    scale = min((WIDTH - 2 * PAD) / max(x1 - x0, 1e-12), (HEIGHT - 2 * PAD) / max(y1 - y0, 1e-12))
    off_x = (WIDTH - (x1 - x0) * scale) / 2
    off_y = (HEIGHT - (y1 - y0) * scale) / 2

    def project(lat, lon):
        x, y = _mercator(lat, lon)
        return round(off_x + (x - x0) * scale, 1), round(off_y + (y - y0) * scale, 1)

    parents = {territory.parent_id for territory, _ring in territories}
    labelled = len(territories) <= MAX_LABELS
    shapes = []
    for territory, ring in territories:
        projected = [project(lat, lon) for lon, lat in ring]
        d = "M" + "L".join(f"{x},{y}" for x, y in projected) + "Z"
        # A territory drawn with its parts is only an outline over them; the parts (or
        # territories with no part drawn) are filled and named.
        outline = territory.pk in parents
        shape = {"name": territory.name, "d": d, "root": outline, "label": None}
        if labelled and not outline:
            corners = projected[:-1] if projected[0] == projected[-1] else projected
            shape["label"] = (
                round(sum(x for x, _y in corners) / len(corners), 1),
                round(sum(y for _x, y in corners) / len(corners), 1),
            )
        shapes.append(shape)

    shapes.sort(key=lambda shape: shape["root"])  # the town's outline over its districts
    level = _teaser_level(box)
    cells, _snapped_box = snapped(box, level)
    # A dot per grid cell, its area in proportion to the cell's share of the busiest cell,
    # never wider than the cell (dense towns stay legible) nor smaller than MIN_RADIUS.
    cells_found = [
        (lat, lon, n)
        for lat, lon, n in precomputed_cells(cells, level, {})
        if south <= lat <= north and west <= lon <= east
    ]
    total = sum(n for _lat, _lon, n in cells_found)
    busiest = max((n for _lat, _lon, n in cells_found), default=1)
    largest = max(min(cell_size(level) / 360.0 * scale * 0.48, MAX_RADIUS), MIN_RADIUS)
    dots = []
    for lat, lon, n in cells_found:
        x, y = project(lat, lon)
        r = round(max(MIN_RADIUS, largest * math.sqrt(n / busiest)), 1)
        # The count is written in the dot only when it fits (about 6.5 px a digit).
        dots.append({"x": x, "y": y, "n": n, "r": r, "label": 2 * r >= 6.5 * len(str(n)) + 5})
    dots.sort(key=lambda dot: -dot["n"])  # big ones underneath, small ones stay visible
    teaser = {"width": WIDTH, "height": HEIGHT, "shapes": shapes, "dots": dots, "total": total}
    teaser["body"] = _markup(teaser)
    return teaser


def _markup(teaser):
    """The drawing itself as SVG markup, built once per cached teaser (a town at a million
    appeals has hundreds of dots: formatting them here is far cheaper than a template loop
    on every home page). Numbers are written with a dot whatever the page's language."""
    parts = [f'<rect class="teaser-ground" x="0" y="0" width="{WIDTH}" height="{HEIGHT}"/>']
    for shape in teaser["shapes"]:
        kind = "teaser-territory teaser-root" if shape["root"] else "teaser-territory"
        parts.append(f'<path class="{kind}" d="{shape["d"]}"/>')
    for dot in teaser["dots"]:
        circle = f'<circle cx="{dot["x"]}" cy="{dot["y"]}" r="{dot["r"]}"/>'
        if dot["n"] > 1 and dot["label"]:
            circle += f'<text x="{dot["x"]}" y="{dot["y"]}" dy=".35em">{dot["n"]}</text>'
        parts.append(f'<g class="teaser-dot">{circle}</g>')
    for shape in teaser["shapes"]:
        if shape["label"]:
            x, y = shape["label"]
            parts.append(
                f'<text class="teaser-label" x="{x}" y="{y}" aria-hidden="true">'
                f"{escape(shape['name'])}</text>"
            )
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped names only


def map_teaser():
    """{width, height, shapes: [{name, d, root, label}], dots: [{x, y, r, n, label}], total,
    body}:
    ``body`` is the SVG drawing, the rest what it was drawn from."""
    return cache.get_or_set(cache_key("teaser"), _compute, HOME_TTL)
