"""The domain-event outbox (edem.core.events) on the real database: events are stored in the
publishing transaction, delivered after commit to every subscriber once, and a failing
subscriber never breaks the write and is delivered later by the retry or the sweep."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from appeals import services as appeal_services
from appeals.community import services as community
from appeals.community.models import Follow
from appeals.problems.models import PublicProblem
from edem.core import events
from edem.core.models import EventDelivery
from edem.notifications.models import Notification
from tests.appeals.community.factories import PublicAppealFactory
from tests.factories import CitizenFactory, UserFactory

from .probe import Probe, runs

pytestmark = pytest.mark.django_db(transaction=True)

STEADY, FLAKY = "tests.probe.steady", "tests.probe.flaky"


def token():
    return uuid.uuid4().hex


def rows(tok):
    return EventDelivery.objects.filter(event_type="Probe", payload__token=tok)


def test_an_event_of_a_rolled_back_transaction_is_never_delivered():
    tok = token()
    with pytest.raises(RuntimeError), transaction.atomic():
        get_user_model().objects.create(email=f"{tok}@example.org")
        events.publish(Probe(token=tok))
        assert rows(tok).count() == 2  # stored in the transaction ...
        raise RuntimeError("the use case failed")
    assert not rows(tok).exists()  # ... and gone with it
    assert runs(tok, "steady") == runs(tok, "flaky") == 0
    assert events.sweep(now=timezone.now() + timedelta(hours=1)) == 0


def test_a_committed_event_reaches_every_subscriber_once_after_commit():
    tok = token()
    with transaction.atomic():
        events.publish(Probe(token=tok))
        assert runs(tok, "steady") == 0  # nothing before commit
    assert set(rows(tok).values_list("subscriber", "status")) == {
        (STEADY, EventDelivery.DONE),
        (FLAKY, EventDelivery.DONE),
    }
    assert runs(tok, "steady") == runs(tok, "flaky") == 1
    # A second run of the same rows (a duplicated task, the sweep) does nothing.
    for row in rows(tok):
        assert events.deliver(row.pk) is None
    events.sweep(now=timezone.now() + timedelta(hours=1))
    assert runs(tok, "steady") == runs(tok, "flaky") == 1
    assert list(rows(tok).values_list("attempts", flat=True)) == [1, 1]


def test_a_row_claimed_by_a_live_run_is_not_taken_twice():
    tok = token()
    with transaction.atomic():
        events.publish(Probe(token=tok))
        # another process claimed the flaky row a moment ago (before this commit)
        rows(tok).filter(subscriber=FLAKY).update(claimed_at=timezone.now())
    assert runs(tok, "flaky") == 0
    row = rows(tok).get(subscriber=FLAKY)
    assert events.deliver(row.pk) is None and runs(tok, "flaky") == 0
    # The claim of a process that died expires; then the sweep takes the row.
    events.sweep(now=timezone.now() + events.CLAIM_LEASE + timedelta(seconds=1))
    assert runs(tok, "flaky") == 1


def test_a_failing_subscriber_keeps_the_write_stays_pending_and_the_sweep_delivers(
    settings, caplog
):
    settings.EDEM_EVENT_RETRY_BASE = 30
    tok = token()
    start = timezone.now()
    with transaction.atomic():
        user = get_user_model().objects.create(email=f"{tok}@example.org")
        events.publish(Probe(token=tok, fail_until=start + timedelta(minutes=5)))
    assert get_user_model().objects.filter(pk=user.pk).exists()  # the write stands
    assert runs(tok, "steady") == 1  # the other subscriber is not held up
    row = rows(tok).get(subscriber=FLAKY)
    assert row.status == EventDelivery.PENDING and row.attempts == 1
    assert "not ready yet" in row.last_error and row.claimed_at is None
    assert row.next_attempt_at > start  # waits out its back-off
    assert "tests.probe.flaky failed on Probe" in caplog.text
    # The retry task (run eagerly here) came too early: the row still waits.
    assert runs(tok, "flaky") == 0
    assert events.sweep() == 0  # not due yet
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        assert events.sweep() == 1  # due, but the subscriber still fails: back-off doubles
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at == start + timedelta(minutes=2, seconds=60)
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        assert events.sweep() == 1
    row.refresh_from_db()
    assert row.status == EventDelivery.DONE and row.attempts == 3 and row.last_error == ""
    assert runs(tok, "flaky") == 1 and runs(tok, "steady") == 1


def test_after_the_last_attempt_the_row_fails_and_an_administrator_retries_it(settings, client):
    settings.EDEM_EVENT_MAX_ATTEMPTS = 1
    tok = token()
    with transaction.atomic():
        events.publish(Probe(token=tok, fail_until=timezone.now() + timedelta(seconds=2)))
    row = rows(tok).get(subscriber=FLAKY)
    assert row.status == EventDelivery.FAILED and row.next_attempt_at is None
    assert events.sweep(now=timezone.now() + timedelta(days=1)) == 0  # failed: left alone

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = reverse("admin:core_eventdelivery_changelist")
    page = client.get(listing, {"status": "failed", "subscriber": FLAKY})
    assert page.status_code == 200
    assert f'value="{row.pk}"' in page.content.decode()
    assert f'value="{rows(tok).get(subscriber=STEADY).pk}"' not in page.content.decode()
    assert client.get(reverse("admin:core_eventdelivery_add")).status_code == 403
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        response = client.post(
            listing, {"action": "retry_failed", "_selected_action": [row.pk]}, follow=True
        )
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.status == EventDelivery.DONE and runs(tok, "flaky") == 1


def test_the_beat_schedule_sweeps_the_event_outbox_every_minute():
    from edem.celery import BEAT_SCHEDULE

    assert ("edem.core.tasks.sweep_events", 60) in BEAT_SCHEDULE.values()


def test_events_survive_the_round_trip_through_the_outbox():
    at = timezone.now() - timedelta(days=3)
    event = events.AppealRegistered(appeal_id=7, cabinet_id=3, history_id=11, action="register")
    event = events.AppealRegistered(**{**events.to_payload(event), "at": at})
    assert events.from_payload("AppealRegistered", events.to_payload(event)) == event
    probe = Probe(token="t", fail_until=at)  # an optional datetime comes back a datetime
    assert events.from_payload("Probe", events.to_payload(probe)) == probe
    assert events.from_payload("Probe", events.to_payload(Probe(token="t"))).fail_until is None
    with pytest.raises(TypeError):
        events.subscribe(dict, print, name="not.an.event")
    with pytest.raises(ValueError):
        events.subscribe(Probe, print, name=STEADY)  # a name is one subscriber


# --- The appeals' subscribers: the public projection and the followers' alerts -------------


def test_registering_a_public_appeal_updates_the_projection_and_alerts_followers_after_commit():
    appeal = PublicAppealFactory(status="received", number="")
    follower = UserFactory()
    community.follow(appeal=appeal, user=follower)
    assert PublicProblem.objects.get(pk=appeal.pk).status == "received"
    with transaction.atomic():
        appeal_services.register(appeal=appeal, actor=None)
        assert PublicProblem.objects.get(pk=appeal.pk).status == "received"  # not yet
        assert not Notification.objects.filter(template="community/event").exists()
    assert PublicProblem.objects.get(pk=appeal.pk).status == "registered"
    (alert,) = Notification.objects.filter(template="community/event")
    assert alert.recipient == follower
    delivered = EventDelivery.objects.filter(
        event_type="AppealRegistered", payload__appeal_id=appeal.pk
    )
    assert set(delivered.values_list("subscriber", "status")) == {
        ("problems.sync_projection", EventDelivery.DONE),
        ("community.alert_followers", EventDelivery.DONE),
        ("integrations.webhooks.AppealRegistered", EventDelivery.DONE),
    }


def test_a_failing_follower_alert_never_undoes_the_registration_and_is_retried(monkeypatch):
    appeal = PublicAppealFactory(status="received", number="")
    follower = UserFactory()
    community.follow(appeal=appeal, user=follower)
    real = community.on_public_event

    def broken(line):
        raise RuntimeError("mail templates missing")

    monkeypatch.setattr(community, "on_public_event", broken)
    appeal_services.register(appeal=appeal, actor=None)
    appeal.refresh_from_db()
    assert appeal.status == "registered"
    assert PublicProblem.objects.get(pk=appeal.pk).status == "registered"  # the other subscriber
    row = EventDelivery.objects.get(
        subscriber="community.alert_followers",
        event_type="AppealRegistered",
        payload__appeal_id=appeal.pk,
    )
    assert row.status == EventDelivery.PENDING
    monkeypatch.setattr(community, "on_public_event", real)  # the templates are back
    events.sweep(now=timezone.now() + timedelta(hours=1))
    row.refresh_from_db()
    assert row.status == EventDelivery.DONE
    (alert,) = Notification.objects.filter(template="community/event")
    assert alert.recipient == follower


def test_a_newly_public_problem_is_followed_by_its_author_with_counters_recounted():
    appeal = PublicAppealFactory(is_public=False)
    assert not PublicProblem.objects.filter(pk=appeal.pk).exists()
    appeal.is_public = True
    appeal.save(update_fields=["is_public"])
    # A resident supports it before its projection appears: no counter to move yet.
    community.support(appeal=appeal, user=CitizenFactory())
    with transaction.atomic():
        events.publish(events.AppealChanged(appeal_id=appeal.pk, cabinet_id=appeal.cabinet_id))
    problem = PublicProblem.objects.get(pk=appeal.pk)
    assert Follow.objects.filter(appeal=appeal, user=appeal.author).exists()  # author follows
    assert (problem.support_count, problem.follower_count) == (1, 2)  # recounted from rows
    assert (
        EventDelivery.objects.get(
            event_type="ProblemPublished", subscriber="community.author_follows"
        ).status
        == EventDelivery.DONE
    )
