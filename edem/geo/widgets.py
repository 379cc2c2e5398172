import json

from django import forms
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import basemap


def draw_texts():
    """Leaflet.draw's texts (``L.drawLocal``) for the tools the editor offers, translated; the
    page carries them as JSON data and ``geojson-editor.js`` puts them in place."""
    cancel = {"title": _("Cancel drawing"), "text": _("Cancel")}
    return {
        "draw": {
            "toolbar": {
                "actions": cancel,
                "finish": {"title": _("Finish drawing"), "text": _("Finish")},
                "undo": {"title": _("Delete the last point drawn"), "text": _("Delete last point")},
                "buttons": {"polygon": _("Draw a polygon"), "rectangle": _("Draw a rectangle")},
            },
            "handlers": {
                "polygon": {
                    "tooltip": {
                        "start": _("Click to start drawing the shape."),
                        "cont": _("Click to continue drawing the shape."),
                        "end": _("Click the first point to close the shape."),
                    }
                },
                "polyline": {"error": _("The edges of the shape must not cross.")},
                "rectangle": {"tooltip": {"start": _("Click and drag to draw a rectangle.")}},
                "simpleshape": {"tooltip": {"end": _("Release the mouse to finish drawing.")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": _("Save changes"), "text": _("Save")},
                    "cancel": {
                        "title": _("Cancel editing, discard all changes"),
                        "text": _("Cancel"),
                    },
                    "clearAll": {"title": _("Remove all shapes"), "text": _("Remove all")},
                },
                "buttons": {
                    "edit": _("Edit shapes"),
                    "editDisabled": _("No shapes to edit"),
                    "remove": _("Delete shapes"),
                    "removeDisabled": _("No shapes to delete"),
                },
            },
            "handlers": {
                "edit": {
                    "tooltip": {
                        "text": _("Drag the handles to edit the shape."),
                        "subtext": _("Click Cancel to undo the changes."),
                    }
                },
                "remove": {"tooltip": {"text": _("Click a shape to delete it.")}},
            },
        },
    }


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
        center, zoom = basemap.center_and_zoom()  # the admin's settings, else EDEM_MAP_*
        context["map"] = {
            "tiles_url": basemap.tiles_url(),
            "attribution": basemap.tiles_attribution(),
            "territories_url": territories_url,
            "territory": self.territory_id,
            "center": list(center),
            "zoom": zoom,
            "texts": draw_texts(),
            "texts_id": f"{context['widget']['attrs'].get('id', name)}-draw-texts",
        }
        return context
