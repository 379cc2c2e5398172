"""A broker outage delays mail and never loses it, and never makes the business change fail.

These need no real Redis: the "broker" is a port where nothing listens (connection refused)
or a socket that accepts and never answers (a black hole). The mail goes over SMTP to the
in-test aiosmtpd server.
"""

import socket
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from edem.accounts import services as accounts_services
from edem.notifications import services
from edem.notifications.models import Notification
from edem.notifications.tasks import sweep_outbox
from tests.factories import UserFactory

from .conftest import celery_conf, html_part

# The business transaction may wait for the broker at most this long after commit.
PUBLISH_BUDGET = 10


def verify(citizen):
    official = UserFactory(is_superuser=True)
    start = time.monotonic()
    accounts_services.verify_resident(
        user=citizen,
        actor=official,
        document_kind="passport",
        document_number=f"4500{citizen.pk:06d}",
    )
    return time.monotonic() - start


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_change_commits_and_the_sweep_delivers_later(
    broker_down, smtp_settings
):
    citizen = UserFactory(language="uk")

    elapsed = verify(citizen)  # commits; on_commit tries the broker and gives up

    assert elapsed < PUBLISH_BUDGET
    citizen.refresh_from_db()
    assert citizen.verification_level == "resident"
    notification = Notification.objects.get(recipient=citizen)
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 0
    assert smtp_settings.messages_to(citizen.email) == []

    # Too young for the sweep: its first delivery might still be on its way.
    assert sweep_outbox() == 0

    # Three minutes later the beat runs the sweep. The broker is still down, so the sweep
    # delivers the row itself.
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=True):
        start = time.monotonic()
        assert sweep_outbox() == 1
        assert time.monotonic() - start < PUBLISH_BUDGET

    (message,) = smtp_settings.messages_to(citizen.email)
    assert 'lang="uk"' in html_part(message)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert sweep_outbox() == 0


@pytest.mark.django_db(transaction=True)
def test_when_the_broker_is_back_the_sweep_requeues_and_delivers(
    broker_down, smtp_settings, monkeypatch
):
    citizen = UserFactory(language="en")
    verify(citizen)
    notification = Notification.objects.get(recipient=citizen)
    assert notification.status == Notification.Status.PENDING

    # Minutes later the broker is back (here: the in-process eager "broker" of the embedded
    # default) and this process has stopped pausing after the refusal.
    monkeypatch.setattr(services, "_broker_paused_until", 0.0)
    queued = []
    queue_delivery = services._queue_delivery
    monkeypatch.setattr(
        services, "_queue_delivery", lambda pk: queued.append(queue_delivery(pk)) or queued[-1]
    )
    with (
        celery_conf(task_always_eager=True),
        time_machine.travel(timezone.now() + timedelta(minutes=3), tick=True),
    ):
        assert sweep_outbox() == 1

    assert queued == [True]  # through the queue, not delivered by the sweep itself
    (message,) = smtp_settings.messages_to(citizen.email)
    assert 'lang="en"' in html_part(message)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


@pytest.fixture
def black_hole():
    """A TCP port that accepts connections and never says a word."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    server.close()


def test_publishing_to_a_silent_broker_gives_up_within_seconds_then_pauses(settings, black_hole):
    settings.CELERY_BROKER_URL = black_hole
    with celery_conf(broker_url=black_hole, task_always_eager=False):
        start = time.monotonic()
        assert services._queue_delivery(1) is False
        assert time.monotonic() - start < PUBLISH_BUDGET

        # The next messages do not wait for the broker again: they are left to the sweep.
        start = time.monotonic()
        assert services._queue_delivery(2) is False
        assert time.monotonic() - start < 0.5
