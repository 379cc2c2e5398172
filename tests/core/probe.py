"""A domain event and subscribers for the outbox tests, registered in the test process and in
the test Celery worker (``tests/notifications/worker_app.py`` imports this module)."""

import uuid
from datetime import datetime

from django.utils import timezone

from edem.core.events import DomainEvent, event_type, subscribe
from edem.notifications.models import Notification


@event_type
class Probe(DomainEvent):
    token: str
    fail_until: datetime | None = None  # the flaky subscriber raises before this time


def mark(token, subscriber):
    """Leave a trace of one run of a handler: a row, so every process sees it."""
    Notification.objects.create(
        email="probe@example.org",
        template="probe",
        status=Notification.Status.SENT,
        key=f"probe:{token}:{subscriber}:{uuid.uuid4().hex}",
    )


def runs(token, subscriber):
    """How many times ``subscriber`` handled the probe ``token``."""
    return Notification.objects.filter(key__startswith=f"probe:{token}:{subscriber}:").count()


def steady(event):
    mark(event.token, "steady")


def flaky(event):
    if event.fail_until and timezone.now() < event.fail_until:
        raise RuntimeError("the subscriber is not ready yet")
    mark(event.token, "flaky")


subscribe(Probe, steady, name="tests.probe.steady")
subscribe(Probe, "tests.core.probe.flaky", name="tests.probe.flaky")
