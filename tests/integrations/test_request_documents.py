"""R7 requests for documents from the appeal card: to a body of the directory (mailed by the
gateway with the chosen files and a reply token, the reply filed back), to a cabinet of the
portal, or by post; who may send one, the refusals, and the case file that shows each request
with its due date, its sending and its replies."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from appeals import services
from appeals.models import ExternalRequest
from appeals.workflow import Status
from cabinets.models import ExternalBody
from cabinets.roles import Role
from edem.core.workflow import TransitionNotAllowed
from edem.documents.pdf import html_to_pdf
from edem.notifications.services import mark_bounced
from integrations.gateway import inbound
from integrations.models import GatewayLetter
from tests.factories import AppealFactory, CabinetFactory, CitizenFactory, member

from .test_inbound import reply
from .test_outbound import pdf_text, registered_appeal, with_file


@pytest.fixture
def case(cabinet, registrar, head, settings):
    settings.EDEM_GATEWAY_ADDRESS = "gateway@demograd.example"
    author = CitizenFactory(email="citizen@example.org")
    appeal = registered_appeal(
        cabinet,
        registrar,
        author=author,
        email="citizen@example.org",
        last_name="Петров",
        text="Во дворе дома 7 яма, прошу засыпать.",
    )
    executor = member(cabinet, Role.EXECUTOR, email="executor@demograd.example")
    appeal = services.assign(appeal=appeal, actor=head, executor=executor)
    mail.outbox.clear()
    return appeal, executor


def _send(appeal, actor, callbacks, **fields):
    with callbacks(execute=True):
        return services.send_external_request(appeal=appeal, actor=actor, **fields)


def test_R7_request_to_a_body_mails_the_chosen_files_and_no_personal_data(
    case, prosecutor, django_capture_on_commit_callbacks
):
    appeal, executor = case
    chosen = with_file(appeal, appeal.author)
    with_file(appeal, appeal.author)  # a second file, not chosen
    request = _send(
        appeal,
        executor,
        django_capture_on_commit_callbacks,
        body=prosecutor,
        subject="Материалы проверки по адресу",
        text="Просим направить акт осмотра.",
        files=[chosen],
    )
    assert request.due_on == request.sent_on + timedelta(days=15)
    [sent] = mail.outbox  # to the body only: the citizen is not told of a request
    assert sent.to == ["prokuratura@demograd.example"]
    letter = GatewayLetter.objects.get(appeal=appeal)
    assert sent.extra_headers["Reply-To"] == f"gateway+{letter.token}@demograd.example"
    assert letter.token in sent.subject
    assert [name for name, *_rest in sent.attachments] == ["letter.pdf", chosen.original_name]
    text = pdf_text(sent.attachments[0][1])
    assert "Материалы проверки" in text and "акт осмотра" in text
    assert "Петров" not in text and "citizen@example.org" not in text  # 59-FZ Art. 6(2)
    request.refresh_from_db()
    assert request.notification == letter.notification
    assert request.sending == ExternalRequest.Sending.EMAILED
    line = appeal.events.get(action="external_request")
    assert line.data["files"] == [chosen.pk] and line.data["due"] == request.due_on.isoformat()


def test_R7_request_to_a_cabinet_of_the_portal_tells_its_registrars(
    case, django_capture_on_commit_callbacks
):
    appeal, executor = case
    other = CabinetFactory(name="Комитет по земле")
    registrar = member(other, Role.REGISTRAR, email="land@demograd.example")
    request = _send(
        appeal, executor, django_capture_on_commit_callbacks, to_cabinet=other, subject="Выписка"
    )
    assert request.addressee == "Комитет по земле" and request.to_cabinet == other
    [sent] = mail.outbox
    assert sent.to == [registrar.email] and "Выписка" in sent.body
    assert request.sending == ExternalRequest.Sending.PORTAL
    assert not GatewayLetter.objects.exists()


def test_R7_a_request_by_post_waits_to_be_posted(case, django_capture_on_commit_callbacks):
    appeal, executor = case
    request = _send(
        appeal,
        executor,
        django_capture_on_commit_callbacks,
        addressee="Архив, ул. Мира, 1",
        subject="Копия",
    )
    assert request.sending == ExternalRequest.Sending.POST and not mail.outbox


def test_R7_a_bounced_request_shows_as_failed(case, prosecutor, django_capture_on_commit_callbacks):
    appeal, executor = case
    request = _send(
        appeal, executor, django_capture_on_commit_callbacks, body=prosecutor, subject="Акт"
    )
    request.refresh_from_db()
    mark_bounced(request.notification_id, "550 no such user")
    request.refresh_from_db()
    assert request.sending == ExternalRequest.Sending.FAILED


def test_R7_who_may_request_and_what_is_refused(case, cabinet, head, registrar, prosecutor):
    appeal, executor = case
    observer = member(cabinet, Role.OBSERVER)
    other_executor = member(cabinet, Role.EXECUTOR)
    for person in (registrar, observer, other_executor):
        with pytest.raises(TransitionNotAllowed):
            services.send_external_request(
                appeal=appeal, actor=person, body=prosecutor, subject="x"
            )
    services.send_external_request(appeal=appeal, actor=head, body=prosecutor, subject="x")
    foreign_file = with_file(AppealFactory(cabinet=cabinet), appeal.author)
    refused = [
        {"subject": " ", "body": prosecutor},
        {"subject": "x"},  # no addressee
        {"subject": "x", "body": prosecutor, "to_cabinet": CabinetFactory()},
        {"subject": "x", "to_cabinet": cabinet},  # its own cabinet
        {"subject": "x", "addressee": "Архив", "files": [foreign_file]},
    ]
    for fields in refused:
        with pytest.raises(TransitionNotAllowed):
            services.send_external_request(appeal=appeal, actor=executor, **fields)
    closed = ExternalBody.objects.create(
        name="Упразднённый орган", email="old@example.org", is_active=False
    )
    with pytest.raises(TransitionNotAllowed):
        services.send_external_request(appeal=appeal, actor=executor, body=closed, subject="x")


def test_R7_no_request_before_registration_or_after_the_case_is_closed(
    cabinet, head, registrar, prosecutor
):
    received = AppealFactory(cabinet=cabinet, status=Status.RECEIVED)
    forwarded = registered_appeal(cabinet, registrar)
    forwarded = services.forward(
        appeal=forwarded, actor=registrar, to_body=prosecutor, reason="Компетенция"
    )
    for appeal in (received, forwarded):
        with pytest.raises(TransitionNotAllowed):
            services.send_external_request(appeal=appeal, actor=head, body=prosecutor, subject="x")


def test_R7_R6_the_body_complained_about_requests_nothing(cabinet, head, registrar, prosecutor):
    appeal = registered_appeal(cabinet, registrar, kind="complaint", respondent_cabinet=cabinet)
    with pytest.raises(TransitionNotAllowed):
        services.send_external_request(appeal=appeal, actor=head, body=prosecutor, subject="x")


# --- the card -------------------------------------------------------------------------------


def _form(client, appeal):
    return client.get(reverse("appeals_service:card", args=[appeal.pk])).content.decode()


def test_R7_the_card_offers_the_request_to_the_executor_and_the_head_only(
    client, case, cabinet, head, registrar
):
    appeal, executor = case
    for person, offered in ((executor, True), (head, True), (registrar, False)):
        client.force_login(person)
        page = _form(client, appeal)
        assert ('id="action-request_documents"' in page) is offered, person


def test_R7_a_bad_request_form_keeps_the_input_and_shows_errors_beside_fields(
    client, case, prosecutor
):
    appeal, executor = case
    client.force_login(executor)
    url = reverse("appeals_service:act", args=[appeal.pk, "request_documents"])
    cases = [
        ({"request_documents-subject": "Акт осмотра"}, "id_request_documents-body_error"),
        (
            {
                "request_documents-subject": "Акт осмотра",
                "request_documents-body": prosecutor.pk,
                "request_documents-addressee": "Архив",
                "request_documents-confirm": "on",
            },
            "id_request_documents-addressee_error",
        ),
        (
            {"request_documents-subject": "Акт осмотра", "request_documents-body": "999999"},
            "id_request_documents-body_error",
        ),
        (
            {"request_documents-subject": "Акт осмотра", "request_documents-body": "x'--"},
            "id_request_documents-body_error",
        ),
    ]
    with translation.override("en"):
        for data, error in cases:
            response = client.post(url, data)
            assert response.status_code == 400, data
            page = response.content.decode()
            assert error in page and "Акт осмотра" in page, data
            assert (
                'id="id_request_documents-confirm_error"' in page
                or "request_documents-confirm" in data
            )
    assert not ExternalRequest.objects.exists()


def test_R7_a_foreign_file_is_a_form_error_not_a_crash(client, case, cabinet, prosecutor):
    appeal, executor = case
    foreign = with_file(AppealFactory(cabinet=cabinet), appeal.author)
    with_file(appeal, appeal.author)
    client.force_login(executor)
    response = client.post(
        reverse("appeals_service:act", args=[appeal.pk, "request_documents"]),
        {
            "request_documents-subject": "Акт",
            "request_documents-body": prosecutor.pk,
            "request_documents-files": [foreign.pk],
            "request_documents-confirm": "on",
        },
    )
    assert response.status_code == 400
    assert "id_request_documents-files_error" in response.content.decode()


def test_R7_sent_from_the_card_the_request_and_its_filed_reply_show_in_the_case_file(
    client, case, prosecutor, django_capture_on_commit_callbacks
):
    appeal, executor = case
    client.force_login(executor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("appeals_service:act", args=[appeal.pk, "request_documents"]),
            {
                "request_documents-subject": "Акт осмотра двора",
                "request_documents-text": "Просим направить акт.",
                "request_documents-body": prosecutor.pk,
                "request_documents-confirm": "on",
            },
        )
    assert response.status_code == 302
    request = ExternalRequest.objects.get(appeal=appeal)
    letter = GatewayLetter.objects.get(request=request)
    message = reply(letter, text="Акт осмотра прилагаем.")
    with django_capture_on_commit_callbacks(execute=True):
        inbound.process(message.as_bytes())  # the IMAP task's own filing path
    page = _form(client, appeal)
    assert f'id="request-{request.pk}"' in page and "Акт осмотра двора" in page
    with translation.override(settings.LANGUAGE_CODE):  # the language the page speaks
        sent = str(ExternalRequest.Sending.EMAILED.label)
    assert sent in page and "Акт осмотра прилагаем." in page
    assert "prokuratura@demograd.example" in page
    request.refresh_from_db()
    assert request.answered_on == timezone.localdate()
    assert f'id="request-{request.pk}-overdue"' not in page


@pytest.fixture
def posted(client, case, django_capture_on_commit_callbacks):
    """A request by post from the appeal's executor, who is signed in."""
    appeal, executor = case
    request = _send(
        appeal, executor, django_capture_on_commit_callbacks, addressee="Архив", subject="Копия"
    )
    client.force_login(executor)
    return appeal, executor, request


def test_R7_an_unanswered_request_is_marked_overdue_after_15_days(client, posted):
    appeal, executor, request = posted
    assert f'id="request-{request.pk}-overdue"' not in _form(client, appeal)
    with time_machine.travel(timezone.now() + timedelta(days=16)):
        client.force_login(executor)
        assert f'id="request-{request.pk}-overdue"' in _form(client, appeal)


def test_R7_a_reply_by_post_is_filed_from_the_card_with_its_scan(client, posted):
    appeal, executor, request = posted
    url = reverse("appeals_service:record_reply", args=[appeal.pk, request.pk])
    assert f'id="reply-form-{request.pk}"' in _form(client, appeal)
    prefix = f"reply-{request.pk}"
    empty = client.post(url, {f"{prefix}-text": " "})
    assert empty.status_code == 400 and f"id_{prefix}-text_error" in empty.content.decode()
    bad = client.post(
        url,
        {
            f"{prefix}-text": "Копия прилагается",
            f"{prefix}-files": SimpleUploadedFile("scan.pdf", b"not a pdf", "application/pdf"),
        },
    )
    page = bad.content.decode()
    assert bad.status_code == 400 and f"id_{prefix}-files_error" in page
    assert "Копия прилагается" in page  # the text is kept
    scan = SimpleUploadedFile("скан.pdf", html_to_pdf("<p>Копия</p>"), "application/pdf")
    done = client.post(url, {f"{prefix}-text": "Копия прилагается", f"{prefix}-files": scan})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.answered_on == timezone.localdate()
    line = appeal.events.get(action="external_reply")
    assert line.actor == executor and line.data["request"] == request.pk
    page = _form(client, appeal)
    assert "Копия прилагается" in page and "скан.pdf" in page


def test_R7_a_reply_to_another_appeals_request_is_not_found(client, case, cabinet, head, registrar):
    appeal, executor = case
    other = registered_appeal(cabinet, registrar)
    foreign = services.send_external_request(
        appeal=other, actor=head, addressee="Архив", subject="Копия"
    )
    client.force_login(head)
    for pk in (foreign.pk, 999999):
        url = reverse("appeals_service:record_reply", args=[appeal.pk, pk])
        assert client.post(url, {f"reply-{pk}-text": "x"}).status_code == 404


def test_R7_a_request_by_post_has_a_printable_letter_and_the_day_it_was_posted(
    client, case, prosecutor, django_capture_on_commit_callbacks
):
    appeal, executor = case
    chosen = with_file(appeal, appeal.author)
    client.force_login(executor)
    response = client.post(
        reverse("appeals_service:act", args=[appeal.pk, "request_documents"]),
        {
            "request_documents-addressee": "Городской архив",
            "request_documents-postal_address": "ул. Мира, 1\nДемоград, 123456",
            "request_documents-subject": "Копия плана двора",
            "request_documents-text": "Просим направить заверенную копию.",
            "request_documents-files": [chosen.pk],
            "request_documents-confirm": "on",
        },
    )
    assert response.status_code == 302
    request = ExternalRequest.objects.get(appeal=appeal)
    assert request.postal_address == "ул. Мира, 1\nДемоград, 123456"
    letter_url = reverse("appeals_service:request_letter", args=[appeal.pk, request.pk])
    page = _form(client, appeal)
    assert letter_url in page and f'id="posted-form-{request.pk}"' in page

    letter = client.get(letter_url)
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(letter.content).split())
    for expected in (
        "Городской архив",
        "ул. Мира, 1",
        "Копия плана двора",
        "заверенную копию",
        chosen.original_name,
        appeal.number,
        executor.full_name,
    ):
        assert expected in text, expected
    assert "citizen@example.org" not in text and "Во дворе" not in text  # 59-FZ Art. 6(2)

    url = reverse("appeals_service:record_posted", args=[appeal.pk, request.pk])
    prefix = f"posted-{request.pk}"
    tomorrow = timezone.localdate() + timedelta(days=1)
    future = client.post(url, {f"{prefix}-posted_on": tomorrow.isoformat()})
    assert future.status_code == 400
    assert f"id_{prefix}-posted_on_error" in future.content.decode()
    request.refresh_from_db()
    assert request.posted_on is None
    today = timezone.localdate()
    assert client.post(url, {f"{prefix}-posted_on": today.isoformat()}).status_code == 302
    request.refresh_from_db()
    assert request.posted_on == today
    line = appeal.events.get(action="external_request_posted")
    assert line.actor == executor and line.data == {
        "request": request.pk,
        "posted_on": today.isoformat(),
    }
    assert not line.is_public
    page = _form(client, appeal)
    with translation.override(settings.LANGUAGE_CODE):
        shown = f'id="request-{request.pk}-posted">{date_format(today, "SHORT_DATE_FORMAT")}<'
    assert shown in page and f'id="posted-form-{request.pk}"' not in page
    again = client.post(url, {f"{prefix}-posted_on": (today - timedelta(days=1)).isoformat()})
    assert again.status_code == 400  # recorded once
    request.refresh_from_db()
    assert request.posted_on == today


def test_R7_a_request_sent_by_e_mail_has_no_letter_to_post(
    client, case, prosecutor, django_capture_on_commit_callbacks
):
    appeal, executor = case
    request = _send(
        appeal, executor, django_capture_on_commit_callbacks, body=prosecutor, subject="Акт"
    )
    client.force_login(executor)
    letter_url = reverse("appeals_service:request_letter", args=[appeal.pk, request.pk])
    assert letter_url not in _form(client, appeal)
    assert client.get(letter_url).status_code == 404
    with pytest.raises(TransitionNotAllowed):
        services.record_request_posted(
            appeal=appeal, actor=executor, request=request, posted_on=timezone.localdate()
        )
