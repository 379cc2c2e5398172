"""Factories for the community tests: public problems with a place and a category."""

import io
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import AppealFactory

# Demograd's centre (the map's default): (56.0, 38.0).
LAT, LON = Decimal("56.000000"), Decimal("38.000000")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "appeals.Category"

    name = factory.Sequence(lambda n: f"Тема {n}")


class PublicAppealFactory(AppealFactory):
    """An appeal published as a public problem (the problems app makes its projection)."""

    is_public = True
    status = "registered"
    number = factory.Sequence(lambda n: f"ADM-2026-{n:06d}")
    category = factory.SubFactory(CategoryFactory)
    latitude = LAT
    longitude = LON
    subject = "Яма на дороге у дома 5"


def offset(metres_north=0, metres_east=0):
    """A point ``metres`` from the centre (good enough at this scale)."""
    import math

    dlat = metres_north / 111_320
    dlon = metres_east / (111_320 * math.cos(math.radians(float(LAT))))
    return (
        (LAT + Decimal(f"{dlat:.6f}")).quantize(Decimal("0.000001")),
        (LON + Decimal(f"{dlon:.6f}")).quantize(Decimal("0.000001")),
    )


def photo_upload(name="now.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
