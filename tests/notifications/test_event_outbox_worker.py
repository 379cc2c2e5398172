"""The domain-event outbox (edem.core.events) with a real Celery worker on the real Redis: a
subscriber that fails after commit is retried by the worker with a back-off, and after a broker
outage the beat's sweep, run by the worker, delivers what waited. (Here because the worker
fixture lives here; the outbox's other tests are in tests/core/test_events.py.)"""

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from edem.core import events
from edem.core.models import EventDelivery
from tests.conftest import needs_services
from tests.core.probe import Probe, runs

from .conftest import UNREACHABLE_BROKER, celery_conf, wait_until

pytestmark = [needs_services, pytest.mark.celery_worker]

FLAKY = "tests.probe.flaky"


def flaky_row(tok):
    return EventDelivery.objects.get(payload__token=tok, subscriber=FLAKY)


def test_the_worker_retries_a_failing_subscriber_until_it_is_delivered(
    transactional_db, live_celery, settings
):
    settings.EDEM_EVENT_RETRY_BASE = 1  # as the worker's (see the fixture)
    tok = uuid.uuid4().hex
    with transaction.atomic():
        events.publish(Probe(token=tok, fail_until=timezone.now() + timedelta(seconds=2)))
    row = flaky_row(tok)
    assert row.status == EventDelivery.PENDING and row.attempts == 1  # failed after commit
    assert runs(tok, "steady") == 1 and runs(tok, "flaky") == 0

    def delivered():
        row.refresh_from_db()
        return row.status == EventDelivery.DONE

    try:
        wait_until(delivered, timeout=60, message="the worker to deliver the event")
    except BaseException:
        print(live_celery.output())
        raise
    assert row.attempts >= 2 and runs(tok, "flaky") == 1
    assert "edem.core.tasks.deliver_event[" in live_celery.output()


def test_after_a_broker_outage_the_sweep_run_by_the_worker_delivers(
    transactional_db, live_celery, settings, monkeypatch
):
    settings.EDEM_EVENT_RETRY_BASE = 1
    monkeypatch.setattr(events, "_broker_paused_until", 0.0)
    tok = uuid.uuid4().hex
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    with celery_conf(broker_url=UNREACHABLE_BROKER), transaction.atomic():
        events.publish(Probe(token=tok, fail_until=timezone.now() + timedelta(seconds=1)))
    settings.CELERY_BROKER_URL = live_celery.broker_url
    row = flaky_row(tok)
    assert row.status == EventDelivery.PENDING  # its retry could not be queued
    monkeypatch.setattr(events, "_broker_paused_until", 0.0)

    def swept():
        row.refresh_from_db()
        if row.status != EventDelivery.DONE:
            events.sweep_events.delay()  # the beat's task, through Redis to the worker
        return row.status == EventDelivery.DONE

    try:
        wait_until(swept, timeout=60, interval=1, message="the sweep to deliver the event")
    except BaseException:
        print(live_celery.output())
        raise
    assert runs(tok, "flaky") == 1
    assert "edem.core.tasks.sweep_events[" in live_celery.output()
