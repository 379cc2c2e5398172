import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from appeals import services as appeal_services
from appeals.community import services
from appeals.community.models import AreaSubscription, Follow
from appeals.models import AppealEvent
from edem.core.models import EventDelivery
from edem.notifications.models import Notification
from tests.factories import AppealFactory, CitizenFactory, TerritoryFactory, UserFactory, square

from .factories import CategoryFactory, PublicAppealFactory, offset

pytestmark = pytest.mark.django_db


def test_R18_followers_get_one_mail_per_public_event_in_their_language_without_personal_data(
    django_capture_on_commit_callbacks,
):
    appeal = PublicAppealFactory(status="received", number="")
    ru, uk = UserFactory(language="ru"), UserFactory(language="uk")
    for user in (ru, uk):
        services.follow(appeal=appeal, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        appeal_services.register(appeal=appeal, actor=None)
    event = AppealEvent.objects.get(appeal=appeal, action="register")
    alerts = Notification.objects.filter(template="community/event")
    assert {(n.email, n.language) for n in alerts} == {(ru.email, "ru"), (uk.email, "uk")}
    assert appeal.author.email not in {n.email for n in alerts}  # told by the appeals mail
    services.on_public_event(event)  # the same event again: nothing new
    assert alerts.count() == 2
    sent = [m for m in mail.outbox if m.to == [uk.email]]
    assert len(sent) == 1
    assert "Вітаємо!" in sent[0].body  # rendered in the follower's language
    assert "Здравствуйте!" in next(m for m in mail.outbox if m.to == [ru.email]).body
    assert "/problems/unsubscribe/" in sent[0].body
    assert "/problems/unsubscribe/" in sent[0].alternatives[0][0]
    assert appeal.email not in sent[0].body and appeal.postal_address not in sent[0].body


def test_internal_events_and_non_public_appeals_send_no_alerts():
    appeal = PublicAppealFactory()
    follower = UserFactory()
    services.follow(appeal=appeal, user=follower)
    AppealEvent.objects.create(appeal=appeal, action="assign", is_public=False)
    private = AppealFactory(is_public=False)
    Follow.objects.create(appeal=private, user=follower)
    AppealEvent.objects.create(appeal=private, action="register", is_public=True)
    assert not Notification.objects.filter(template="community/event").exists()


def test_unsubscribe_link_is_one_click_without_sign_in_and_tamper_proof(
    client, django_capture_on_commit_callbacks
):
    appeal = PublicAppealFactory(status="received", number="")
    follower = UserFactory()
    services.follow(appeal=appeal, user=follower)
    with django_capture_on_commit_callbacks(execute=True):
        appeal_services.register(appeal=appeal, actor=None)
    body = next(m for m in mail.outbox if m.to == [follower.email]).body
    link = re.search(r"https?://[^\s]+(/problems/unsubscribe/[^\s/]+/)", body).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    tampered = link.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert client.get(tampered).status_code == 400
    forged = services.unsubscribe_token("follow", follower.pk, appeal.pk).replace(":", ";", 1)
    assert client.get(reverse("community:unsubscribe", args=[forged])).status_code == 400
    assert Follow.objects.filter(user=follower).exists()
    response = client.get(link)  # not signed in
    assert response.status_code == 200 and appeal.subject in response.content.decode()
    assert not Follow.objects.filter(user=follower).exists()
    assert client.get(link).status_code == 200  # twice: harmless


def test_the_merged_appeals_author_follows_the_surviving_problem_and_is_told(
    django_capture_on_commit_callbacks,
):
    from cabinets.roles import Role
    from tests.factories import member

    surviving = PublicAppealFactory(email="same@example.org")
    repeat = AppealFactory(
        cabinet=surviving.cabinet, status="registered", number="R-2", email="same@example.org"
    )
    assert repeat.author_id != surviving.author_id
    head = member(surviving.cabinet, Role.HEAD)
    with django_capture_on_commit_callbacks(execute=True):
        appeal_services.merge(appeal=repeat, actor=head, into=surviving, note="Повтор")
    assert Follow.objects.filter(appeal=surviving, user=repeat.author, reason="merged").exists()
    told = [m for m in mail.outbox if m.to == [repeat.author.email]]
    assert any("/problems/unsubscribe/" in m.body for m in told)


@pytest.fixture
def district():
    return TerritoryFactory(boundary=square(37.99, 55.99, 0.02))


def test_digest_once_a_day_in_the_subscribers_language_for_the_area_and_categories(district):
    potholes, lights = CategoryFactory(), CategoryFactory()
    reader = CitizenFactory(language="uk")
    start = timezone.now() - timedelta(days=2)
    with time_machine.travel(start, tick=False):
        circle = services.subscribe_area(
            user=reader,
            categories=[potholes],
            latitude=offset()[0],
            longitude=offset()[1],
            radius_m=300,
        )
        whole = services.subscribe_area(user=reader, territory=district)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        near = PublicAppealFactory(category=potholes, territory=district, subject="Яма рядом")
        lat, lon = offset(metres_north=1000)
        far = PublicAppealFactory(
            category=potholes, territory=district, latitude=lat, longitude=lon, subject="Яма далеко"
        )
        PublicAppealFactory(category=lights, territory=district, subject="Фонарь не горит")
        AppealFactory(
            is_public=False,
            category=potholes,
            territory=district,
            latitude=offset()[0],
            longitude=offset()[1],
            subject="Тайная яма",
        )
    day = start + timedelta(days=1)
    with time_machine.travel(day, tick=False):
        assert services.send_digests() == 2
        assert services.send_digests() == 0  # the same day: nothing again
    digests = Notification.objects.filter(template="community/digest")
    assert {n.language for n in digests} == {"uk"}
    by_area = {n.key.split(":")[2]: n.context for n in digests}
    circle_subjects = [p["subject"] for p in by_area[str(circle.pk)]["problems"]]
    assert circle_subjects == ["Яма рядом"]
    whole_subjects = {p["subject"] for p in by_area[str(whole.pk)]["problems"]}
    assert whole_subjects == {"Яма рядом", "Яма далеко", "Фонарь не горит"}
    assert far.pk and near.pk
    assert all("unsubscribe_path" in n.context for n in digests)
    with time_machine.travel(day + timedelta(days=1), tick=False):
        assert services.send_digests() == 0  # nothing new since
        PublicAppealFactory(category=potholes, territory=district, subject="Новая яма")
    with time_machine.travel(day + timedelta(days=1, hours=1), tick=False):
        assert services.send_digests() == 2


def test_area_subscription_form_keeps_input_and_accepts_a_typed_circle(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("community:alerts")
    response = client.post(
        url, {"area": "circle", "latitude": "56.001", "longitude": "", "radius_m": "400"}
    )
    assert response.status_code == 400 and "56.001" in response.content.decode()
    response = client.post(
        url, {"area": "circle", "latitude": "56.001", "longitude": "38.002", "radius_m": "400"}
    )
    assert response.status_code == 302
    subscription = AreaSubscription.objects.get(user=user)
    assert subscription.radius_m == 400 and subscription.territory is None
    assert "400" in client.get(url).content.decode()
    client.post(reverse("community:delete_subscription", args=[subscription.pk]))
    assert not AreaSubscription.objects.exists()


def test_unsubscribe_from_an_area_and_from_everything():
    user = UserFactory()
    appeal = PublicAppealFactory()
    services.follow(appeal=appeal, user=user)
    sub = services.subscribe_area(
        user=user, latitude=offset()[0], longitude=offset()[1], radius_m=200
    )
    services.unsubscribe(services.unsubscribe_token("area", user.pk, sub.pk))
    assert not AreaSubscription.objects.exists() and Follow.objects.filter(user=user).exists()
    services.subscribe_area(user=user, latitude=offset()[0], longitude=offset()[1], radius_m=200)
    services.unsubscribe(services.unsubscribe_token("all", user.pk, None))
    assert not AreaSubscription.objects.exists() and not Follow.objects.filter(user=user).exists()


def test_the_daily_digest_task_is_scheduled_and_waits_for_the_morning(district):
    from appeals.community.tasks import DIGEST_HOUR, send_area_digests
    from edem.celery import BEAT_SCHEDULE

    assert ("appeals.community.tasks.send_area_digests", 3600) in BEAT_SCHEDULE.values()
    reader = CitizenFactory()
    today = timezone.localtime().replace(hour=0, minute=30, second=0, microsecond=0)
    with time_machine.travel(today - timedelta(days=1), tick=False):
        services.subscribe_area(user=reader, territory=district)
    with time_machine.travel(today - timedelta(hours=12), tick=False):
        PublicAppealFactory(territory=district)
    with time_machine.travel(today, tick=False):
        assert send_area_digests.delay().get() == 0  # before the morning: nothing
    with time_machine.travel(today.replace(hour=DIGEST_HOUR), tick=False):
        assert send_area_digests.delay().get() == 1
        assert send_area_digests.delay().get() == 0


def test_a_failing_alert_never_stops_the_appeal_workflow(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    appeal = PublicAppealFactory(status="received", number="")
    services.follow(appeal=appeal, user=UserFactory())

    def broken(event):
        raise RuntimeError("mail templates missing")

    monkeypatch.setattr(services, "on_public_event", broken)
    with django_capture_on_commit_callbacks(execute=True):
        appeal_services.register(appeal=appeal, actor=None)
    appeal.refresh_from_db()
    assert appeal.status == "registered"
    assert "community.alert_followers" in caplog.text  # logged ...
    row = EventDelivery.objects.get(subscriber="community.alert_followers", status="pending")
    assert "mail templates missing" in row.last_error  # ... and kept for the retry
