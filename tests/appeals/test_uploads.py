"""Uploads are judged by content, cleaned, and refused with a reason."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from appeals.models import Appeal, Attachment
from edem.core.uploads import MAX_BYTES, UploadRefused, clean_upload
from tests.factories import CabinetFactory, CitizenFactory
from tests.helpers import read_streaming

from .test_citizen_views import post_data


def image_bytes(kind="JPEG", size=(64, 48), exif=None):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, kind, **({"exif": exif} if exif else {}))
    return out.getvalue()


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def gps_exif():
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (56.0, 0.0, 1.0), 3: "E", 4: (38.0, 0.0, 2.0)}  # GPSInfo
    exif[0x0112] = 6  # orientation: rotate 90°
    return exif


def pixel_flood_png(width=30000, height=30000):
    """A tiny PNG whose header claims a huge picture."""

    def chunk(tag, payload):
        return (
            struct.pack(">I", len(payload))
            + tag
            + payload
            + struct.pack(">I", zlib.crc32(tag + payload) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def _english():
    """The reasons are asserted in English (the source language)."""
    with translation.override("en"):
        yield


def test_png_renamed_jpg_is_accepted_as_png():
    clean = clean_upload(upload("photo.jpg", image_bytes("PNG")))
    assert clean.content_type == "image/png" and clean.name.endswith(".png")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("page.jpg", b"<html><script>alert(1)</script></html>", "not a JPEG"),
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "not a JPEG",
        ),
        ("empty.jpg", b"", "empty"),
        ("cut.jpg", image_bytes("JPEG", (400, 300))[:-400], "damaged"),
        ("flood.png", pixel_flood_png(), "too many pixels"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj\n", "not a complete PDF"),
    ],
)
def test_bad_files_are_refused_with_a_reason(name, data, reason):
    with pytest.raises(UploadRefused) as excinfo:
        clean_upload(upload(name, data))
    assert reason in str(excinfo.value) and name in str(excinfo.value)


def test_file_over_10_mb_is_refused():
    with pytest.raises(UploadRefused, match="10 MB"):
        clean_upload(upload("big.jpg", b"\xff\xd8" + b"0" * MAX_BYTES))


def test_gps_exif_is_stripped_and_orientation_applied():
    data = image_bytes("JPEG", (64, 48), exif=gps_exif())
    assert Image.open(io.BytesIO(data)).getexif().get(0x8825)
    clean = clean_upload(upload("street.jpg", data))
    stored = Image.open(io.BytesIO(clean.content))
    assert not stored.getexif()
    assert stored.size == (48, 64)  # rotated upright
    assert clean.thumbnail is not None


def test_pdf_is_accepted():
    from edem.documents.pdf import html_to_pdf

    clean = clean_upload(upload("scan.pdf", html_to_pdf("<p>Скан</p>"), "application/pdf"))
    assert clean.content_type == "application/pdf"


@pytest.mark.django_db
def test_form_error_keeps_uploaded_files_as_pending_and_they_attach_on_resubmit(client):
    CabinetFactory(kind="administration")
    citizen = CitizenFactory()
    client.force_login(citizen)
    response = client.post(
        reverse("appeals:file"),
        {
            **post_data(subject=""),
            "attachments": [upload("a.jpg", image_bytes()), upload("b.png", image_bytes("PNG"))],
        },
    )
    assert response.status_code == 400
    pending = list(Attachment.objects.filter(uploaded_by=citizen, appeal__isnull=True))
    assert len(pending) == 2
    html = response.content.decode()
    assert "a.jpg" in html and "b.png" in html
    ids = ",".join(str(a.pk) for a in pending)
    response = client.post(
        reverse("appeals:file"),
        {**post_data(), "pending": ids, "remove_attachment": [str(pending[1].pk)]},
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(author=citizen)
    assert [a.original_name for a in appeal.attachments.all()] == ["a.jpg"]
    response = client.get(reverse("appeals:my_attachment", args=[appeal.pk, pending[0].pk]))
    assert response.status_code == 200 and read_streaming(response)[:2] == b"\xff\xd8"
    other = CitizenFactory()
    client.force_login(other)
    assert (
        client.get(reverse("appeals:my_attachment", args=[appeal.pk, pending[0].pk])).status_code
        == 404
    )


@pytest.mark.django_db
def test_eleventh_file_is_refused(client):
    CabinetFactory(kind="administration")
    citizen = CitizenFactory()
    client.force_login(citizen)
    files = [upload(f"{i}.jpg", image_bytes()) for i in range(11)]
    response = client.post(reverse("appeals:file"), {**post_data(), "attachments": files})
    assert response.status_code == 400
    assert "10" in response.content.decode()
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_someone_elses_pending_upload_cannot_be_claimed(client):
    CabinetFactory(kind="administration")
    owner, thief = CitizenFactory(), CitizenFactory()
    client.force_login(owner)
    client.post(
        reverse("appeals:file"),
        {**post_data(subject=""), "attachments": [upload("x.jpg", image_bytes())]},
    )
    stolen = Attachment.objects.get()
    client.force_login(thief)
    client.post(reverse("appeals:file"), {**post_data(), "pending": str(stolen.pk)})
    assert Appeal.objects.get(author=thief).attachments.count() == 0
