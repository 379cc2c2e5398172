"""A place on the map typed or clicked into a form: checked before anything is filed.

Every form that takes a point (an appeal, a budget project) uses ``CoordinateField`` for its two
numbers and ``PointFormMixin.clean_point`` in its ``clean``:

- a number that is not finite (``nan``, ``inf``) or out of range gets its own exact message,
  beside the field, with what was typed kept;
- a point outside every territory of the municipality is refused (when territories with
  boundaries are set up at all: without them nothing can be judged);
- latitude and longitude typed the wrong way round (the swapped point falls inside) are offered
  back: the form comes back with the corrected pair filled in and "Did you mean …?".
"""

import math
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .lookup import has_territories, territory_id_for

PLACES = Decimal("0.000001")  # the model fields keep 6 decimal places (about 10 cm)
LIMITS = {"latitude": Decimal(90), "longitude": Decimal(180)}


class CoordinateField(forms.DecimalField):
    """A latitude or a longitude in decimal degrees. Accepts a decimal comma and more decimals
    than are kept (a phone's GPS gives many), and says exactly what is wrong otherwise."""

    def __init__(self, *, axis, **kwargs):
        self.axis = axis
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(",", ".").replace("\u2212", "-")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(self._message("invalid"), code="invalid") from None
        if not number.is_finite():
            raise forms.ValidationError(self._message("not_finite"), code="not_finite")
        limit = LIMITS[self.axis]
        if not (-limit <= number <= limit):
            raise forms.ValidationError(self._message("range") % {"value": text[:40]}, code="range")
        return number.quantize(PLACES, rounding=ROUND_HALF_EVEN)

    def validate(self, value):
        forms.Field.validate(self, value)

    def _message(self, code):
        latitude = self.axis == "latitude"
        return {
            "invalid": gettext("The latitude must be a number of degrees, such as 56.0123.")
            if latitude
            else gettext("The longitude must be a number of degrees, such as 38.0123."),
            "not_finite": gettext(
                "The latitude must be a finite number of degrees between -90 and 90."
            )
            if latitude
            else gettext("The longitude must be a finite number of degrees between -180 and 180."),
            "range": gettext("The latitude must be between -90 and 90 degrees; it is %(value)s.")
            if latitude
            else gettext("The longitude must be between -180 and 180 degrees; it is %(value)s."),
        }[code]


def _inside(lat, lon):
    return territory_id_for(lat, lon) is not None


def judge(lat, lon):
    """``"inside"``, ``"swapped"`` (the point is outside, the swapped one inside), ``"outside"``
    or ``"unknown"`` (no territory has a boundary)."""
    if not (math.isfinite(float(lat)) and math.isfinite(float(lon))):
        return "outside"
    if not has_territories():
        return "unknown"
    if _inside(lat, lon):
        return "inside"
    if abs(lon) <= 90 and _inside(lon, lat):
        return "swapped"
    return "outside"


class PointFormMixin:
    """For a form with a latitude and a longitude ``CoordinateField``; call ``clean_point`` from
    ``clean``. The errors sit beside the latitude (the first of the pair)."""

    latitude_field = "latitude"
    longitude_field = "longitude"

    def clean_point(self, data):
        lat_name, lon_name = self.latitude_field, self.longitude_field
        lat, lon = data.get(lat_name), data.get(lon_name)
        if lat_name in self.errors or lon_name in self.errors:
            return data  # each number already has its own message
        if lat is None and lon is None:
            return data
        if lat is None or lon is None:
            missing = lat_name if lat is None else lon_name
            self.add_error(
                missing,
                gettext("Give both the latitude and the longitude, or mark the place on the map."),
            )
            return data
        verdict = judge(lat, lon)
        if verdict == "swapped":
            self.data = self.data.copy()  # offered back: the form shows the corrected pair
            self.data[self.add_prefix(lat_name)] = str(lon)
            self.data[self.add_prefix(lon_name)] = str(lat)
            self.add_error(
                lat_name,
                gettext(
                    "This place is outside the municipality, but latitude and longitude seem "
                    "swapped. Did you mean latitude %(lat)s, longitude %(lon)s? We filled them "
                    "in: check the place and send the form again."
                )
                % {"lat": number_format(lon, 6), "lon": number_format(lat, 6)},
            )
        elif verdict == "outside":
            self.add_error(
                lat_name,
                gettext(
                    "This place (latitude %(lat)s, longitude %(lon)s) is outside the "
                    "municipality. Mark a place inside its borders, or remove the mark."
                )
                % {"lat": number_format(lat, 6), "lon": number_format(lon, 6)},
            )
        return data


def coordinate_fields():
    """The two form fields, labelled, for a form's class body."""
    return (
        CoordinateField(axis="latitude", label=_("Latitude")),
        CoordinateField(axis="longitude", label=_("Longitude")),
    )
