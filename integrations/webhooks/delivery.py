"""Sending webhook deliveries: claim, sign, POST, record the attempt, retry with a back-off.

A row is sent by the Celery task queued after the commit that wrote it (``queue``); a row that
fails waits ``RETRY_DELAYS[n]`` after its n-th failed attempt and is sent again by a task
queued with that countdown and, whatever happens to that task (worker died, broker down), by
the beat's sweep (``sweep``), which takes every pending row that is due. After the last delay
the row is failed; an administrator can re-send it (``services.resend``).

Each attempt claims the row with a conditional update (two runs never both send it), sends
outside any transaction, and stores what came back: the status code and the beginning of the
body, or the error. Only a 2xx answer delivers; a redirect is not followed.
"""

import logging
import time
from datetime import timedelta

import requests
from celery import shared_task
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from ..models import WebhookAttempt, WebhookDelivery
from ..models.webhooks import RESPONSE_EXCERPT
from . import signing

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, ... failed attempt; after the last the delivery is failed.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A claim older than this is a dead process's (longer than any request may take).
CLAIM_LEASE = timedelta(minutes=5)
# How many rows one sweep takes, and for how long it keeps starting new ones (seconds): a
# sweep stays well inside the task's time limit; the next one takes the rest.
SWEEP_BATCH = 200
SWEEP_BUDGET = 60


def _claim(delivery_id, now):
    claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        WebhookDelivery.objects.filter(
            claimable, due, pk=delivery_id, status=WebhookDelivery.PENDING
        ).update(claimed_at=now, attempts=F("attempts") + 1)
    )


def _post(row, now):
    """POST the row's body, signed now. Returns (status code or None, excerpt, error)."""
    subscription = row.subscription
    body = row.body.encode()
    headers = signing.headers(
        message_id=row.uuid,
        timestamp=int(now.timestamp()),
        body=body,
        secrets_in_force=subscription.signing_secrets(now),
    )
    try:
        with requests.post(
            subscription.url,
            data=body,
            headers=headers,
            timeout=settings.EDEM_WEBHOOK_TIMEOUT,
            allow_redirects=False,
            stream=True,
        ) as response:
            raw = next(response.iter_content(RESPONSE_EXCERPT * 4), b"")
            excerpt = raw.decode(response.encoding or "utf-8", errors="replace")
            return response.status_code, excerpt[:RESPONSE_EXCERPT], ""
    except requests.RequestException as exc:
        return None, "", f"{type(exc).__name__}: {exc}"[:2000]


def _inactive_reason(row):
    subscription, client = row.subscription, row.subscription.client
    if not subscription.is_active:
        return "The subscription is not active."
    if not client.is_active or client.revoked_at is not None:
        return "The API client is not active."
    return ""


def send(delivery_id, now=None):
    """One attempt at one row. Returns its status after the attempt (None when it could not be
    claimed: done, failed, waiting out its back-off or taken by another run)."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    row = WebhookDelivery.objects.select_related("subscription__client").get(pk=delivery_id)
    inactive = _inactive_reason(row)
    started = time.monotonic()
    if inactive:
        code, excerpt, error = None, "", inactive
    else:
        code, excerpt, error = _post(row, now)
    WebhookAttempt.objects.create(
        delivery=row,
        number=row.attempt_log.count() + 1,  # counted on across re-sends
        at=now,
        status_code=code,
        response_excerpt=excerpt,
        error=error,
        duration_ms=None if inactive else int((time.monotonic() - started) * 1000),
    )
    fields = {"claimed_at": None, "last_status_code": code, "last_error": error}
    if code is not None and 200 <= code < 300:
        fields.update(status=WebhookDelivery.DELIVERED, delivered_at=timezone.now())
        fields.update(next_attempt_at=None)
    elif inactive or row.attempts >= MAX_ATTEMPTS:
        fields.update(status=WebhookDelivery.FAILED, next_attempt_at=None)
    else:
        wait = RETRY_DELAYS[row.attempts - 1]
        fields["next_attempt_at"] = now + wait
        if not error:
            fields["last_error"] = f"HTTP {code}"
    WebhookDelivery.objects.filter(pk=row.pk, claimed_at=now).update(**fields)
    status = fields.get("status", WebhookDelivery.PENDING)
    if status == WebhookDelivery.PENDING:
        _queue_one(row.pk, countdown=wait.total_seconds())
    return status


# Queueing must never hold up the caller: if the broker does not answer, the sweep sends the
# row later, and this process does not ask the broker again for a while.
BROKER_PAUSE = 30  # seconds
_broker_paused_until = 0.0  # time.monotonic()


def _queue_one(delivery_id, countdown=0):
    global _broker_paused_until
    if time.monotonic() < _broker_paused_until:
        return False
    try:
        send_webhook.apply_async(
            (delivery_id,),
            countdown=countdown or None,
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_max": 0.2},
        )
    except Exception as exc:  # broker down: the sweep takes the row
        _broker_paused_until = time.monotonic() + BROKER_PAUSE
        logger.warning("Could not queue webhook delivery %s (%s).", delivery_id, exc)
        return False
    return True


def queue(ids):
    """After commit: a task for each new (or re-sent) row."""
    for pk in ids:
        _queue_one(pk)


def due(now=None):
    """The pending rows to send now: those whose back-off is over, and those never tried that
    have waited longer than their task should have taken (the broker or the worker failed)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__isnull=True, created_at__lte=now - settings.EDEM_EVENT_SWEEP_AGE)
            | Q(next_attempt_at__lte=now),
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE),
            status=WebhookDelivery.PENDING,
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def sweep(now=None):
    """Send what is due (every minute, from the beat). Returns how many rows it tried."""
    started = time.monotonic()
    tried = 0
    for pk in due(now):
        if time.monotonic() - started > SWEEP_BUDGET:
            break
        send(pk, now)
        tried += 1
    return tried


@shared_task(name="integrations.webhooks.send_webhook", acks_late=True, ignore_result=True)
def send_webhook(delivery_id):
    """Send one delivery (queued after commit, and again after each failure)."""
    return send(delivery_id)


@shared_task(name="integrations.webhooks.sweep_webhooks", ignore_result=True)
def sweep_webhooks():
    """Every minute: send the deliveries still pending and due (see ``sweep``)."""
    return sweep()
