"""Webhooks (issue 14, point 2) on the real PostgreSQL, with a real HTTP receiver on 127.0.0.1
that checks each signature with the README's own receiver code (webhooks_support.py)."""

import json
import time
import uuid
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from appeals import services as appeals
from cabinets.roles import Role
from consultations.petitions import services as petitions
from consultations.petitions.workflow import Status as PetitionStatus
from edem.core import events
from edem.core.events import ConsultationChanged
from edem.core.models import EventDelivery
from edem.notifications import services as notification_services
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.webhooks import catalogue, delivery, services
from tests.consultations.petitions.factories import PetitionFactory
from tests.factories import (
    TOTP_SECRET,
    AppealFactory,
    CabinetFactory,
    classifier_code,
    member,
)
from tests.notifications.conftest import broker_down  # noqa: F401 (a fixture)

from .webhooks_support import WebhookReceiver, api_client, free_port, readme_receiver, subscribe

pytestmark = pytest.mark.django_db

START = "2026-03-02 09:00:00+00:00"


@pytest.fixture(autouse=True)
def _broker_not_paused(monkeypatch):
    """Each test starts with the publishers willing to try the broker, and a pause that a test
    with the broker down causes ends with it (monkeypatch puts the values back)."""
    monkeypatch.setattr(delivery, "_broker_paused_until", 0.0)
    monkeypatch.setattr(notification_services, "_broker_paused_until", 0.0)
    monkeypatch.setattr(events, "_broker_paused_until", 0.0)


def code_now():
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))


def register(cabinet, registrar, capture):
    with capture(execute=True):
        return appeals.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)


def deliveries(subscription):
    return list(subscription.deliveries.order_by("pk"))


def body(row):
    return json.loads(row.body)


def test_an_appeal_registered_and_answered_is_signed_and_sent_only_to_its_cabinet(
    cabinet, head, registrar, django_capture_on_commit_callbacks
):
    executor = member(cabinet, Role.EXECUTOR)
    readme = readme_receiver()  # the README's receiver, as a client would run it
    with WebhookReceiver(handler=readme["Receiver"]) as receiver:
        ours = api_client(cabinet)
        sub, secret = subscribe(ours, receiver.url, "appeal.registered", "appeal.answered")
        readme["SECRET"] = secret
        everything, _ = subscribe(api_client(CabinetFactory(code="other")), receiver.url)
        no_scope = api_client(cabinet)
        unscoped, _ = subscribe(no_scope, receiver.url)
        no_scope.scopes = ["read"]  # the scope taken away after subscribing
        no_scope.save()

        with django_capture_on_commit_callbacks(execute=True):
            appeal = appeals.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
            appeal = appeals.assign(appeal=appeal, actor=head, executor=executor)
            appeals.draft_answer(
                appeal=appeal,
                actor=executor,
                text="Яма заделана 10 марта.",
                result="explained",
                classifier=classifier_code(),
            )
            appeals.sign_answer(appeal=appeal, actor=head, otp_code=code_now())

    rows = deliveries(sub)
    assert [r.event_type for r in rows] == ["appeal.registered", "appeal.answered"]
    # The README's receiver answered 204 only because the signature checked out.
    assert [r.status for r in rows] == [WebhookDelivery.DELIVERED] * 2
    assert [r.last_status_code for r in rows] == [204, 204]
    registered, answered = (body(r) for r in rows)
    assert registered["type"] == "appeal.registered" and registered["id"] == str(rows[0].event_id)
    appeal.refresh_from_db()
    assert registered["data"] == {
        "object": "appeal",
        "id": appeal.pk,
        "number": appeal.number,
        "status": "registered",
        "cabinet": cabinet.pk,
        "links": {"api": f"{settings.SITE_URL}/api/v1/appeals/{appeal.pk}/"},
    }
    assert answered["data"]["status"] == "answered"
    for row in rows:  # no personal data of the citizen
        for private in (appeal.last_name, appeal.email, appeal.postal_address, appeal.subject):
            assert private not in row.body
    assert deliveries(everything) == [] and deliveries(unscoped) == []  # other cabinet, no scope
    assert not EventDelivery.objects.filter(
        subscriber__startswith="integrations.webhooks.", status=EventDelivery.PENDING
    ).exists()


def test_a_forwarded_appeal_is_forwarded_for_the_cabinet_it_leaves_received_for_the_next(
    cabinet, registrar, django_capture_on_commit_callbacks
):
    other = CabinetFactory(code="roads")
    with WebhookReceiver() as receiver:
        ours, _ = subscribe(api_client(cabinet), receiver.url)
        theirs, _ = subscribe(api_client(other), receiver.url)
        appeal = register(cabinet, registrar, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            appeals.forward(
                appeal=appeal, actor=registrar, reason="Дороги — не наша компетенция.",
                to_cabinet=other,
            )  # fmt: skip
    assert [r.event_type for r in deliveries(ours)] == ["appeal.registered", "appeal.forwarded"]
    assert [r.event_type for r in deliveries(theirs)] == ["appeal.received"]
    assert body(deliveries(ours)[1])["data"]["status"] == "forwarded"
    assert body(deliveries(theirs)[0])["data"]["cabinet"] == other.pk
    assert all(r.status == WebhookDelivery.DELIVERED for r in [*deliveries(ours)])
    assert len(receiver.received) == 3


def test_a_petition_published_is_a_milestone_of_its_cabinet(
    cabinet, registrar, django_capture_on_commit_callbacks
):
    with WebhookReceiver() as receiver:
        sub, receiver.secret = subscribe(api_client(cabinet), receiver.url)
        petition = PetitionFactory(cabinet=cabinet, status=PetitionStatus.MODERATION)
        with django_capture_on_commit_callbacks(execute=True):
            petitions.publish(petition=petition, actor=registrar)
    (row,) = deliveries(sub)
    assert row.event_type == "petition.published" and row.status == WebhookDelivery.DELIVERED
    data = body(row)["data"]
    assert data["object"] == "petition" and data["id"] == petition.pk
    assert data["status"] == PetitionStatus.COLLECTING
    assert data["links"]["page"].endswith(f"/petitions/{petition.pk}/")
    assert petition.author.email not in row.body
    assert receiver.received[0].verified


def test_a_receiver_answering_500_then_200_gets_the_retry_after_the_back_off(
    cabinet, registrar, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(START, tick=True) as clock,
        WebhookReceiver(answers=(500, 200)) as receiver,
    ):
        sub, receiver.secret = subscribe(api_client(cabinet), receiver.url, "appeal.registered")
        register(cabinet, registrar, django_capture_on_commit_callbacks)
        (row,) = deliveries(sub)
        assert row.status == WebhookDelivery.PENDING and row.attempts == 1
        assert row.last_status_code == 500
        first = row.attempt_log.get()
        assert first.status_code == 500 and first.response_excerpt == "answer 500"
        assert row.next_attempt_at == first.at + timedelta(minutes=1)

        assert delivery.sweep() == 0  # not yet due
        clock.shift(timedelta(seconds=61))
        assert delivery.sweep() == 1
    row.refresh_from_db()
    assert row.status == WebhookDelivery.DELIVERED and row.attempts == 2
    assert [a.status_code for a in row.attempt_log.all()] == [500, 200]
    assert len(receiver.received) == 2 and all(r.verified for r in receiver.received)
    ids = {r.headers["Webhook-Id"] for r in receiver.received}
    assert ids == {str(row.uuid)}  # one message, retried
    assert delivery.sweep() == 0


def test_the_back_off_runs_1_5_30_min_2_h_12_h_then_the_delivery_fails(
    cabinet, registrar, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=True) as clock, WebhookReceiver(answers=(503,)) as rx:
        sub, rx.secret = subscribe(api_client(cabinet), rx.url, "appeal.registered")
        register(cabinet, registrar, django_capture_on_commit_callbacks)
        (row,) = deliveries(sub)
        waits = []
        for wait in delivery.RETRY_DELAYS:
            waits.append(row.next_attempt_at - row.attempt_log.last().at)
            clock.shift(wait + timedelta(seconds=1))
            assert delivery.sweep() == 1
            row.refresh_from_db()
        clock.shift(timedelta(days=2))
        assert delivery.sweep() == 0
    assert waits == list(delivery.RETRY_DELAYS)
    assert row.status == WebhookDelivery.FAILED and row.attempts == delivery.MAX_ATTEMPTS == 6
    assert row.attempt_log.count() == 6 and len(rx.received) == 6


def test_a_receiver_that_is_down_gets_the_delivery_later(
    cabinet, registrar, django_capture_on_commit_callbacks
):
    port = free_port()  # nothing listens there yet
    with time_machine.travel(START, tick=True) as clock:
        sub, secret = subscribe(
            api_client(cabinet), f"http://127.0.0.1:{port}/hooks/", "appeal.registered"
        )
        register(cabinet, registrar, django_capture_on_commit_callbacks)
        (row,) = deliveries(sub)
        assert row.status == WebhookDelivery.PENDING and row.last_status_code is None
        assert "ConnectionError" in row.attempt_log.get().error
        clock.shift(timedelta(minutes=2))
        with WebhookReceiver(secret=secret, port=port) as receiver:
            assert delivery.sweep() == 1
    row.refresh_from_db()
    assert row.status == WebhookDelivery.DELIVERED and row.attempts == 2
    assert receiver.received[0].verified


def test_with_the_broker_down_the_sweep_sends_what_could_not_be_queued(
    cabinet,
    registrar,
    django_capture_on_commit_callbacks,
    broker_down,  # noqa: F811
):
    with time_machine.travel(START, tick=True) as clock, WebhookReceiver() as receiver:
        sub, receiver.secret = subscribe(api_client(cabinet), receiver.url, "appeal.registered")
        register(cabinet, registrar, django_capture_on_commit_callbacks)
        (row,) = deliveries(sub)
        assert row.status == WebhookDelivery.PENDING and row.attempts == 0  # written, not sent
        assert delivery.sweep() == 0  # its task may still come
        clock.shift(timedelta(minutes=3))
        assert delivery.sweep() == 1
    row.refresh_from_db()
    assert row.status == WebhookDelivery.DELIVERED and receiver.received[0].verified


def test_after_a_rotation_the_old_secret_still_verifies_during_the_grace_period_only(
    cabinet, registrar, django_capture_on_commit_callbacks
):
    verify = readme_receiver()["verify"]
    with time_machine.travel(START, tick=True) as clock, WebhookReceiver() as receiver:
        sub, old = subscribe(api_client(cabinet), receiver.url, "appeal.registered")
        new = services.rotate_secret(subscription=sub, grace=timedelta(hours=1))
        assert new != old and new.startswith("whsec_")
        receiver.secret = old
        register(cabinet, registrar, django_capture_on_commit_callbacks)
        (during,) = receiver.received
        assert len(during.headers["Webhook-Signature"].split()) == 2
        assert during.verified  # with the old secret, in the grace period
        assert verify(new, during.headers, during.body)

        clock.shift(timedelta(hours=2))
        (row,) = deliveries(sub)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.resend([row.pk]) == 1
        _, after = receiver.received
        assert len(after.headers["Webhook-Signature"].split()) == 1
        assert not after.verified  # the old secret no longer signs
        assert verify(new, after.headers, after.body)
        # A stale request fails as well: the receiver checks the timestamp's freshness.
        assert not verify(new, during.headers, during.body)


def test_the_admin_shows_the_secret_once_rotates_it_lists_attempts_and_re_sends(
    cabinet, registrar, admin_client, django_capture_on_commit_callbacks
):
    client = api_client(cabinet)
    with WebhookReceiver(answers=(200,)) as receiver:
        response = admin_client.post(
            reverse("admin:integrations_webhooksubscription_add"),
            {
                "client": client.pk,
                "url": receiver.url,
                "description": "СЭД администрации",
                "event_types": ["appeal.registered", "petition.published"],
                "is_active": "on",
            },
            follow=True,
        )
        sub = WebhookSubscription.objects.get()
        assert sub.event_types == ["appeal.registered", "petition.published"]
        assert sub.secret.startswith("whsec_") and sub.secret in response.content.decode()
        assert "messages" not in response.cookies  # shown in the page only, never stored
        assert "no-store" in response.headers["Cache-Control"]
        change = admin_client.get(
            reverse("admin:integrations_webhooksubscription_change", args=[sub.pk])
        )
        assert change.status_code == 200 and sub.secret not in change.content.decode()
        assert 'type="checkbox" name="event_types"' in change.content.decode()

        old = sub.secret
        response = admin_client.post(
            reverse("admin:integrations_webhooksubscription_changelist"),
            {"action": "rotate_secret", "_selected_action": [sub.pk]},
            follow=True,
        )
        sub.refresh_from_db()
        assert sub.previous_secret == old and sub.secret != old
        assert sub.secret in response.content.decode() and old not in response.content.decode()
        receiver.secret = sub.secret

        register(cabinet, registrar, django_capture_on_commit_callbacks)
        (row,) = deliveries(sub)
        listing = reverse("admin:integrations_webhookdelivery_changelist")
        filtered = admin_client.get(
            listing,
            {
                "status": "delivered",
                "event_type": "appeal.registered",
                "subscription__client__id__exact": client.pk,
            },
        )
        assert filtered.status_code == 200 and str(receiver.url) in filtered.content.decode()
        assert admin_client.get(listing, {"status": "failed"}).context["cl"].result_count == 0
        page = admin_client.get(reverse("admin:integrations_webhookdelivery_change", args=[row.pk]))
        assert "answer 200" in page.content.decode()  # the attempt's response

        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(listing, {"action": "resend", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.status == WebhookDelivery.DELIVERED and row.attempt_log.count() == 2
    assert [a.number for a in row.attempt_log.all()] == [1, 2]
    first, again = receiver.received
    assert first.headers["Webhook-Id"] == again.headers["Webhook-Id"] == str(row.uuid)
    assert first.body == again.body and again.verified


def test_a_subscription_needs_the_webhooks_scope_and_known_events(cabinet):
    with pytest.raises(ValidationError):
        subscribe(api_client(cabinet, scopes=["read"]), "https://edms.example/hooks")
    assert not WebhookSubscription.objects.exists()
    with pytest.raises(ValidationError):
        subscribe(api_client(cabinet), "https://edms.example/hooks", "appeal.deleted")
    sub, _ = subscribe(api_client(cabinet), "https://edms.example/hooks", "appeal.registered")
    assert sub.signing_secrets() == [sub.secret]
    assert set(catalogue.EVENT_TYPES) >= set(catalogue.APPEAL_TYPES.values())
    assert set(catalogue.EVENT_TYPES) >= set(catalogue.CONSULTATION_TYPES.values())
    assert timezone.now() >= sub.created_at


def test_a_rolled_back_change_sends_nothing(cabinet, registrar, django_capture_on_commit_callbacks):
    sub, _ = subscribe(api_client(cabinet), "http://127.0.0.1:9/never/")
    appeal = AppealFactory(cabinet=cabinet)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        appeals.register(appeal=appeal, actor=registrar)
        raise RuntimeError("the request fails after the registration")
    assert deliveries(sub) == []
    assert not EventDelivery.objects.filter(subscriber__startswith="integrations.webhooks.")


def test_poll_and_budget_milestones_are_sent_and_other_lines_are_not(
    cabinet, django_capture_on_commit_callbacks
):
    port = free_port()
    sub, _ = subscribe(api_client(cabinet), f"http://127.0.0.1:{port}/hooks/")
    lines = [
        ("poll", "start", "active"),
        ("poll", "edit", "scheduled"),
        ("budget", "phase", "voting"),
        ("budget", "results", "count"),
        ("petition", "create", "draft"),
        ("discussion", "start", "active"),
    ]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for history_id, (instrument, action, status) in enumerate(lines, start=1):
            events.publish(
                ConsultationChanged(
                    instrument=instrument,
                    object_id=7,
                    cabinet_id=cabinet.pk,
                    history_id=history_id,
                    action=action,
                    status=status,
                )
            )
    rows = deliveries(sub)
    assert [r.event_type for r in rows] == [
        "poll.started",
        "budget.phase_changed",
        "budget.results_published",
    ]
    assert body(rows[0])["data"]["links"]["page"].endswith("/polls/7/")
    assert body(rows[1])["data"]["links"]["page"].endswith("/budgets/7/")
    assert all(r.status == WebhookDelivery.PENDING and r.attempts == 1 for r in rows)  # refused


def test_a_subscription_switched_off_after_the_event_fails_its_delivery_without_sending(
    cabinet, registrar, django_capture_on_commit_callbacks
):
    with WebhookReceiver() as receiver:
        sub, receiver.secret = subscribe(api_client(cabinet), receiver.url, "appeal.registered")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            appeals.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
        WebhookSubscription.objects.filter(pk=sub.pk).update(is_active=False)
        for callback in callbacks:
            with django_capture_on_commit_callbacks(execute=True):
                callback()
    assert receiver.received == []
    # Switched off before the kernel handed the event over: no delivery at all.
    assert deliveries(sub) == []
    WebhookSubscription.objects.filter(pk=sub.pk).update(is_active=True)
    row = WebhookDelivery.objects.create(
        subscription=sub,
        event_id=uuid.uuid4(),
        event_type="appeal.registered",
        occurred_at=timezone.now(),
        body="{}",
    )
    WebhookSubscription.objects.filter(pk=sub.pk).update(is_active=False)
    assert delivery.send(row.pk) == WebhookDelivery.FAILED
    assert row.attempt_log.get().error == "The subscription is not active."


def test_the_deliveries_search_takes_any_text(admin_client):
    listing = reverse("admin:integrations_webhookdelivery_changelist")
    assert admin_client.get(listing, {"q": "not-a-uuid"}).status_code == 200
    assert admin_client.get(listing, {"q": str(uuid.uuid4())}).status_code == 200


def test_the_signature_is_standard_webhooks_so_its_own_library_verifies_it():
    """The scheme is the Standard Webhooks one as written: the reference library accepts our
    headers for the right secret, during a rotation for either secret, and refuses a wrong one
    or a changed body."""
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    from integrations.webhooks import signing

    new, old, stranger = signing.new_secret(), signing.new_secret(), signing.new_secret()
    body = json.dumps({"type": "appeal.registered"}).encode()
    sent = signing.headers(
        message_id=uuid.uuid4(), timestamp=int(time.time()), body=body, secrets_in_force=[new, old]
    )
    headers = {name.lower(): value for name, value in sent.items()}
    for secret in (new, old):
        assert Webhook(secret).verify(body, headers) == {"type": "appeal.registered"}
    with pytest.raises(WebhookVerificationError):
        Webhook(stranger).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body.replace(b"registered", b"answered"), headers)
