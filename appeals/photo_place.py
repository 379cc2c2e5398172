"""A photo's GPS position offered as the appeal's place (the filing form).

A phone camera writes where a photo was taken into its EXIF. The uploads are cleaned of it
(edem.core.uploads), but the position read on the way in is offered back to the citizen who
left the place empty: "use the photo's place?". The offer travels with the form in two
hidden fields (the stored file no longer knows it), and is made only for a point inside the
municipality (when territories are set up: without them nothing can be judged, as for a typed
point, edem.geo.points). The citizen answers with one of two buttons: ``use`` fills the place
(the form then checks it like a typed one), ``skip`` files without it; either way the offer is
not made again.
"""

import math
from dataclasses import dataclass

from edem.geo.lookup import has_territories, territory_for

USE, SKIP = "use", "skip"
ANSWER_FIELD = "photo_place"
LATITUDE_FIELD, LONGITUDE_FIELD = "photo_latitude", "photo_longitude"


@dataclass(frozen=True)
class Offer:
    latitude: float
    longitude: float
    photo_name: str
    territory: str  # the territory's name, "" when territories are not set up

    @property
    def latitude_value(self):
        return f"{self.latitude:.6f}"

    @property
    def longitude_value(self):
        return f"{self.longitude:.6f}"


def _number(value):
    try:
        number = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _offer(latitude, longitude, photo_name):
    if latitude is None or longitude is None:
        return None
    if not (abs(latitude) <= 90 and abs(longitude) <= 180):
        return None
    territory = territory_for(latitude, longitude)
    if territory is None and has_territories():
        return None  # taken outside the municipality: nothing to offer
    return Offer(latitude, longitude, photo_name, territory.name if territory else "")


def place_is_empty(data):
    return not (data.get("latitude") or "").strip() and not (data.get("longitude") or "").strip()


def answered(data):
    return data.get(ANSWER_FIELD) in (USE, SKIP)


def offer_for(data, attachments):
    """The offer to show with the form: from a photo of this request (its ``photo_position``,
    set by ``services.store_upload``), else the one carried from the previous showing; None
    when the place is filled in, the citizen has answered, or no photo says where it is."""
    if answered(data) or not place_is_empty(data):
        return None
    for attachment in attachments:
        position = getattr(attachment, "photo_position", None)
        if position:
            offer = _offer(*position, attachment.original_name)
            if offer is not None:
                return offer
    return _offer(
        _number(data.get(LATITUDE_FIELD)),
        _number(data.get(LONGITUDE_FIELD)),
        data.get("photo_name", ""),
    )


def with_answer(data):
    """The form's data with the photo's place put into the place fields when the citizen chose
    ``use``; unchanged otherwise."""
    if data.get(ANSWER_FIELD) != USE or not place_is_empty(data):
        return data
    latitude, longitude = _number(data.get(LATITUDE_FIELD)), _number(data.get(LONGITUDE_FIELD))
    if latitude is None or longitude is None:
        return data
    data = data.copy()
    data["latitude"], data["longitude"] = f"{latitude:.6f}", f"{longitude:.6f}"
    return data
