"""The outbox: business code calls ``notify``; mail leaves only through ``deliver``.

A message is a ``Notification`` row written in the same transaction as the change that causes
it. After commit, ``notify`` publishes a Celery task for it; if the broker cannot take it, the
row simply waits for ``sweep`` (every minute, from the beat schedule), which re-queues what is
still pending. ``deliver`` sends under a row lock, so a message queued twice is sent once.
"""

import logging
import re
import time
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from edem.core.context_processors import portal
from edem.core.i18n import resolved
from edem.core.municipality import current

from .models import Notification

logger = logging.getLogger(__name__)

# Publishing must never hold up the request that caused the message: if the broker does not
# answer, give up at once and leave the row to the sweep. (Connect and socket time-outs come
# from CELERY_BROKER_CONNECTION_TIMEOUT and CELERY_BROKER_TRANSPORT_OPTIONS.)
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# After the broker refused a task, this process does not ask it again for a while: each try
# can cost the connect and socket time-outs, and the sweep delivers the rows anyway.
BROKER_PAUSE = 30  # seconds
_broker_paused_until = 0.0  # time.monotonic()

# How many rows one sweep takes; the next sweep takes the rest.
SWEEP_BATCH = 1000


def _queue_delivery(notification_id):
    """Publish the delivery task. Returns False (and logs) if the broker refused it, or if it
    refused one a moment ago."""
    global _broker_paused_until
    if time.monotonic() < _broker_paused_until:
        logger.info(
            "Broker down a moment ago; notification %s waits for the sweep.", notification_id
        )
        return False
    try:
        deliver_notification.apply_async(
            (notification_id,), retry=True, retry_policy=PUBLISH_RETRY_POLICY
        )
    except Exception as exc:  # broker down: the sweep picks the row up later
        _broker_paused_until = time.monotonic() + BROKER_PAUSE
        logger.warning(
            "Could not queue notification %s (%s); the sweep will retry.", notification_id, exc
        )
        return False
    return True


def notify(
    *,
    template,
    context=None,
    recipient=None,
    email=None,
    language=None,
    key=None,
    subject="",
    body_text="",
    body_html="",
    attachments=(),
    headers=None,
):
    """Put a message in the outbox inside the caller's transaction and queue its delivery
    after commit. ``template`` names a trio under ``templates/mail/``; ``context`` must be
    JSON-serialisable (it is stored on the row and rendered later, in the recipient's
    language). Pre-rendered ``subject`` and bodies may be given instead (for mail that other
    libraries render, such as allauth's).

    ``attachments`` are files of the default storage sent with the message, each a dict
    ``{"name": ..., "filename": ..., "mimetype": ...}``; they are read when the message is
    delivered.

    ``headers`` are extra message headers (``Reply-To``, ``Auto-Submitted``, ...).

    With ``key`` set, a second call with the same key returns the existing row unchanged and
    queues nothing.
    """
    if recipient is None and not email:
        raise ValueError("notify() needs a recipient or an e-mail address")
    email = email or recipient.email
    # Without a stated language: the municipality's default (the admin's settings).
    language = language or (getattr(recipient, "language", None) or current().language)
    fields = {
        "recipient": recipient,
        "email": email,
        "language": language,
        "template": template,
        "context": context or {},
        "subject": subject[:255],
        "body_text": body_text,
        "body_html": body_html,
        "key": key,
        "attachments": [dict(item) for item in attachments],
        "headers": dict(headers or {}),
    }
    if key:
        existing = Notification.objects.filter(key=key).first()
        if existing:
            return existing
        try:
            with transaction.atomic():
                notification = Notification.objects.create(**fields)
        except IntegrityError:
            return Notification.objects.get(key=key)
    else:
        notification = Notification.objects.create(**fields)
    pk = notification.pk
    transaction.on_commit(lambda: _queue_delivery(pk), robust=True)
    return notification


# "10 апреля 2026 г." ending a sentence: the abbreviation's full stop is the sentence's too.
_DOUBLE_STOP = re.compile(r"(?<=\s)([гр])\.\.")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")


def _dates_restored(value):
    """The stored context is JSON, so dates were saved as ISO strings; they become dates again
    so that ``{{ due }}`` reads "5 января 2027 г." / "5 January 2027" in the recipient's
    language (aware date-times in the portal's time zone)."""
    if isinstance(value, dict):
        return {key: _dates_restored(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates_restored(item) for item in value]
    if isinstance(value, str):
        if _ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return value
        if _ISO_DATETIME.fullmatch(value):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            return timezone.localtime(moment)
    return value


def render(notification):
    """Render the trio in the recipient's language: (subject, text, html).

    Besides the stored context, templates always get ``site_url``, ``recipient_name`` and the
    portal's name and contacts (``portal_name``, ``contact_email``, ...), in that language.
    ISO dates in the stored context are rendered as dates in that language's format, and
    reference data stored in every language (``edem.core.i18n.in_every_language``) in that
    language.
    """
    if notification.subject and notification.body_text:
        return notification.subject, notification.body_text, notification.body_html
    with translation.override(notification.language):
        context = {
            **portal(None),
            "site_url": settings.SITE_URL,
            "recipient_name": str(notification.recipient or ""),
            **_dates_restored(resolved(notification.context, notification.language)),
        }
        base = f"mail/{notification.template}"
        subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    subject, text, html = (_DOUBLE_STOP.sub(r"\1.", part) for part in (subject, text, html))
    return subject[:255], text, html


def message_id(notification):
    """The Message-ID of a notification: derived from its outbox row and the site's domain, so
    a delivery repeated after a worker died mid-send is recognisably the same message (mail
    servers and clients de-duplicate by it)."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}@{domain}>"


def backoff(attempts):
    """Wait before the next attempt after ``attempts`` failures: 30 s, 1 min, 2 min, ... 1 h."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def deliver(notification_id):
    """Send one notification. Idempotent: the row is locked, a sent row is left alone.

    Returns the status after the attempt. A failed send is recorded and scheduled again with
    exponential back-off (the sweep picks it up when ``next_attempt_at`` has passed); after
    ``EDEM_NOTIFICATION_MAX_ATTEMPTS`` the row becomes *failed* (visible in the admin, where it
    can be re-queued).
    """
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None:
            return None
        if notification.status != Notification.Status.PENDING:
            return notification.status
        try:
            subject, text, html = render(notification)
            message = EmailMultiAlternatives(
                subject=subject,
                body=text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[notification.email],
                connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
                headers={
                    **notification.headers,
                    "Message-ID": message_id(notification),
                    "X-Edem-Notification": str(notification.pk),
                },
            )
            if html:
                message.attach_alternative(html, "text/html")
            for item in notification.attachments:
                with default_storage.open(item["name"], "rb") as stored:
                    message.attach(item["filename"], stored.read(), item["mimetype"])
            message.send(fail_silently=False)
        except Exception as exc:
            notification.attempts += 1
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notification.attempts >= settings.EDEM_NOTIFICATION_MAX_ATTEMPTS:
                notification.status = Notification.Status.FAILED
                notification.next_attempt_at = None
            else:
                notification.next_attempt_at = timezone.now() + backoff(notification.attempts)
            notification.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning("Notification %s not delivered: %s", notification.pk, exc)
            return notification.status
        notification.status = Notification.Status.SENT
        notification.attempts += 1
        notification.sent_at = timezone.now()
        notification.next_attempt_at = None
        notification.subject, notification.body_text, notification.body_html = subject, text, html
        notification.last_error = ""
        notification.save(
            update_fields=[
                "status",
                "attempts",
                "sent_at",
                "next_attempt_at",
                "subject",
                "body_text",
                "body_html",
                "last_error",
            ]
        )
        return notification.status


def mark_bounced(notification_id, reason):
    """A message came back undelivered (a bounce read by the mail gateway): the row is failed,
    with the mail server's reason, so that it shows in the admin and where it is used."""
    return Notification.objects.filter(pk=notification_id).update(
        status=Notification.Status.FAILED,
        next_attempt_at=None,
        last_error=f"Bounced: {reason}"[:2000],
    )


def pending_for_sweep(now=None):
    """Ids of pending notifications old enough that their first delivery must have failed,
    and not waiting out a back-off."""
    now = now or timezone.now()
    cutoff = now - settings.EDEM_NOTIFICATION_SWEEP_AGE
    return list(
        Notification.objects.filter(status=Notification.Status.PENDING, created_at__lte=cutoff)
        .exclude(next_attempt_at__gt=now)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def sweep(now=None):
    """Re-queue what is still pending (the broker was down, a worker died, SMTP failed).

    If the broker refuses a task, it is not asked again in this sweep: the remaining rows are
    delivered right here instead. Returns the number of rows handled.
    """
    ids = pending_for_sweep(now)
    broker_up = True
    for pk in ids:
        if broker_up:
            broker_up = _queue_delivery(pk)
        if not broker_up:
            deliver(pk)
    return len(ids)


def requeue(notification_ids):
    """Put failed notifications back in the queue (an administrator's action)."""
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update()
            .filter(pk__in=notification_ids, status=Notification.Status.FAILED)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=ids).update(
            status=Notification.Status.PENDING, attempts=0, next_attempt_at=None
        )
        for pk in ids:
            transaction.on_commit(lambda pk=pk: _queue_delivery(pk), robust=True)
    return len(ids)


# --- Celery entry points (here, beside the outbox they run; ``tasks.py`` names them) ---------


@shared_task(
    name="edem.notifications.tasks.deliver_notification", acks_late=True, ignore_result=True
)
def deliver_notification(notification_id):
    """Deliver one outbox row; a failure is recorded on the row and retried by the sweep."""
    return deliver(notification_id)


@shared_task(name="edem.notifications.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox():
    """Every minute: re-queue what is still pending (see ``sweep``)."""
    return sweep()
