import json

from django import forms

from edem.core.municipality import current


class GeoJSONMapWidget(forms.Textarea):
    """A GeoJSON textarea with a Leaflet map above it: the polygon is previewed on the map
    and can be drawn or edited with Leaflet.draw (django-leaflet's bundled files); the map
    writes back into the textarea, so editing the text by hand works too."""

    template_name = "geo/widgets/geojson_map.html"

    class Media:
        css = {"all": ("leaflet/leaflet.css", "leaflet/draw/leaflet.draw.css", "css/admin-map.css")}
        js = ("leaflet/leaflet.js", "leaflet/draw/leaflet.draw.js", "js/geojson-editor.js")

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
        municipality = current()  # the admin's settings, else EDEM_MAP_* (LEAFLET_CONFIG)
        context["map"] = {
            "tiles_url": municipality.map_tiles_url,
            "attribution": municipality.map_attribution,
            "center": list(municipality.map_center),
            "zoom": municipality.map_zoom,
        }
        return context
