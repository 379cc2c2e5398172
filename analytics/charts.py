"""Server-side SVG charts: the same markup on the page and in a PDF, readable without script.

Each chart is ``role="img"`` labelled by its ``<title>`` and ``<desc>`` (which repeats every
number), and the page always prints the same figures in a table beside it. Colours are SVG
presentation attributes (the CSP forbids ``style``), with a 3:1 contrast at least.
"""

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

SERIES_COLOURS = ("#0b4f8a", "#b35900")  # 8.3:1 and 4.6:1 on white
TEXT = "#1b1f24"
GRID = "#c5ccd6"
# Light to dark, each step distinguishable; the darkest classes carry white labels.
SCALE = ("#deebf7", "#9ecae1", "#4292c6", "#08519c", "#08306b")
NO_DATA = "#f2f2f2"


def _attrs(**values):
    return " ".join(f'{k.replace("_", "-")}="{escape(v)}"' for k, v in values.items())


def column_chart(labels, series, *, title, chart_id, description=""):
    """Grouped columns: ``labels`` along the x axis, ``series`` a list of (name, values)."""
    width, height, left, bottom, top = 640, 260, 44, 40, 16
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max([1, *(v or 0 for _n, values in series for v in values)])
    step = 10 ** max(0, int(math.log10(peak)))
    peak = math.ceil(peak / step) * step
    slot = plot_w / max(1, len(labels))
    bar = max(2.0, (slot - 6) / max(1, len(series)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for tick in range(5):
        value = peak * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(f"<line {_attrs(x1=left, x2=width - 8, y1=y, y2=y, stroke=GRID)}/>")
        parts.append(
            f"<text {_attrs(x=left - 4, y=y + 4, fill=TEXT, font_size=11, text_anchor='end')}>"
            f"{int(value)}</text>"
        )
    for i, label in enumerate(labels):
        x0 = left + i * slot + 3
        for s, (name, values) in enumerate(series):
            value = values[i] or 0
            h = plot_h * value / peak
            parts.append(
                f"<rect {_attrs(x=round(x0 + s * bar, 1), y=round(top + plot_h - h, 1), width=round(bar - 1, 1), height=round(h, 1), fill=SERIES_COLOURS[s % 2])}>"
                f"<title>{escape(label)}: {escape(name)} {value}</title></rect>"
            )
        if len(labels) <= 12 or i % 2 == 0:
            parts.append(
                f"<text {_attrs(x=round(x0 + slot / 2, 1), y=height - bottom + 16, fill=TEXT, font_size=11, text_anchor='middle')}>"
                f"{escape(label)}</text>"
            )
    for s, (name, _values) in enumerate(series):
        x = left + s * 160
        parts.append(
            f"<rect {_attrs(x=x, y=height - 14, width=12, height=12, fill=SERIES_COLOURS[s % 2])}/>"
            f"<text {_attrs(x=x + 16, y=height - 4, fill=TEXT, font_size=12)}>{escape(name)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def _rings(geometry):
    if not geometry:
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return [coords]
    if kind == "MultiPolygon":
        return list(coords)
    return []


def choropleth(areas, *, title, chart_id, description=""):
    """Territories filled by class. ``areas`` are (name, GeoJSON geometry, class index or None,
    shown text). Longitude is scaled by the cosine of the mean latitude so shapes keep their
    proportions."""
    polygons = [(name, _rings(geom), cls, shown) for name, geom, cls, shown in areas]
    points = [
        pt for _n, polys, _c, _s in polygons for poly in polys for ring in poly for pt in ring
    ]
    width, height = 640, 420
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart map" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    if points:
        lons = [p[0] for p in points]
        lats = [p[1] for p in points]
        k = math.cos(math.radians((min(lats) + max(lats)) / 2))
        span_x = max((max(lons) - min(lons)) * k, 1e-9)
        span_y = max(max(lats) - min(lats), 1e-9)
        scale = min((width - 20) / span_x, (height - 20) / span_y)

        def xy(pt):
            return (
                round(10 + (pt[0] - min(lons)) * k * scale, 1),
                round(10 + (max(lats) - pt[1]) * scale, 1),
            )

        labels = []
        for name, polys, cls, shown in polygons:
            d = " ".join(
                "M" + " L".join(f"{x},{y}" for x, y in map(xy, ring)) + " Z"
                for poly in polys
                for ring in poly
                if ring
            )
            if not d:
                continue
            fill = NO_DATA if cls is None else SCALE[cls]
            parts.append(
                f"<path {_attrs(d=d, fill=fill, stroke='#5a6470', stroke_width=1, fill_rule='evenodd')}>"
                f"<title>{escape(name)}: {escape(shown)}</title></path>"
            )
            outer = [xy(pt) for pt in polys[0][0]] if polys and polys[0] else []
            if outer:  # the name amid the outer ring's points, readable on its shade
                cx = sum(x for x, _y in outer) / len(outer)
                cy = sum(y for _x, y in outer) / len(outer)
                ink = "#ffffff" if cls is not None and cls >= 2 else TEXT
                labels.append(
                    f"<text {_attrs(x=round(cx, 1), y=round(cy, 1), fill=ink, font_size=14, text_anchor='middle')}>"
                    f"{escape(name)}: {escape(shown)}</text>"
                )
        parts.extend(labels)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def classes(values, n=5):
    """Class index (0..n-1) per value, in equal steps from the smallest value to the largest
    (so that close figures still differ in shade); None stays None."""
    known = [v for v in values if v is not None]
    if not known:
        return [None for _v in values]
    low, high = min(known), max(known)
    if high == low:
        return [None if v is None else n // 2 for v in values]
    return [None if v is None else min(n - 1, int(n * (v - low) / (high - low))) for v in values]


def line_chart(labels, values, *, title, chart_id, description="", target=None):
    """One series as a line with its points (``None`` leaves a gap), and the target as a
    dashed line when there is one."""
    width, height, left, bottom, top = 640, 240, 56, 30, 16
    plot_w, plot_h = width - left - 12, height - bottom - top
    known = [float(v) for v in values if v is not None]
    if target is not None:
        known.append(float(target))
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    if low > 0 and low < high / 2:
        low = 0.0
    if high == low:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.1
    low, high = low - pad if low else low, high + pad

    def y(v):
        return round(top + plot_h - plot_h * (float(v) - low) / (high - low), 1)

    def x(i):
        return round(
            left + (plot_w * i / max(1, len(labels) - 1) if len(labels) > 1 else plot_w / 2), 1
        )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for tick in range(5):
        value = low + (high - low) * tick / 4
        ty = top + plot_h - plot_h * tick / 4
        parts.append(f"<line {_attrs(x1=left, x2=width - 12, y1=ty, y2=ty, stroke=GRID)}/>")
        parts.append(
            f"<text {_attrs(x=left - 4, y=ty + 4, fill=TEXT, font_size=11, text_anchor='end')}>"
            f"{value:.4g}</text>"
        )
    if target is not None:
        ty = y(target)
        parts.append(
            f"<line {_attrs(x1=left, x2=width - 12, y1=ty, y2=ty, stroke=SERIES_COLOURS[1], stroke_width=2, stroke_dasharray='6 4')}/>"
        )
    segment = []
    for i, value in enumerate([*values, None]):
        if value is None:
            if len(segment) > 1:
                points = " ".join(f"{px},{py}" for px, py in segment)
                parts.append(
                    f"<polyline {_attrs(points=points, fill='none', stroke=SERIES_COLOURS[0], stroke_width=2)}/>"
                )
            segment = []
            continue
        segment.append((x(i), y(value)))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        if value is not None:
            parts.append(
                f"<circle {_attrs(cx=x(i), cy=y(value), r=4, fill=SERIES_COLOURS[0])}>"
                f"<title>{escape(label)}: {escape(value)}</title></circle>"
            )
        if len(labels) <= 12 or i % max(1, len(labels) // 12) == 0:
            parts.append(
                f"<text {_attrs(x=x(i), y=height - bottom + 16, fill=TEXT, font_size=11, text_anchor='middle')}>"
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped
