"""What every map of the portal is drawn on.

The base of a map is the municipality's own territories (their boundaries, from the
database, drawn by static/js/edem-map.js on a plain background): they need no tile server,
so a map on an intranet, or during an outage of the tile server, is never a blank grey box.
Raster tiles are laid over that base only when a tile server is configured; when its tiles
fail to load, the map falls back to the base and says so in one short note.

``tiles_url()`` is the one place that says which tile server (if any) the maps use: the
municipality's settings record (edited in the admin), else the ``EDEM_MAP_TILES_URL``
setting ("" means no tiles at all).
"""

from edem.core.municipality import current


def tiles_url():
    """The tile URL template (``https://tiles.example/{z}/{x}/{y}.png``), or "" for none."""
    return (current().map_tiles_url or "").strip()


def tiles_attribution():
    """The attribution the tile server asks for (HTML), or "" without tiles."""
    return current().map_attribution if tiles_url() else ""


def center_and_zoom():
    """Where the maps open: (latitude, longitude) and the zoom of the settings record."""
    municipality = current()
    return municipality.map_center, municipality.map_zoom
