"""Maps on an intranet (issue 16, point 7), in headless Chromium.

The browser of these tests reaches nothing but the live server (``new_page`` refuses every
other host), as on an intranet without the public tile server: the maps must still show the
municipality's territories on a plain background, and say why there are no tiles. With no tile
server configured at all (``EDEM_MAP_TILES_URL=""``) no tile is even asked for. The admin's
territory editor draws the other territories around the one being edited. A photo with GPS in
its EXIF, attached without a place, is offered as the appeal's place and filed with it.
"""

import re

from django.urls import reverse
from PIL import ExifTags, Image
from playwright.sync_api import expect

from appeals.models import Appeal
from edem.geo.models import Territory

from .a11y import assert_accessible
from .test_appeal_journey import AuthenticatorApp, sign_in_official
from .test_portal import DEMO_PASSWORD, DEMO_TOTP_SECRET, main_form, sign_in

CITIZEN = "ivanova@demo.edem"


def test_the_map_falls_back_to_the_territories_when_the_tiles_do_not_load(demo_town, new_page):
    page = new_page()
    page.goto(reverse("map:index"))
    problem_map = page.locator("#problem-map")
    expect(problem_map).to_have_class(re.compile(r"\bmap-neutral\b"))
    note = page.locator(".map-note")
    expect(note).to_be_visible()
    expect(note).to_have_attribute("role", "status")
    boundaries = problem_map.locator("path.edem-territory")
    territories = Territory.objects.exclude(boundary__isnull=True).count()
    assert territories > 1
    expect(boundaries).to_have_count(territories)  # on by default
    toggle = page.locator("#territory-layer")
    expect(toggle).to_be_checked()
    toggle.uncheck()
    expect(boundaries).to_have_count(0)
    toggle.check()
    expect(boundaries).to_have_count(territories)
    assert_accessible(page)


def test_without_a_tile_server_no_tile_is_asked_for_and_no_note_is_needed(
    demo_town, new_page, settings
):
    settings.EDEM_MAP_TILES_URL = ""
    page = new_page()
    asked = []
    page.on(
        "request",
        lambda request: asked.append(request.url) if request.resource_type == "image" else None,
    )
    page.goto(reverse("map:index"))
    problem_map = page.locator("#problem-map")
    expect(problem_map.locator("path.edem-territory").first).to_be_visible()
    expect(problem_map).to_have_class(re.compile(r"\bmap-neutral\b"))
    expect(page.locator(".leaflet-tile")).to_have_count(0)
    expect(page.locator(".map-note")).to_have_count(0)
    assert not [url for url in asked if "tile" in url], asked


def test_the_admin_territory_editor_shows_the_other_territories_without_tiles(demo_town, new_page):
    page = new_page()
    sign_in_official(page, "admin@demo.edem", AuthenticatorApp(DEMO_TOTP_SECRET))
    edited = Territory.objects.exclude(boundary__isnull=True).order_by("pk").first()
    others = Territory.objects.exclude(boundary__isnull=True).exclude(pk=edited.pk).count()
    page.goto(reverse("admin:geo_territory_change", args=[edited.pk]))
    editor = page.locator(".geojson-editor")
    expect(editor.locator(".leaflet-container")).to_have_class(re.compile(r"\bmap-neutral\b"))
    expect(editor.locator(".map-note")).to_be_visible()
    expect(editor.locator("path.edem-territory")).to_have_count(others)  # the context
    expect(editor.locator("path.leaflet-interactive")).to_have_count(1)  # the edited one
    # A new territory: the editor opens on the existing ones.
    page.goto(reverse("admin:geo_territory_add"))
    expect(page.locator(".geojson-editor path.edem-territory")).to_have_count(others + 1)


def photo_taken_in_town(path):
    """A JPEG whose EXIF says it was taken in the demo town (inside one of its territories)."""
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (56.0, 0.0, 36.0)  # 56.01
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (38.0, 0.0, 18.0)  # 38.005
    Image.new("RGB", (160, 120), (120, 110, 100)).save(path, "JPEG", exif=exif)
    return path


def test_a_photo_taken_in_town_sets_the_place_of_the_appeal(demo_town, new_page, tmp_path):
    from edem.geo.lookup import territory_for

    territory = territory_for(56.01, 38.005)
    assert territory is not None, "the demo town does not cover the test photo's place"
    page = new_page()
    sign_in(page, CITIZEN, DEMO_PASSWORD)
    page.goto(reverse("appeals:file"))
    form = main_form(page, "subject")
    form.locator("input[name='kind'][value='statement']").check()
    form.locator("input[name='subject']").fill("Яма у остановки")
    form.locator("textarea[name='text']").fill("Глубокая яма у остановки, видно на фото.")
    form.locator("input[type='file'][name='attachments']").set_input_files(
        str(photo_taken_in_town(tmp_path / "pit.jpg"))
    )
    form.locator("input[name='personal_data_consent']").check()
    form.locator("button[type='submit']:not([name])").last.click()

    offer = page.locator("#photo-place")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text(territory.name)
    assert not Appeal.objects.exists()
    assert_accessible(page)
    offer.locator("#photo-place-use").click()
    expect(page.locator("main h1")).to_have_text("Яма у остановки")
    appeal = Appeal.objects.get()
    assert (str(appeal.latitude), str(appeal.longitude)) == ("56.010000", "38.005000")
    assert appeal.territory == territory and appeal.attachments.count() == 1
