"""Intake the portal lacked: the registrar's entry of paper, post and e-mail-scan appeals (R4)
and appeals on behalf of organisations (59-FZ Art. 1(4))."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from appeals import services
from appeals.models import Appeal, Attachment
from appeals.workflow import Status
from cabinets.roles import Role
from edem.core import orgnumbers
from edem.core.idempotency import FIELD_NAME, new_token
from edem.core.workflow import TransitionNotAllowed
from tests.factories import CabinetFactory, CitizenFactory, member

pytestmark = pytest.mark.django_db

OGRN = "1027700132195"  # a real ОГРН (check digit 5)
INN = "7707083893"  # a real ИНН of an organisation
EDRPOU = "14360570"  # a real код ЄДРПОУ


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile("scan.jpg", out.getvalue(), content_type="image/jpeg")


def png():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile("scan.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def desk():
    cabinet = CabinetFactory(code="adm")
    return cabinet, member(cabinet, Role.REGISTRAR)


def entry(cabinet, **overrides):
    data = {
        "cabinet": cabinet.pk,
        "channel": "post",
        "received_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "kind": "statement",
        "subject": "Не вывозят мусор",
        "text": "Третью неделю не вывозят мусор со двора.",
        "last_name": "Сидоров",
        "first_name": "Иван",
        "postal_address": "Демоград, ул. Речная, 7",
        "answer_channel": "post",
        "register_now": "on",
        FIELD_NAME: new_token(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- (a) R4: the registrar's entry form -------------------------------------------------


def test_R4_registrar_enters_a_post_appeal_with_a_scan_and_lands_on_its_card(client, desk):
    cabinet, registrar = desk
    client.force_login(registrar)
    queue = client.get(reverse("appeals_service:queue")).content.decode()
    assert reverse("appeals_service:enter") in queue
    response = client.post(reverse("appeals_service:enter"), {**entry(cabinet), "scans": jpeg()})
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals_service:card", args=[appeal.pk])
    assert appeal.channel == Appeal.Channel.POST and appeal.author is None
    assert appeal.status == Status.REGISTERED and appeal.number  # registered at once (R4)
    assert timezone.localtime(appeal.received_at).date() == timezone.localdate() - timedelta(1)
    assert appeal.registration_due == timezone.localdate() - timedelta(1) + timedelta(3)
    scan = appeal.attachments.get()
    assert scan.content_type == "image/jpeg" and scan.uploaded_by == registrar
    event = appeal.events.get(action="receive")
    assert event.data["entered_by_registrar"] and event.actor == registrar


def test_R4_the_same_entry_sent_twice_enters_one_appeal(client, desk):
    cabinet, registrar = desk
    client.force_login(registrar)
    data = entry(cabinet)
    first = client.post(reverse("appeals_service:enter"), data)
    second = client.post(reverse("appeals_service:enter"), data)
    assert Appeal.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_R4_errors_come_back_beside_the_fields_with_everything_typed(client, desk):
    cabinet, registrar = desk
    client.force_login(registrar)
    response = client.post(
        reverse("appeals_service:enter"),
        {**entry(cabinet, postal_address="", last_name=""), "scans": jpeg()},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "postal_address" in form.errors and "last_name" in form.errors
    html = response.content.decode()
    assert "Третью неделю не вывозят мусор" in html and 'value="Иван"' in html
    kept = form.pending_attachments  # the scan is kept for the next try
    assert len(kept) == 1 and f'value="{kept[0].pk}"' in html
    assert not Appeal.objects.exists()
    response = client.post(
        reverse("appeals_service:enter"),
        entry(cabinet, pending=str(kept[0].pk), postal_address="Демоград, ул. Речная, 7"),
    )
    assert response.status_code == 302
    assert list(Appeal.objects.get().attachments.all()) == kept


def test_R4_scans_are_pdf_or_jpeg_with_the_content_checks_of_citizens_uploads(client, desk):
    cabinet, registrar = desk
    client.force_login(registrar)
    for bad in (
        png(),
        SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
    ):
        response = client.post(reverse("appeals_service:enter"), {**entry(cabinet), "scans": bad})
        assert response.status_code == 400
        assert response.context["form"].errors["scans"]
    assert not Appeal.objects.exists() and not Attachment.objects.exists()


def test_R4_only_registrars_and_heads_reach_the_entry_form(client, desk):
    cabinet, _registrar = desk
    for role, expected in ((Role.HEAD, 200), (Role.EXECUTOR, 404), (Role.OBSERVER, 404)):
        client.force_login(member(cabinet, role))
        assert client.get(reverse("appeals_service:enter")).status_code == expected, role
    client.force_login(CitizenFactory())
    assert client.get(reverse("appeals_service:enter")).status_code == 404
    # A registrar of another cabinet cannot enter into this one (the service refuses too).
    other = member(CabinetFactory(), Role.REGISTRAR)
    client.force_login(other)
    response = client.post(reverse("appeals_service:enter"), entry(cabinet))
    assert response.status_code == 400 and "cabinet" in response.context["form"].errors
    with pytest.raises(TransitionNotAllowed):
        services.enter_paper_appeal(
            actor=other, cabinet=cabinet, channel="paper", received_at=timezone.now(),
            kind="statement", last_name="Сидоров", postal_address="ул. Речная, 7",
            subject="s", text="t", answer_channel="post",
        )  # fmt: skip


def test_R4_the_registrar_finds_the_citizens_account_and_the_appeal_is_theirs(client, desk):
    cabinet, registrar = desk
    citizen = CitizenFactory(last_name="Кузнецова", email="kuz@example.org")
    client.force_login(registrar)
    data = entry(cabinet, last_name="", first_name="", postal_address="", citizen_query="кузнец")
    found = client.post(reverse("appeals_service:enter"), {**data, "find": "1"})
    assert found.status_code == 200 and not Appeal.objects.exists()
    assert [u.pk for u in found.context["found"]] == [citizen.pk]
    assert "kuz@example.org" in found.content.decode()
    response = client.post(reverse("appeals_service:enter"), {**data, "author": citizen.pk})
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.author == citizen and appeal.last_name == "Кузнецова"
    assert appeal.postal_address == citizen.postal_address


def test_R4_e_mail_scan_channel_and_the_answer_address_checked_in_the_service(desk):
    cabinet, registrar = desk
    fields = {
        "kind": "statement", "last_name": "Сидоров", "subject": "s", "text": "t",
        "email": "sidorov@example.org",
    }  # fmt: skip
    appeal = services.enter_paper_appeal(
        actor=registrar, cabinet=cabinet, channel=Appeal.Channel.EMAIL_SCAN,
        received_at=timezone.now(), answer_channel="email", **fields,
    )  # fmt: skip
    assert appeal.channel == "email_scan" and appeal.status == Status.RECEIVED
    postal = str(Appeal._meta.get_field("postal_address").verbose_name)
    with pytest.raises(TransitionNotAllowed, match=postal):  # R3: post needs it
        services.enter_paper_appeal(
            actor=registrar, cabinet=cabinet, channel="paper", received_at=timezone.now(),
            answer_channel="post", **fields,
        )  # fmt: skip
    with pytest.raises(TransitionNotAllowed):
        services.enter_paper_appeal(
            actor=registrar, cabinet=cabinet, channel="portal", received_at=timezone.now(),
            answer_channel="email", **fields,
        )  # fmt: skip


# --- (b) 59-FZ Art. 1(4): organisations as appellants ------------------------------------


def test_registration_numbers_check_digits():
    assert orgnumbers.is_ogrn(OGRN) and not orgnumbers.is_ogrn(OGRN[:-1] + "6")
    assert orgnumbers.is_ogrn("304500116000157")  # ОГРНИП, 15 digits
    assert orgnumbers.is_inn(INN) and not orgnumbers.is_inn("7707083894")
    assert orgnumbers.is_inn("500100732259")  # 12-digit ИНН
    assert orgnumbers.is_edrpou(EDRPOU) and not orgnumbers.is_edrpou("14360571")
    assert orgnumbers.is_edrpou("00032129")
    assert orgnumbers.is_valid("1027 7001 32195", ("ogrn",))


def test_R1_organisation_numbers_come_from_the_jurisdiction_profile(settings, desk):
    cabinet, registrar = desk
    fields = {
        "kind": "proposal", "last_name": "Сидоров", "postal_address": "ул. Речная, 7",
        "subject": "s", "text": "t", "answer_channel": "post",
        "organisation_name": "ТСЖ «Речная, 7»", "signer_position": "председатель",
    }  # fmt: skip

    def enter(number):
        return services.enter_paper_appeal(
            actor=registrar, cabinet=cabinet, channel="paper", received_at=timezone.now(),
            organisation_number=number, **fields,
        )  # fmt: skip

    assert enter(OGRN).organisation_number == OGRN
    assert enter(INN).on_behalf_of_organisation
    with pytest.raises(TransitionNotAllowed, match="EDRPOU|ЕДРПОУ|ЄДРПОУ|OGRN|ОГРН"):
        enter(EDRPOU)  # a Ukrainian code under the ru profile
    settings.EDEM_JURISDICTION = "ua"
    assert enter(EDRPOU).organisation_number == EDRPOU
    with pytest.raises(TransitionNotAllowed):
        enter(OGRN)


def test_R1_an_organisations_appeal_needs_the_signers_position_and_a_name(desk):
    cabinet, registrar = desk
    base = {
        "kind": "proposal", "last_name": "Сидоров", "postal_address": "ул. Речная, 7",
        "subject": "s", "text": "t", "answer_channel": "post",
    }  # fmt: skip
    with pytest.raises(TransitionNotAllowed, match="должность"):
        services.enter_paper_appeal(
            actor=registrar, cabinet=cabinet, channel="paper", received_at=timezone.now(),
            organisation_name="ТСЖ", organisation_number=OGRN, **base,
        )  # fmt: skip
    with pytest.raises(TransitionNotAllowed, match="Укажите организацию"):
        services.enter_paper_appeal(
            actor=registrar, cabinet=cabinet, channel="paper", received_at=timezone.now(),
            organisation_number=OGRN, **base,
        )  # fmt: skip


def test_R1_the_paper_form_checks_the_organisation_beside_its_fields(client, desk):
    cabinet, registrar = desk
    client.force_login(registrar)
    response = client.post(
        reverse("appeals_service:enter"),
        entry(cabinet, organisation_name="ТСЖ «Речная, 7»", organisation_number="123"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "organisation_number" in errors and "signer_position" in errors
    response = client.post(
        reverse("appeals_service:enter"),
        entry(
            cabinet,
            organisation_name="ТСЖ «Речная, 7»",
            organisation_number=INN,
            signer_position="председатель правления",
        ),
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    card = client.get(reverse("appeals_service:card", args=[appeal.pk])).content.decode()
    assert "ТСЖ «Речная, 7»" in card and INN in card


def test_R1_a_citizen_files_on_behalf_of_an_organisation_on_the_portal(client):
    from .test_citizen_views import post_data

    CabinetFactory(code="adm", kind="administration")
    client.force_login(CitizenFactory())
    response = client.post(
        reverse("appeals:file"),
        post_data(organisation_name="ТСЖ «Садовая, 5»", organisation_number="1027700132194"),
    )
    assert response.status_code == 400  # a wrong check digit, and no signer's position
    errors = response.context["form"].errors
    assert set(errors) == {"organisation_number", "signer_position"}
    assert "ТСЖ «Садовая, 5»" in response.content.decode()
    response = client.post(
        reverse("appeals:file"),
        post_data(
            organisation_name="ТСЖ «Садовая, 5»",
            organisation_number=f" {OGRN} ",
            signer_position="председатель правления",
        ),
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.organisation_name, appeal.organisation_number) == ("ТСЖ «Садовая, 5»", OGRN)
    assert appeal.signer_position == "председатель правления"
    # The service refuses a bad number even without the form.
    with pytest.raises(TransitionNotAllowed):
        services.file_appeal(
            author=CitizenFactory(), kind="statement", subject="s", text="t",
            last_name="Иванова", first_name="Мария", email="i@example.org",
            answer_channel="email", organisation_name="ТСЖ", organisation_number="123",
            signer_position="председатель",
        )  # fmt: skip


def test_R1_the_answer_letter_is_addressed_to_the_organisation():
    from pypdf import PdfReader

    from appeals.letters import answer_letter_pdf
    from appeals.models import Answer
    from tests.factories import AppealFactory

    appeal = AppealFactory(
        organisation_name="ТСЖ «Речная, 7»",
        organisation_number=OGRN,
        signer_position="председатель правления",
        number="ADM-1",
    )
    answer = Answer(
        appeal=appeal, text="Ответ по существу.", verification_code="ABCD-EFGH-JKLM",
        signer_name="Глава", signed_at=timezone.now(),
    )  # fmt: skip
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(answer_letter_pdf(answer))).pages
    )
    assert "ТСЖ «Речная, 7»" in text and "председатель правления" in text
    plain = AppealFactory(number="ADM-2")
    answer.appeal = plain
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(answer_letter_pdf(answer))).pages
    )
    assert "ТСЖ" not in text and plain.last_name in text
