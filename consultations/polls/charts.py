"""A small server-side SVG bar chart: the same markup on the page and in the PDF (no script).

Accessible by construction: the ``<svg>`` is ``role="img"`` with an ``aria-labelledby`` pointing
at its ``<title>`` and ``<desc>`` (which lists every bar and its number), each bar has its own
``<title>`` for a tooltip, and the page always shows the same numbers in a table next to it.
Colours keep a contrast of at least 4.5:1 against white for the text and 3:1 for the bars.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 640
LABEL_WIDTH = 250
VALUE_WIDTH = 90
BAR_HEIGHT = 22
GAP = 10
PADDING = 8
BAR_COLOUR = "#0b4f8a"  # 8.3:1 on white
TEXT_COLOUR = "#1b1f24"
GRID_COLOUR = "#c5ccd6"


def _short(text, limit=38):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(rows, *, title, chart_id, description=""):
    """An SVG of horizontal bars. ``rows`` are (label, value, shown) triples: ``value`` sets the
    bar's length (relative to the largest), ``shown`` is the text printed after it (for example
    "12 (40 %)"). Returns safe markup."""
    rows = list(rows)
    largest = max((float(v) for _label, v, _shown in rows), default=0.0) or 1.0
    bar_space = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2 * PADDING
    height = PADDING * 2 + max(len(rows), 1) * (BAR_HEIGHT + GAP)
    summary = "; ".join(f"{label}: {shown}" for label, _v, shown in rows)
    desc = f"{description} {summary}".strip() if description else summary
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="poll-chart" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="DejaVu Sans, Arial, sans-serif" font-size="13">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<line x1="{LABEL_WIDTH}" y1="{PADDING}" x2="{LABEL_WIDTH}" '
        f'y2="{height - PADDING}" stroke="{GRID_COLOUR}" stroke-width="1"/>',
    ]
    for index, (label, value, shown) in enumerate(rows):
        y = PADDING + index * (BAR_HEIGHT + GAP)
        length = round(bar_space * float(value) / largest, 1) if value else 0
        middle = y + BAR_HEIGHT / 2 + 4.5
        parts.append("<g>")
        parts.append(f"<title>{escape(label)}: {escape(shown)}</title>")
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{middle}" text-anchor="end" '
            f'fill="{TEXT_COLOUR}">{escape(_short(label))}</text>'
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
            f'fill="{BAR_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{middle}" '
            f'fill="{TEXT_COLOUR}">{escape(shown)}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped
