"""A real Celery worker (a subprocess) on the real Redis delivers over SMTP.

Needs PostgreSQL and Redis: the worker and the test share the test database, so the rows are
committed (``transactional_db``), and the task travels through Redis.
"""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from edem.accounts import services as accounts_services
from edem.notifications import services
from edem.notifications.models import Notification
from edem.notifications.tasks import sweep_outbox
from tests.conftest import needs_services
from tests.factories import UserFactory

from .conftest import UNREACHABLE_BROKER, celery_conf, html_part, text_part, wait_until

pytestmark = [needs_services, pytest.mark.celery_worker]

DEADLINE = 30


def wait_until_sent(notification, worker):
    def sent():
        notification.refresh_from_db()
        return notification.status == Notification.Status.SENT

    try:
        wait_until(sent, timeout=DEADLINE, message=f"notification {notification.pk} to be sent")
    except BaseException:
        print(worker.output())
        raise


def test_worker_delivers_over_smtp_in_the_recipients_language(
    transactional_db, live_celery, smtp_server
):
    official = UserFactory(is_superuser=True)
    citizen = UserFactory(language="uk")

    with transaction.atomic():
        accounts_services.verify_resident(
            user=citizen, actor=official, document_kind="passport", document_number="45 00 100001"
        )
        assert smtp_server.messages_to(citizen.email) == []  # nothing before commit

    notification = Notification.objects.get(recipient=citizen)
    wait_until_sent(notification, live_celery)
    (message,) = smtp_server.messages_to(citizen.email)
    assert message["To"] == citizen.email
    assert message["Subject"].strip() == notification.subject  # header folding adds a space
    assert message["X-Edem-Notification"] == str(notification.pk)
    assert message["Message-ID"] == services.message_id(notification)
    assert message["Message-ID"].startswith(f"<notification-{notification.pk}@")
    assert 'lang="uk"' in html_part(message)
    assert citizen.last_name in text_part(message)
    assert notification.attempts == 1
    assert "deliver_notification[" in live_celery.output()


def test_after_a_broker_outage_the_sweep_requeues_and_the_worker_delivers(
    transactional_db, live_celery, smtp_server, settings
):
    citizen = UserFactory(language="uk")
    official = UserFactory(is_superuser=True)

    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    with celery_conf(broker_url=UNREACHABLE_BROKER):
        start = time.monotonic()
        accounts_services.verify_resident(
            user=citizen, actor=official, document_kind="passport", document_number="45 00 100002"
        )
        assert time.monotonic() - start < 10
    settings.CELERY_BROKER_URL = live_celery.broker_url

    citizen.refresh_from_db()
    assert citizen.verification_level == "resident"
    notification = Notification.objects.get(recipient=citizen)
    assert notification.status == Notification.Status.PENDING

    # The broker is back. Once the row is older than EDEM_NOTIFICATION_SWEEP_AGE, the beat's
    # sweep (sent through Redis and run by the worker, as in production) re-queues it.
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - settings.EDEM_NOTIFICATION_SWEEP_AGE - timedelta(seconds=5)
    )
    sweep_outbox.delay()

    wait_until_sent(notification, live_celery)
    (message,) = smtp_server.messages_to(citizen.email)
    assert 'lang="uk"' in html_part(message)
