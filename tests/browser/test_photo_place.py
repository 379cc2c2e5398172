"""The appeal form reads a picked JPEG's GPS EXIF in the browser (static/js/photo-place.js) and
offers it as the place before sending: "Use the photo's place" sets latitude, longitude and
the map's pin; "Do not use it" keeps the server from asking again after sending."""

import re

import pytest
from django.urls import reverse
from PIL import ExifTags, Image
from playwright.sync_api import expect

from .a11y import assert_accessible
from .test_portal import DEMO_PASSWORD, main_form, sign_in

pytestmark = pytest.mark.browser

CITIZEN = "ivanova@demo.edem"  # fixtures/demo_town.json


def photo_taken_at(path, latitude, longitude):
    """A small JPEG made here whose EXIF GPS says (degrees, minutes, seconds) where it was
    taken, as a phone camera writes it."""
    image = Image.new("RGB", (160, 120), (120, 110, 100))
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    for (ref, value_tag), value, signs in (
        ((ExifTags.GPS.GPSLatitudeRef, ExifTags.GPS.GPSLatitude), latitude, "NS"),
        ((ExifTags.GPS.GPSLongitudeRef, ExifTags.GPS.GPSLongitude), longitude, "EW"),
    ):
        gps[ref] = signs[0] if value >= 0 else signs[1]
        degrees, rest = divmod(abs(value) * 3600, 3600)
        minutes, seconds = divmod(rest, 60)
        gps[value_tag] = (float(degrees), float(minutes), round(seconds, 2))
    image.save(path, "JPEG", exif=exif)
    with Image.open(path) as check:
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo has no GPS EXIF"
    return path


def test_a_photos_gps_is_offered_as_the_place_before_sending(demo_town, new_page, tmp_path):
    photo = photo_taken_at(tmp_path / "yama.jpg", 56.0123, 38.0456)
    page = new_page()
    sign_in(page, CITIZEN, DEMO_PASSWORD)
    expect(page).not_to_have_url(re.compile(re.escape(reverse("account_login"))))
    page.goto(reverse("appeals:file"))
    form = main_form(page, "subject")
    offer = form.locator("#photo-place-offer")
    expect(offer).to_be_hidden()
    latitude, longitude = form.locator("#id_latitude"), form.locator("#id_longitude")
    files = form.locator("input[type='file'][name='attachments']")

    # Declined: the offer goes, and the form tells the server not to ask again.
    files.set_input_files(str(photo))
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("yama.jpg")
    expect(offer).to_contain_text("56.01230, 38.04560")
    assert_accessible(page, context="main form")
    offer.locator("#photo-place-decline").click()
    expect(offer).to_be_hidden()
    expect(form.locator("input[type='hidden'][name='photo_place']")).to_have_value("skip")
    assert latitude.input_value() == "" and longitude.input_value() == ""

    # Picked again and used: the fields are set and the map has its pin.
    files.set_input_files([])
    files.set_input_files(str(photo))
    expect(offer).to_be_visible()
    expect(form.locator("#place-map .leaflet-marker-icon")).to_have_count(0)
    offer.locator("#photo-place-accept").click()
    expect(latitude).to_have_value("56.012300")
    expect(longitude).to_have_value("38.045600")
    expect(offer).to_be_hidden()
    expect(form.locator("#photo-place-done")).not_to_be_empty()
    expect(form.locator("#place-map .leaflet-marker-icon")).to_have_count(1)
    assert_accessible(page, context="main form")

    # South and west of zero come out negative.
    page.locator("#place-clear").click()
    files.set_input_files([])
    files.set_input_files(str(photo_taken_at(tmp_path / "far.jpg", -33.8688, -151.2093)))
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("-33.86880, -151.20930")
