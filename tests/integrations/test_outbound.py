"""Letters to bodies outside the portal (issue 13 points 1-2): R5 forwarding, R11 part 1 to
law enforcement, R7 requests, each sent by e-mail with a reply address unique to the case."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from appeals import services
from appeals.workflow import Status
from cabinets.models import ExternalBody
from edem.core.workflow import TransitionNotAllowed
from edem.documents.pdf import html_to_pdf
from integrations.gateway import tokens
from integrations.models import GatewayLetter
from tests.factories import AppealFactory, CitizenFactory


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def registered_appeal(cabinet, registrar, **fields):
    appeal = AppealFactory(cabinet=cabinet, status=Status.RECEIVED, **fields)
    return services.register(appeal=appeal, actor=registrar)


def with_file(appeal, author):
    pdf = html_to_pdf("<p>Фото ямы</p>")
    upload = SimpleUploadedFile("схема ямы.pdf", pdf, content_type="application/pdf")
    attachment = services.store_upload(upload=upload, actor=author)
    attachment.appeal = appeal
    attachment.save()
    return attachment


@pytest.fixture
def gateway(settings):
    settings.EDEM_GATEWAY_ADDRESS = "gateway@demograd.example"


def test_R5_forwarding_to_an_external_body_mails_the_letter_and_files_and_tells_the_citizen(
    cabinet, registrar, prosecutor, gateway, django_capture_on_commit_callbacks
):
    author = CitizenFactory(email="citizen@example.org")
    appeal = registered_appeal(cabinet, registrar, author=author, email="citizen@example.org")
    with_file(appeal, author)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.forward(
            appeal=appeal, actor=registrar, to_body=prosecutor, reason="Не наша компетенция"
        )
    assert appeal.status == Status.FORWARDED and appeal.cabinet == cabinet
    assert appeal.closed_at is not None and appeal.result == "forwarded"
    to_body = [m for m in mail.outbox if m.to == ["prokuratura@demograd.example"]]
    assert len(to_body) == 1
    message = to_body[0]
    letter = GatewayLetter.objects.get(appeal=appeal)
    assert letter.kind == "forward" and letter.body == prosecutor
    assert message.extra_headers["Reply-To"] == f"gateway+{letter.token}@demograd.example"
    assert f"[ref:{letter.token}]" in message.subject
    names = [name for name, _content, _type in message.attachments]
    assert names == ["letter.pdf", "схема ямы.pdf"]
    text = pdf_text(message.attachments[0][1])
    assert appeal.number in text and "Прокуратура Демограда" in text
    assert f"gateway+{letter.token}@demograd.example" in text
    assert any(m.to == ["citizen@example.org"] for m in mail.outbox)  # R5: the citizen is told
    line = appeal.events.get(action="external_letter")
    assert (
        line.data["body"] == prosecutor.pk and line.data["notification"] == letter.notification_id
    )
    assert line.is_public is False


def test_R5_the_letter_is_sent_once_even_when_the_event_is_delivered_twice(
    cabinet, registrar, prosecutor, gateway, django_capture_on_commit_callbacks
):
    from edem.core.events import AppealForwarded
    from integrations.gateway.outbound import send_on_event

    appeal = registered_appeal(cabinet, registrar)
    with django_capture_on_commit_callbacks(execute=True):
        services.forward(appeal=appeal, actor=registrar, to_body=prosecutor, reason="Компетенция")
    line = appeal.events.get(action="forward")
    send_on_event(AppealForwarded(appeal_id=appeal.pk, history_id=line.pk, action="forward"))
    assert GatewayLetter.objects.filter(appeal=appeal).count() == 1
    assert appeal.events.filter(action="external_letter").count() == 1


def test_R5_forward_names_either_a_cabinet_or_an_external_body(cabinet, registrar, prosecutor):
    appeal = registered_appeal(cabinet, registrar)
    with pytest.raises(TransitionNotAllowed):
        services.forward(appeal=appeal, actor=registrar, reason="x")
    prosecutor.is_active = False
    prosecutor.save()
    with pytest.raises(TransitionNotAllowed):
        services.forward(appeal=appeal, actor=registrar, to_body=prosecutor, reason="x")


def test_R11_part_1_an_anonymous_offence_report_is_mailed_to_law_enforcement_without_notice(
    cabinet, head, registrar, prosecutor, gateway, django_capture_on_commit_callbacks
):
    appeal = services.enter_paper_appeal(
        actor=registrar,
        cabinet=cabinet,
        channel="paper",
        received_at=timezone.now(),
        reports_offence=True,
        kind="statement",
        subject="Кража",
        text="Украли велосипед у подъезда.",
    )
    appeal = services.register(appeal=appeal, actor=registrar)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.close_no_merits(
            appeal=appeal,
            actor=head,
            ground="no_name_or_address",
            note="Анонимное сообщение о преступлении",
            law_enforcement_body=prosecutor,
        )
    assert appeal.events.get(action="close_no_merits").data["law_enforcement"] == prosecutor.name
    assert [m.to for m in mail.outbox] == [["prokuratura@demograd.example"]]  # no notice
    assert "Украли велосипед" in pdf_text(mail.outbox[0].attachments[0][1])
    assert GatewayLetter.objects.get(appeal=appeal).kind == "law_enforcement"


def test_R11_part_1_only_a_law_enforcement_body_takes_an_offence_report(
    cabinet, head, registrar, prosecutor
):
    appeal = registered_appeal(cabinet, registrar, last_name="", email="", postal_address="")
    ministry = ExternalBody.objects.create(
        name="Министерство", kind=ExternalBody.Kind.REGIONAL, email="min@example.org"
    )
    with pytest.raises(TransitionNotAllowed):
        services.close_no_merits(
            appeal=appeal,
            actor=head,
            ground="no_name_or_address",
            note="x",
            law_enforcement_body=ministry,
        )


def test_R7_a_request_for_documents_to_an_external_body_is_mailed(
    cabinet, head, registrar, prosecutor, gateway, django_capture_on_commit_callbacks
):
    appeal = registered_appeal(cabinet, registrar)
    with django_capture_on_commit_callbacks(execute=True):
        request = services.send_external_request(
            appeal=appeal, actor=head, body=prosecutor, subject="Материалы проверки"
        )
    assert request.addressee == prosecutor.name and request.body == prosecutor
    letter = GatewayLetter.objects.get(appeal=appeal)
    assert letter.kind == "request" and letter.request == request
    sent = [m for m in mail.outbox if m.to == ["prokuratura@demograd.example"]]
    assert len(sent) == 1 and "Материалы проверки" in pdf_text(sent[0].attachments[0][1])


def test_reply_tokens_are_signed_so_a_forged_one_is_recognised():
    token = tokens.new_token()
    assert tokens.is_genuine(token) and tokens.is_genuine(token.upper())
    forged = token[:-1] + ("a" if token[-1] != "a" else "b")
    assert not tokens.is_genuine(forged)
    assert not tokens.is_genuine("x" * 24) and not tokens.is_genuine("")
    assert tokens.new_token() != token


def test_the_demo_town_has_the_prosecutors_office_to_forward_to(db):
    from django.core.management import call_command

    call_command("seed_demo", quiet=True, bare=True)
    call_command("seed_demo", quiet=True, bare=True)  # again: nothing twice
    body = ExternalBody.objects.get(name="Прокуратура Демограда")
    assert body.kind == ExternalBody.Kind.LAW_ENFORCEMENT and body.email
    assert ExternalBody.objects.filter(name="Прокуратура Демограда").count() == 1


def test_R5_the_card_offers_external_bodies_and_forwards_to_one_by_e_mail(
    client, cabinet, registrar, prosecutor, gateway, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    appeal = registered_appeal(cabinet, registrar)
    client.force_login(registrar)
    card = client.get(reverse("appeals_service:card", args=[appeal.pk]))
    assert 'name="forward-to_body"' in card.content.decode()
    url = reverse("appeals_service:act", args=[appeal.pk, "forward"])
    both = client.post(
        url, {"forward-to_cabinet": "", "forward-to_body": "", "forward-reason": "Компетенция"}
    )
    assert both.status_code == 400  # the form comes back with the error
    assert "forward-to_body" in both.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"forward-to_body": prosecutor.pk, "forward-reason": "Компетенция"}
        )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.FORWARDED
    assert any(m.to == [prosecutor.email] for m in mail.outbox)
