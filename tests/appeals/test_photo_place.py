"""A photo's GPS position offered as the appeal's place (issue 16, point 7): read from the
EXIF of a JPEG made here with Pillow, offered only inside the municipality and only when the
place is empty; "use" files it as the place, "skip" files without one; the stored photo keeps
no position either way."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import ExifTags, Image

from appeals.models import Appeal, Attachment
from edem.core.uploads import clean_upload
from tests.factories import CabinetFactory, CitizenFactory, TerritoryFactory, square

pytestmark = pytest.mark.django_db

TOWN_PHOTO = (56.004, 38.005)  # in the town square below: lon 38.0–38.01, lat 56.0–56.01
SYDNEY_PHOTO = (-33.8688, 151.2093)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def town():
    CabinetFactory(code="adm", kind="administration")
    return TerritoryFactory(name="Demograd", boundary=square(38.0, 56.0, 0.01))


def dms(value):
    """Decimal degrees as EXIF's (degrees, minutes, seconds)."""
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return (float(degrees), float(minutes), seconds)


def photo(position=None, name="street.jpg"):
    """A real JPEG, with the GPS EXIF a phone camera writes when ``position`` is given."""
    exif = Image.Exif()
    if position is not None:
        latitude, longitude = position
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = "N" if latitude >= 0 else "S"
        gps[ExifTags.GPS.GPSLatitude] = dms(latitude)
        gps[ExifTags.GPS.GPSLongitudeRef] = "E" if longitude >= 0 else "W"
        gps[ExifTags.GPS.GPSLongitude] = dms(longitude)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 90, 90)).save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def filing(**extra):
    return {
        "kind": "statement",
        "cabinet": "",
        "subject": "Яма на дороге",
        "text": "Глубокая яма у дома 5.",
        "place": "ул. Садовая, 5",
        "latitude": "",
        "longitude": "",
        "last_name": "Иванова",
        "first_name": "Мария",
        "answer_channel": "email",
        "email": "ivanova@example.org",
        "personal_data_consent": "on",
        **extra,
    }


def hidden(html, name):
    import re

    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    return found.group(1) if found else None


def test_the_position_is_read_from_the_exif_before_it_is_dropped():
    clean = clean_upload(photo(TOWN_PHOTO))
    assert clean.position == pytest.approx(TOWN_PHOTO, abs=1e-6)
    assert not Image.open(io.BytesIO(clean.content)).getexif()
    south_west = clean_upload(photo((-33.8688, -70.5)))
    assert south_west.position == pytest.approx((-33.8688, -70.5), abs=1e-6)
    assert clean_upload(photo(None)).position is None


def test_a_photo_taken_in_the_town_is_offered_and_use_files_it_as_the_place(client, town):
    client.force_login(CitizenFactory())
    response = client.post(reverse("appeals:file"), filing(attachments=[photo(TOWN_PHOTO)]))
    html = response.content.decode()
    assert response.status_code == 200 and not Appeal.objects.exists()
    assert 'id="photo-place"' in html and "Demograd" in html
    carried = {n: hidden(html, n) for n in ("photo_latitude", "photo_longitude", "photo_name")}
    assert carried == {
        "photo_latitude": "56.004000",
        "photo_longitude": "38.005000",
        "photo_name": "street.jpg",
    }
    pending = Attachment.objects.get(appeal__isnull=True)

    response = client.post(
        reverse("appeals:file"),
        filing(pending=str(pending.pk), photo_place="use", **carried),
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (str(appeal.latitude), str(appeal.longitude)) == ("56.004000", "38.005000")
    assert appeal.territory == town
    assert list(appeal.attachments.all()) == [pending]
    with pending.file.open("rb") as stored:
        assert not Image.open(stored).getexif()  # the place is the appeal's, not the file's


def test_skip_files_without_a_place_and_the_offer_is_not_made_again(client, town):
    client.force_login(CitizenFactory())
    response = client.post(reverse("appeals:file"), filing(attachments=[photo(TOWN_PHOTO)]))
    html = response.content.decode()
    pending = Attachment.objects.get(appeal__isnull=True)
    response = client.post(
        reverse("appeals:file"),
        filing(
            pending=str(pending.pk),
            photo_place="skip",
            photo_latitude=hidden(html, "photo_latitude"),
            photo_longitude=hidden(html, "photo_longitude"),
        ),
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.latitude is None and appeal.longitude is None


def test_a_photo_taken_outside_the_municipality_is_not_offered(client, town):
    client.force_login(CitizenFactory())
    response = client.post(reverse("appeals:file"), filing(attachments=[photo(SYDNEY_PHOTO)]))
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.latitude is None and appeal.attachments.count() == 1


def test_a_place_already_marked_wins_and_nothing_is_offered(client, town):
    client.force_login(CitizenFactory())
    response = client.post(
        reverse("appeals:file"),
        filing(latitude="56.001000", longitude="38.002000", attachments=[photo(TOWN_PHOTO)]),
    )
    assert response.status_code == 302
    assert str(Appeal.objects.get().latitude) == "56.001000"


def test_the_offer_is_shown_beside_other_errors_and_use_keeps_them(client, town):
    client.force_login(CitizenFactory())
    response = client.post(
        reverse("appeals:file"), filing(subject="", attachments=[photo(TOWN_PHOTO)])
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'id="photo-place"' in html
    pending = Attachment.objects.get(appeal__isnull=True)
    response = client.post(
        reverse("appeals:file"),
        filing(
            subject="",
            pending=str(pending.pk),
            photo_place="use",
            photo_latitude=hidden(html, "photo_latitude"),
            photo_longitude=hidden(html, "photo_longitude"),
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'id="photo-place"' not in html
    assert 'value="56.004000"' in html and 'value="38.005000"' in html  # now in the place fields
    assert not Appeal.objects.exists()


def test_a_forged_photo_place_outside_the_town_is_refused_like_a_typed_one(client, town):
    client.force_login(CitizenFactory())
    response = client.post(
        reverse("appeals:file"),
        filing(photo_place="use", photo_latitude="-33.868800", photo_longitude="151.209300"),
    )
    assert response.status_code == 400 and not Appeal.objects.exists()
