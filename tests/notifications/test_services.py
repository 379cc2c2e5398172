"""The outbox services: notify, render, deliver, the sweep and the .eml backend.

These run on SQLite as well as on PostgreSQL; mail goes to ``django.core.mail.outbox`` unless
a test picks another backend.
"""

import email
import smtplib
from datetime import timedelta
from email import policy

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone, translation

from edem.accounts import services as accounts_services
from edem.notifications import services
from edem.notifications.models import Notification
from edem.notifications.tasks import deliver_notification, sweep_outbox
from tests.factories import UserFactory

from .conftest import html_part, text_part

TEMPLATE = "accounts/resident_verified"


class FailingSmtpBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("451 try again later")


def make_notification(recipient=None, **fields):
    recipient = recipient or UserFactory()
    return services.notify(
        template=TEMPLATE,
        recipient=recipient,
        context={"full_name": recipient.full_name, "cabinet_path": "/me/"},
        **fields,
    )


def html_of(message):
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


# --- notify ------------------------------------------------------------------------------


def test_notify_stores_the_row_and_queues_delivery_after_commit(
    db, django_capture_on_commit_callbacks
):
    user = UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = make_notification(user)
    assert notification.status == Notification.Status.PENDING
    assert notification.email == user.email
    assert notification.language == "en"
    assert len(callbacks) == 1
    assert mail.outbox == []  # nothing leaves before commit

    callbacks[0]()  # commit: the (eager) task delivers
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_notify_with_the_same_key_creates_one_row_and_queues_once(
    db, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = make_notification(user, key="once:1")
        second = make_notification(user, key="once:1")
    assert first.pk == second.pk
    assert Notification.objects.filter(key="once:1").count() == 1
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


def test_notify_needs_an_address(db):
    with pytest.raises(ValueError):
        services.notify(template=TEMPLATE)


# --- render and deliver ------------------------------------------------------------------------


def test_deliver_twice_sends_one_mail(db):
    notification = make_notification()
    assert services.deliver(notification.pk) == Notification.Status.SENT
    assert services.deliver(notification.pk) == Notification.Status.SENT
    assert deliver_notification(notification.pk) == Notification.Status.SENT  # the task too
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert notification.subject == mail.outbox[0].subject
    assert mail.outbox[0].extra_headers["X-Edem-Notification"] == str(notification.pk)


def test_deliver_of_a_missing_row_does_nothing(db):
    assert services.deliver(10**9) is None
    assert mail.outbox == []


def test_mail_is_rendered_in_the_recipients_language_whatever_is_active(db):
    notification = make_notification(UserFactory(language="uk", last_name="O'Brien"))
    with translation.override("en"):
        services.deliver(notification.pk)
        assert translation.get_language() == "en"
    (message,) = mail.outbox
    html = html_of(message)
    assert '<html lang="uk"' in html
    assert "&#x27;Brien" in html  # escaped in HTML ...
    assert "O'Brien" in message.body  # ... but not in the plain text
    assert message.subject and "\n" not in message.subject
    assert "http://" in message.body or "https://" in message.body  # site_url in the footer


def test_prerendered_mail_is_sent_as_given(db):
    user = UserFactory()
    notification = services.notify(
        template="allauth:account/email/test",
        recipient=user,
        subject="Подтвердите адрес",
        body_text="Перейдите по ссылке.",
    )
    services.deliver(notification.pk)
    (message,) = mail.outbox
    assert message.subject == "Подтвердите адрес"
    assert message.body == "Перейдите по ссылке."
    assert message.alternatives == []


def test_smtp_failure_is_recorded_backed_off_and_finally_failed(db, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingSmtpBackend"
    settings.EDEM_NOTIFICATION_MAX_ATTEMPTS = 3
    notification = make_notification()

    before = timezone.now()
    assert services.deliver(notification.pk) == Notification.Status.PENDING
    notification.refresh_from_db()
    assert notification.attempts == 1
    assert "SMTPException" in notification.last_error
    assert "451" in notification.last_error
    assert before + timedelta(seconds=30) <= notification.next_attempt_at
    assert notification.next_attempt_at <= timezone.now() + timedelta(seconds=30)

    services.deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 2
    assert notification.next_attempt_at >= timezone.now() + timedelta(seconds=55)  # doubled

    assert services.deliver(notification.pk) == Notification.Status.FAILED
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 3
    assert notification.sent_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.deliver(notification.pk) == Notification.Status.FAILED  # left alone
    assert mail.outbox == []


def test_backoff_is_exponential_and_capped():
    waits = [services.backoff(n).total_seconds() for n in range(1, 10)]
    assert waits[:4] == [30, 60, 120, 240]
    assert waits[-1] == 3600
    assert all(a <= b for a, b in zip(waits, waits[1:], strict=False))


def test_a_missing_template_counts_as_a_failed_attempt(db):
    notification = services.notify(template="no/such/template", email="x@example.org")
    assert services.deliver(notification.pk) == Notification.Status.PENDING
    notification.refresh_from_db()
    assert "TemplateDoesNotExist" in notification.last_error


# --- sweep and requeue -------------------------------------------------------------------------


def test_pending_for_sweep_takes_only_old_rows_not_backed_off(db):
    now = timezone.now()
    with time_machine.travel(now - timedelta(minutes=3), tick=False):
        old = make_notification()
        backed_off = make_notification()
        waited_enough = make_notification()
        sent = make_notification()
        failed = make_notification()
    with time_machine.travel(now - timedelta(seconds=90), tick=False):
        fresh = make_notification()  # 90 s old: its first delivery may still be on its way
    Notification.objects.filter(pk=backed_off.pk).update(
        attempts=1, next_attempt_at=now + timedelta(seconds=30)
    )
    Notification.objects.filter(pk=waited_enough.pk).update(
        attempts=1, next_attempt_at=now - timedelta(seconds=1)
    )
    Notification.objects.filter(pk=sent.pk).update(status=Notification.Status.SENT)
    Notification.objects.filter(pk=failed.pk).update(status=Notification.Status.FAILED)

    assert services.pending_for_sweep(now) == [old.pk, waited_enough.pk]
    assert fresh.pk not in services.pending_for_sweep(now)
    assert set(services.pending_for_sweep(now + timedelta(minutes=1))) == {
        old.pk,
        backed_off.pk,
        waited_enough.pk,
        fresh.pk,
    }


def test_sweep_delivers_what_is_still_pending(db):
    with time_machine.travel(timezone.now() - timedelta(minutes=5), tick=False):
        stuck = make_notification()
    fresh = make_notification()
    assert sweep_outbox() == 1  # eager: the re-queued task runs in-process
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == Notification.Status.SENT
    assert fresh.status == Notification.Status.PENDING
    assert len(mail.outbox) == 1
    assert sweep_outbox() == 0


def test_requeue_puts_only_failed_rows_back(db, django_capture_on_commit_callbacks):
    failed = make_notification()
    sent = make_notification()
    Notification.objects.filter(pk=failed.pk).update(
        status=Notification.Status.FAILED, attempts=8, last_error="SMTPException: 550"
    )
    services.deliver(sent.pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.requeue([failed.pk, sent.pk]) == 1
    assert len(callbacks) == 1
    failed.refresh_from_db()
    assert failed.status == Notification.Status.SENT
    assert [m.to for m in mail.outbox] == [[failed.email]]


# --- verify_resident ---------------------------------------------------------------------------


def test_verify_resident_notifies_the_person_once_in_their_language(
    db, django_capture_on_commit_callbacks
):
    official = UserFactory(is_superuser=True)
    citizen = UserFactory(language="uk")
    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.verify_resident(
            user=citizen, actor=official, document_kind="passport", document_number="45 00 100001"
        )
    citizen.refresh_from_db()
    assert citizen.verification_level == "resident"
    notification = Notification.objects.get(recipient=citizen)
    assert notification.template == TEMPLATE
    assert notification.key.startswith(f"resident-verified:{citizen.pk}:")
    assert notification.status == Notification.Status.SENT
    (message,) = mail.outbox
    assert message.to == [citizen.email]
    assert '<html lang="uk"' in html_of(message)
    assert citizen.last_name in message.body
    assert "/me/" in message.body

    # Confirming again refreshes the record but does not mail again.
    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.verify_resident(
            user=citizen, actor=official, document_kind="passport", document_number="45 00 100001"
        )
    assert Notification.objects.filter(recipient=citizen).count() == 1
    assert len(mail.outbox) == 1


def test_verify_resident_leaves_identity_verified_people_alone(db):
    official = UserFactory(is_superuser=True)
    citizen = UserFactory(verification_level="identity")
    accounts_services.verify_resident(
        user=citizen, actor=official, document_kind="passport", document_number="45 00 100003"
    )
    assert not Notification.objects.filter(recipient=citizen).exists()


# --- the .eml backend (the embedded default) ---------------------------------------------------


@pytest.mark.parametrize("language", ["uk", "en"])
def test_eml_backend_writes_a_parsable_message_in_the_recipients_language(
    db, settings, tmp_path, language
):
    settings.EMAIL_BACKEND = "edem.notifications.backends.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    user = UserFactory(language=language)
    notification = make_notification(user)
    with translation.override("ru"):
        assert services.deliver(notification.pk) == Notification.Status.SENT
    (path,) = tmp_path.glob("*.eml")
    assert not list(tmp_path.glob("*.tmp"))
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == user.email
    notification.refresh_from_db()
    assert message["Subject"].strip() == notification.subject  # header folding adds a space
    assert message["X-Edem-Notification"] == str(notification.pk)
    assert f'<html lang="{language}"' in html_part(message)
    assert user.last_name in text_part(message)
