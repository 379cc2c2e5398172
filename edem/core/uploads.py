"""Checking and cleaning uploaded files (photos and PDFs attached to appeals).

A file is judged by its content, never by its name: images must decode as JPEG, PNG or WebP
(the pixel count is checked from the header before anything is decoded, against decompression
bombs), and are re-encoded from their pixels, which drops EXIF (GPS!) and any payload hidden
after the image; the EXIF orientation is applied first. PDFs must start with the PDF magic and
end with an EOF marker. Each refusal says why, in words a citizen understands.

Where a photo was taken (its EXIF GPS position) is read before it is dropped and handed back
with the cleaned file (``CleanFile.position``), never stored with it: a form may offer it as
the place of what is being reported.
"""

import hashlib
import io
import os
import uuid
import warnings

from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

MAX_FILES = 10
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; more is a bomb, not a photo
THUMB_SIZE = (320, 320)
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class UploadRefused(ValueError):
    """The file cannot be accepted; the message says why."""


class CleanFile:
    def __init__(
        self, *, content, name, content_type, width=None, height=None, thumbnail=None, position=None
    ):
        self.content = content
        self.position = position  # (latitude, longitude) from the photo's EXIF, or None
        self.name = name
        self.content_type = content_type
        self.width = width
        self.height = height
        self.thumbnail = thumbnail
        self.sha256 = hashlib.sha256(content).hexdigest()


def _read(upload):
    if upload.size is not None and upload.size > MAX_BYTES:
        raise UploadRefused(_("“%(name)s” is larger than 10 MB.") % {"name": upload.name})
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UploadRefused(_("“%(name)s” is larger than 10 MB.") % {"name": upload.name})
    if not data:
        raise UploadRefused(_("“%(name)s” is empty.") % {"name": upload.name})
    return data


def _clean_pdf(data, name):
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise UploadRefused(_("“%(name)s” is not a complete PDF document.") % {"name": name})
    return CleanFile(content=data, name=f"{uuid.uuid4().hex}.pdf", content_type="application/pdf")


def _complete(kind, data):
    """Whether the file ends where its format says it ends. Checked here because Pillow would
    silently decode a truncated image when another library (WeasyPrint does) has switched on
    ``ImageFile.LOAD_TRUNCATED_IMAGES`` for the whole process."""
    if kind == "JPEG":
        return data.rstrip(b"\0\r\n ").endswith(b"\xff\xd9")
    if kind == "PNG":
        return b"IEND" in data[-16:]
    if kind == "WEBP":
        return len(data) >= 12 and int.from_bytes(data[4:8], "little") + 8 <= len(data)
    return False


def _degrees(value, ref, negative):
    """Decimal degrees from EXIF's (degrees, minutes, seconds) rationals and its N/S or E/W."""
    degrees, minutes, seconds = (float(part) for part in value)
    number = degrees + minutes / 60 + seconds / 3600
    return -number if str(ref).strip().upper() == negative else number


def photo_position(image):
    """Where the photo was taken, from its EXIF GPS tags: (latitude, longitude) in decimal
    degrees, or None when it does not say (or says something impossible)."""
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        latitude = _degrees(
            gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef, "N"), "S"
        )
        longitude = _degrees(
            gps[ExifTags.GPS.GPSLongitude], gps.get(ExifTags.GPS.GPSLongitudeRef, "E"), "W"
        )
    except (KeyError, TypeError, ValueError, ZeroDivisionError, OSError):
        return None
    if not (abs(latitude) <= 90 and abs(longitude) <= 180) or (latitude, longitude) == (0, 0):
        return None  # also NaN; 0,0 is a camera without a fix
    return (latitude, longitude)


def _clean_image(data, name):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                width, height = probe.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRefused(
            _("“%(name)s” has too many pixels to be a photo.") % {"name": name}
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UploadRefused(
            _("“%(name)s” is not a JPEG, PNG or WebP image or a PDF.") % {"name": name}
        ) from exc
    if kind not in IMAGE_FORMATS:
        raise UploadRefused(
            _("“%(name)s” is not a JPEG, PNG or WebP image or a PDF.") % {"name": name}
        )
    if not _complete(kind, data):
        raise UploadRefused(_("“%(name)s” is damaged or incomplete.") % {"name": name})
    if width * height > MAX_PIXELS:
        raise UploadRefused(_("“%(name)s” has too many pixels to be a photo.") % {"name": name})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # a truncated file fails here
            position = photo_position(image)
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "RGBA", "L"):
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
            out = io.BytesIO()
            save_kind = kind
            if kind == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
            else:
                image.save(out, save_kind)
            thumb = image.copy()
            thumb.thumbnail(THUMB_SIZE)
            thumb_out = io.BytesIO()
            thumb.convert("RGB").save(thumb_out, "JPEG", quality=80)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UploadRefused(_("“%(name)s” is damaged or incomplete.") % {"name": name}) from exc
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[kind]
    stem = uuid.uuid4().hex
    return CleanFile(
        content=out.getvalue(),
        name=f"{stem}.{ext}",
        content_type=IMAGE_FORMATS[kind],
        width=image.width,
        height=image.height,
        thumbnail=ContentFile(thumb_out.getvalue(), name=f"{stem}-thumb.jpg"),
        position=position,
    )


class StoredFile(models.Model):
    """What a stored upload keeps beside its ``file`` and ``thumbnail`` (each model declares
    those two with its own folder); ``store`` fills it from a ``CleanFile``."""

    original_name = models.CharField(gettext_lazy("original name"), max_length=255)
    content_type = models.CharField(gettext_lazy("content type"), max_length=100)
    size = models.PositiveIntegerField(gettext_lazy("size (bytes)"))
    width = models.PositiveIntegerField(gettext_lazy("width"), null=True, blank=True)
    height = models.PositiveIntegerField(gettext_lazy("height"), null=True, blank=True)
    sha256 = models.CharField(gettext_lazy("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(gettext_lazy("uploaded"), default=timezone.now)

    class Meta:
        abstract = True


def store(record, clean, original_name):
    """Fill ``record`` (a ``StoredFile``) from ``clean`` and save it: the cleaned content
    under its new name, its thumbnail if it has one, and the name the person gave it."""
    record.original_name = (original_name or clean.name)[:255]
    record.content_type = clean.content_type
    record.size = len(clean.content)
    record.width = clean.width
    record.height = clean.height
    record.sha256 = clean.sha256
    record.file.save(clean.name, ContentFile(clean.content), save=False)
    if clean.thumbnail is not None:
        record.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
    record.save()
    return record


def clean_upload(upload):
    """Check one uploaded file and return a ``CleanFile`` ready to store, or raise
    ``UploadRefused`` with the reason."""
    data = _read(upload)
    name = os.path.basename(upload.name or "file")[:200]
    if data.startswith(b"%PDF-"):
        return _clean_pdf(data, name)
    return _clean_image(data, name)
