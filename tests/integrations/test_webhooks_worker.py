"""A webhook sent by a real Celery worker through the real Redis: the registration commits,
the kernel hands its event to the webhooks in this process, the delivery's task goes through
the broker to the worker, and the worker's POST reaches the receiver here with a signature that
the README's code accepts."""

import pytest

from appeals import services as appeals
from cabinets.roles import Role
from integrations.models import WebhookDelivery
from integrations.webhooks import delivery
from tests.conftest import needs_services
from tests.factories import AppealFactory, member
from tests.notifications.conftest import (  # noqa: F401 (fixtures)
    celery_worker,
    live_celery,
    smtp_server,
    wait_until,
)

from .webhooks_support import WebhookReceiver, api_client, subscribe

pytestmark = [needs_services, pytest.mark.celery_worker]


def test_a_real_worker_sends_the_webhook_through_redis(
    transactional_db,
    cabinet,
    live_celery,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setattr(delivery, "_broker_paused_until", 0.0)
    registrar = member(cabinet, Role.REGISTRAR)
    with WebhookReceiver() as receiver:
        sub, receiver.secret = subscribe(api_client(cabinet), receiver.url, "appeal.registered")
        appeal = AppealFactory(cabinet=cabinet)
        appeals.register(appeal=appeal, actor=registrar)  # commits: no test transaction here
        row = WebhookDelivery.objects.get(subscription=sub)

        def delivered():
            row.refresh_from_db()
            return row.status == WebhookDelivery.DELIVERED

        try:
            wait_until(delivered, timeout=60, message="the worker to send the webhook")
        except BaseException:
            print(live_celery.output())
            raise
    (received,) = receiver.received
    assert received.verified and received.headers["Webhook-Id"] == str(row.uuid)
    assert row.attempts == 1 and row.last_status_code == 204
    assert "integrations.webhooks.send_webhook[" in live_celery.output()
