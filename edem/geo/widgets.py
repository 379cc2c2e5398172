import json

from django import forms
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from . import basemap


class GeoJSONMapWidget(forms.Textarea):
    """A GeoJSON textarea with a Leaflet map above it: the polygon is previewed on the map
    and can be drawn or edited with Leaflet.draw (django-leaflet's bundled files); the map
    writes back into the textarea, so editing the text by hand works too. The other
    territories are drawn around it as context, which is also the map's whole base when there
    are no tiles (edem.geo.basemap)."""

    template_name = "geo/widgets/geojson_map.html"

    class Media:
        css = {"all": ("leaflet/leaflet.css", "leaflet/draw/leaflet.draw.css", "css/admin-map.css")}
        js = (
            "leaflet/leaflet.js",
            "leaflet/draw/leaflet.draw.js",
            "js/edem-map.js",
            "js/geojson-editor.js",
        )

    territory_id = None  # the territory being edited: drawn by the editor, not as context

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"rows": 6, "class": "vLargeTextField geojson-source", **(attrs or {})}
        )

    def format_value(self, value):
        if value in (None, "", "null"):
            return ""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return value
        return json.dumps(value, ensure_ascii=False)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        try:
            territories_url = reverse("map:territories_json")
        except NoReverseMatch:  # a project without the public map: no context drawn
            territories_url = ""
        context["map"] = {
            "tiles_url": basemap.tiles_url(),
            "attribution": basemap.tiles_attribution(),
            "territories_url": territories_url,
            "territory": self.territory_id,
            "center": list(settings.LEAFLET_CONFIG["DEFAULT_CENTER"]),
            "zoom": settings.LEAFLET_CONFIG["DEFAULT_ZOOM"],
        }
        return context
