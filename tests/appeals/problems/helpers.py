"""Factories of public problems for these tests (built on tests/factories.py)."""

import io
from decimal import Decimal

from django.core.files.base import ContentFile
from PIL import Image

from appeals.models import Appeal, Attachment, Category, CoSigner
from tests.factories import AppealFactory, CitizenFactory
from tests.helpers import appeal_changed

SECRET_EMAIL = "secret.author@example.org"
SECRET_PHONE = "+7 999 123-45-67"
SECRET_ADDRESS = "Демоград, ул. Тайная, д. 13, кв. 77"
SECRET_LAST = "Засекреченный"
SECRET_FIRST = "Аристарх"
SECRET_PATRONYMIC = "Евлампиевич"
COSIGNER_EMAIL = "cosigner.hidden@example.org"


def public_appeal(lat=56.005, lon=38.005, *, is_public=True, **kwargs):
    kwargs.setdefault("status", "registered")
    kwargs.setdefault("number", "")
    return AppealFactory(
        is_public=is_public,
        latitude=Decimal(str(lat)),
        longitude=Decimal(str(lon)),
        **kwargs,
    )


def personal_appeal(**kwargs):
    """A public appeal full of personal data that must never be public."""
    author = CitizenFactory(
        email=SECRET_EMAIL, last_name=SECRET_LAST, first_name=SECRET_FIRST, patronymic=""
    )
    appeal = public_appeal(
        author=author,
        last_name=SECRET_LAST,
        first_name=SECRET_FIRST,
        patronymic=SECRET_PATRONYMIC,
        email=SECRET_EMAIL,
        phone=SECRET_PHONE,
        postal_address=SECRET_ADDRESS,
        subject="Сломан фонарь",
        text=f"Фонарь не горит. Пишите мне: {SECRET_EMAIL}, тел. {SECRET_PHONE}.",
        category=Category.objects.create(name="Освещение"),
        **kwargs,
    )
    CoSigner.objects.create(appeal=appeal, email=COSIGNER_EMAIL, token="tok-" + str(appeal.pk))
    appeal.save()
    appeal_changed(appeal)  # re-project now that the co-signer exists
    return appeal


def personal_values(appeal):
    return [
        SECRET_EMAIL,
        SECRET_PHONE,
        SECRET_ADDRESS,
        SECRET_LAST,
        SECRET_FIRST,
        SECRET_PATRONYMIC,
        COSIGNER_EMAIL,
        appeal.author.email,
    ]


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def photo(appeal, stage=Attachment.Stage.INITIAL):
    data = jpeg()
    attachment = Attachment(
        appeal=appeal,
        uploaded_by=appeal.author,
        stage=stage,
        original_name=f"{SECRET_LAST}.jpg",
        content_type="image/jpeg",
        size=len(data),
        width=64,
        height=48,
        sha256="0" * 64,
    )
    attachment.file.save("p.jpg", ContentFile(data), save=False)
    attachment.thumbnail.save("t.jpg", ContentFile(data), save=False)
    attachment.save()
    return attachment


def make_private(appeal):
    appeal = Appeal.objects.get(pk=appeal.pk)
    appeal.is_public = False
    appeal.save()
    appeal_changed(appeal)
    return appeal
