"""The inbound gateway against a real IMAP server (Dovecot, tests/integrations/dovecot.py):
replies filed into their cases, citizens' e-mail answered with a pointer to the portal (R2),
bounces noted, every message handled exactly once (issue 13 point 3)."""

import io
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid

import pytest
import time_machine
from django.core import mail
from PIL import Image

from appeals import services
from appeals.models import Attachment
from appeals.workflow import Status
from edem.celery import BEAT_SCHEDULE
from edem.notifications.models import Notification
from integrations.gateway import inbound
from integrations.models import InboundMessage
from integrations.tasks import poll_gateway
from tests.factories import AppealFactory

from . import dovecot


@pytest.fixture
def letter(cabinet, registrar, head, prosecutor, imap, django_capture_on_commit_callbacks):
    appeal = AppealFactory(cabinet=cabinet, status=Status.RECEIVED)
    appeal = services.register(appeal=appeal, actor=registrar)
    with django_capture_on_commit_callbacks(execute=True):
        services.forward(appeal=appeal, actor=registrar, to_body=prosecutor, reason="Компетенция")
    mail.outbox.clear()
    return appeal.gateway_letters.get()


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def reply(letter, *, text="Проверка проведена, нарушений не выявлено.", charset="koi8-r"):
    """A reply as a mail program writes it: multipart, the text in a non-UTF-8 charset."""
    message = MIMEMultipart()
    message["From"] = "Прокуратура <prokuratura@demograd.example>"
    message["To"] = f"gateway+{letter.token}@demograd.example"
    message["Subject"] = f"Re: Обращение {letter.appeal.number} [ref:{letter.token}]"
    message["Message-ID"] = make_msgid(domain="demograd.example")
    if text is not None:
        message.attach(MIMEText(text, "plain", charset))
    return message


def attach(message, data, filename, maintype="application", subtype="octet-stream"):
    part = MIMEApplication(data, subtype)
    part.replace_header("Content-Type", f"{maintype}/{subtype}")
    # RFC 2231 encoded name in windows-1251
    part.add_header("Content-Disposition", "attachment", filename=("windows-1251", "", filename))
    message.attach(part)


def citizen_mail(**headers):
    message = EmailMessage()
    message["From"] = headers.pop("From", "Иван <ivan@example.org>")
    message["To"] = "gateway@demograd.example"
    message["Subject"] = "Жалоба на яму"
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content("Во дворе яма, примите меры.", charset="cp1251")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


def poll():
    return inbound.poll()


def test_a_reply_is_filed_into_its_case_with_its_files_and_moved_out_of_the_inbox(
    letter, imap, head, django_capture_on_commit_callbacks
):
    message = reply(letter)
    attach(message, png_bytes(), "фото места.png", "image", "png")
    dovecot.append(imap, message.as_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        assert poll() == {"filed": 1}
    line = letter.appeal.events.get(action="external_reply")
    assert "нарушений не выявлено" in line.note and line.is_public is False
    files = Attachment.objects.filter(appeal=letter.appeal, stage="external")
    assert [f.original_name for f in files] == ["фото места.png"]
    assert files[0].content_type == "image/png"
    assert any(head.email in m.to for m in mail.outbox)  # the responsible official is told
    assert (dovecot.count(imap, "INBOX"), dovecot.count(imap, "Processed")) == (0, 1)
    row = InboundMessage.objects.get()
    assert row.outcome == "filed" and row.letter == letter and row.moved_at is not None
    assert poll() == {}  # nothing left to read


def test_a_20_mb_attachment_is_refused_by_the_upload_checks_with_a_note_in_the_case(letter, imap):
    message = reply(letter, text="Направляем видеозапись.", charset="cp1251")
    attach(message, b"\0" * (20 * 1024 * 1024), "видеозапись.pdf", "application", "pdf")
    dovecot.append(imap, message.as_bytes())
    assert poll() == {"filed": 1}
    line = letter.appeal.events.get(action="external_reply")
    assert line.data["refused"][0]["name"] == "видеозапись.pdf"
    assert "видеозапись.pdf" in line.note and "Направляем видеозапись." in line.note
    assert not Attachment.objects.filter(appeal=letter.appeal, stage="external").exists()


def test_a_reply_with_no_text_part_files_its_attachment(letter, imap):
    from edem.documents.pdf import html_to_pdf

    message = reply(letter, text=None)
    attach(message, html_to_pdf("<p>Ответ прокуратуры</p>"), "ответ.pdf", "application", "pdf")
    dovecot.append(imap, message.as_bytes())
    assert poll() == {"filed": 1}
    line = letter.appeal.events.get(action="external_reply")
    assert line.note == "" and len(line.data["attachments"]) == 1


def test_R7_a_reply_to_a_request_for_documents_marks_it_answered(
    cabinet, head, registrar, prosecutor, imap, django_capture_on_commit_callbacks
):
    appeal = services.register(
        appeal=AppealFactory(cabinet=cabinet, status=Status.RECEIVED), actor=registrar
    )
    with django_capture_on_commit_callbacks(execute=True):
        request = services.send_external_request(
            appeal=appeal, actor=head, body=prosecutor, subject="Материалы"
        )
    letter = appeal.gateway_letters.get()
    dovecot.append(imap, reply(letter).as_bytes())
    assert poll() == {"filed": 1}
    request.refresh_from_db()
    assert request.answered_on is not None


def test_R2_a_citizens_email_is_not_an_appeal_and_gets_one_auto_reply_a_day_in_their_language(
    imap, db, django_capture_on_commit_callbacks
):
    dovecot.append(imap, citizen_mail(Content_Language="uk").as_bytes())
    dovecot.append(imap, citizen_mail().as_bytes())  # the same sender again, the same day
    with (
        time_machine.travel("2026-05-04 09:00:00+00:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert poll() == {"auto_replied": 1, "ignored": 1}
    [sent] = mail.outbox
    assert sent.to == ["ivan@example.org"]
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    assert "/appeals/new/" in sent.body
    assert Notification.objects.get(email="ivan@example.org").language == "uk"
    dovecot.append(imap, citizen_mail().as_bytes())
    with time_machine.travel("2026-05-05 09:00:00+00:00", tick=False):
        assert poll() == {"auto_replied": 1}  # the next day: once more


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"Precedence": "list"},
        {"Return_Path": "<>"},
        {"From": "MAILER-DAEMON@mx.example.org"},
    ],
)
def test_R2_no_auto_reply_to_automatic_mail(imap, db, headers):
    dovecot.append(imap, citizen_mail(**headers).as_bytes())
    assert poll() == {"ignored": 1}
    assert not Notification.objects.exists()


def test_R2_a_forged_token_counts_as_none(letter, imap):
    forged = letter.token[:-1] + ("a" if letter.token[-1] != "a" else "b")
    message = reply(letter)
    message.replace_header("To", f"gateway+{forged}@demograd.example")
    message.replace_header("Subject", f"Re: [ref:{forged}]")
    dovecot.append(imap, message.as_bytes())
    assert poll() == {"auto_replied": 1}
    assert not letter.appeal.events.filter(action="external_reply").exists()


def test_a_bounce_of_the_portals_mail_marks_it_failed_and_shows_in_the_case(letter, imap):
    notification = letter.notification
    report = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.demograd.example>\r\n"
        "To: noreply@edem.localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid(domain='mx.demograd.example')}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "The mail system could not deliver your message.\r\n"
        "\r\n--B\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.demograd.example\r\n\r\n"
        "Final-Recipient: rfc822; prokuratura@demograd.example\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        "\r\n--B\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <notification-{notification.pk}@localhost>\r\n"
        f"X-Edem-Notification: {notification.pk}\r\n"
        "Subject: letter\r\n"
        "\r\n--B--\r\n"
    ).encode()
    dovecot.append(imap, report)
    assert poll() == {"bounce": 1}
    notification.refresh_from_db()
    assert notification.status == "failed" and "User unknown" in notification.last_error
    line = letter.appeal.events.get(action="mail_bounced")
    assert line.data["email"] == "prokuratura@demograd.example" and "5.1.1" in line.note
    assert not Notification.objects.filter(email__icontains="mailer-daemon").exists()


def test_a_task_that_dies_before_commit_leaves_the_message_to_be_read_again(
    letter, imap, monkeypatch
):
    dovecot.append(imap, reply(letter).as_bytes())

    def dies(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(inbound.appeal_services, "file_external_reply", dies)
    assert poll() == {"error": 1}
    assert not InboundMessage.objects.exists() and dovecot.count(imap, "INBOX") == 1
    monkeypatch.undo()
    assert poll() == {"filed": 1}
    assert letter.appeal.events.filter(action="external_reply").count() == 1


def test_a_task_that_dies_after_commit_never_files_a_message_twice(letter, imap, monkeypatch):
    dovecot.append(imap, reply(letter).as_bytes())

    def dies(self, uid):
        raise ConnectionError("connection lost before the move")

    monkeypatch.setattr(inbound.Mailbox, "move", dies)
    with pytest.raises(ConnectionError):
        poll()
    assert dovecot.count(imap, "INBOX") == 1  # still there, but recorded
    monkeypatch.undo()
    assert poll() == {"moved_again": 1}
    assert letter.appeal.events.filter(action="external_reply").count() == 1
    assert (dovecot.count(imap, "INBOX"), dovecot.count(imap, "Processed")) == (0, 1)
    assert InboundMessage.objects.get().moved_at is not None


def test_the_beat_reads_the_mailbox_every_minute_and_not_without_a_host(imap, settings, db):
    assert ("integrations.tasks.poll_gateway", 60) in BEAT_SCHEDULE.values()
    dovecot.append(imap, citizen_mail().as_bytes())
    assert poll_gateway.delay().get() == {"auto_replied": 1}
    settings.EDEM_GATEWAY_IMAP_HOST = ""
    assert poll_gateway() == {}
