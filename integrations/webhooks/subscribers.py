"""From a domain event to webhook deliveries: the kernel's subscriber (``on_event``).

The kernel stores the event for this subscriber in the transaction that caused it and calls
``on_event`` after commit, in a transaction of its own that also marks its outbox row done:
the deliveries are written all together with that mark, or not at all (and the kernel tries
again). They are sent after that commit (``delivery.queue``).

Only subscriptions of active clients with the webhooks scope, in the cabinet the event
belongs to (the appeal's cabinet at that step; the consultation's cabinet), get a delivery.
The payload is minimal: ids, the number, the status after the step and links; nothing of the
citizen.
"""

import json
import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from appeals.models import Appeal, AppealEvent

from ..models import ApiClient, WebhookDelivery, WebhookSubscription
from . import catalogue, delivery

# The namespace of event ids: one domain event (one history line) has one id in every delivery.
EVENT_NAMESPACE = uuid.UUID("0b7e4d0c-52a4-4f57-9a43-5b6a3c1d2e90")

# The public page of each consultation instrument (there is no API for them yet).
PAGES = {"petition": "petitions:detail", "poll": "polls:detail", "budget": "budgets:cycle"}


def subscriptions_for(kind, cabinet_id):
    """The active subscriptions to ``kind`` of the clients that act for ``cabinet_id``."""
    candidates = WebhookSubscription.objects.filter(
        is_active=True,
        client__is_active=True,
        client__revoked_at=None,
        client__cabinets=cabinet_id,
    ).select_related("client")
    # Scopes and event types are JSON lists, read here (SQLite has no JSON containment).
    return [
        s
        for s in candidates
        if kind in (s.event_types or []) and ApiClient.Scope.WEBHOOKS in (s.client.scopes or [])
    ]


def _appeal_data(event):
    appeal = Appeal.objects.filter(pk=event.appeal_id).values("number", "status").first() or {}
    line = AppealEvent.objects.filter(pk=event.history_id).values("to_status").first() or {}
    return {
        "object": "appeal",
        "id": event.appeal_id,
        "number": appeal.get("number") or None,
        "status": line.get("to_status") or appeal.get("status"),
        "cabinet": event.cabinet_id,
        "links": {"api": f"{settings.SITE_URL}/api/v1/appeals/{event.appeal_id}/"},
    }


def _consultation_data(event):
    page = reverse(PAGES[event.instrument], args=[event.object_id])
    return {
        "object": event.instrument,
        "id": event.object_id,
        "status": event.status or None,
        "cabinet": event.cabinet_id,
        "links": {"page": settings.SITE_URL + page},
    }


def event_id(event):
    if event.history_id is None:  # every catalogued event has its line; just in case
        return uuid.uuid4()
    source = "appeal" if catalogue.APPEAL_TYPES.get(type(event)) else event.instrument
    return uuid.uuid5(EVENT_NAMESPACE, f"{source}:{event.history_id}")


def payload(event, kind, event_uuid):
    data = _appeal_data(event) if kind.startswith("appeal.") else _consultation_data(event)
    return {
        "id": str(event_uuid),
        "type": kind,
        "occurred_at": event.at.isoformat(),
        "data": data,
    }


def on_event(event):
    """The kernel's handler: one pending delivery per matching subscription."""
    kind = catalogue.webhook_type(event)
    if kind is None or event.cabinet_id is None:
        return []
    subscriptions = subscriptions_for(kind, event.cabinet_id)
    if not subscriptions:
        return []
    uid = event_id(event)
    body = json.dumps(payload(event, kind, uid), ensure_ascii=False, separators=(",", ":"))
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription=s, event_id=uid, event_type=kind, occurred_at=event.at, body=body
            )
            for s in subscriptions
        ],
        ignore_conflicts=True,  # the same event twice (a retried handler) is queued once
    )
    ids = list(
        WebhookDelivery.objects.filter(
            event_id=uid, subscription__in=subscriptions, attempts=0
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: delivery.queue(ids), robust=True)
    return ids
