"""What every map of the portal is drawn on.

The base of a map is the municipality's own territories (their boundaries, from the
database, drawn by static/js/edem-map.js on a plain background): they need no tile server,
so a map on an intranet, or during an outage of the tile server, is never a blank grey box.
Raster tiles are laid over that base only when a tile server is configured; when its tiles
fail to load, the map falls back to the base and says so in one short note.

``tiles_url()`` is the one place that says which tile server (if any) the maps use: today
the ``EDEM_MAP_TILES_URL`` setting ("" means no tiles at all); later the municipality's own
settings record may answer first.
"""

from django.conf import settings


def tiles_url():
    """The tile URL template (``https://tiles.example/{z}/{x}/{y}.png``), or "" for none."""
    return (getattr(settings, "EDEM_MAP_TILES_URL", "") or "").strip()


def tiles_attribution():
    """The attribution the tile server asks for (HTML), or "" without tiles."""
    return settings.EDEM_MAP_ATTRIBUTION if tiles_url() else ""
