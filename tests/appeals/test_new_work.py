"""Officials are told of new work: a mail when an appeal arrives in their cabinet's queue
(filed, entered from paper, forwarded in) or is assigned to them, or one daily digest, as each
person chose; through the notifications outbox, in the recipient's language."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals import services
from appeals.models import WorkNotice
from appeals.services.new_work import send_work_digests
from cabinets.roles import Role
from edem.celery import BEAT_SCHEDULE, app
from edem.core.i18n import resolved
from edem.notifications.models import Notification
from edem.notifications.services import render
from tests.factories import CabinetFactory, CitizenFactory, member

# Real commits: the domain events reach their subscribers after commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

FIELDS = {
    "kind": "statement",
    "subject": "Не вывозят мусор",
    "text": "Третью неделю не вывозят мусор со двора.",
    "last_name": "Иванова",
    "first_name": "Мария",
    "email": "ivanova@example.org",
    "answer_channel": "email",
}


@pytest.fixture
def office():
    cabinet = CabinetFactory(code="adm", kind="administration")
    people = {
        "head": member(cabinet, Role.HEAD),
        "registrar": member(cabinet, Role.REGISTRAR),
        "registrar2": member(cabinet, Role.REGISTRAR),
        "executor": member(cabinet, Role.EXECUTOR),
        "observer": member(cabinet, Role.OBSERVER),
    }
    return cabinet, people


def mailed(template="appeals/new_work"):
    return {n.recipient_id: n for n in Notification.objects.filter(template=template)}


def test_a_filed_appeal_tells_the_registrars_and_the_head(office):
    cabinet, people = office
    citizen = CitizenFactory()
    appeal = services.file_appeal(author=citizen, cabinet=cabinet, **FIELDS)
    sent = mailed()
    assert set(sent) == {people["head"].pk, people["registrar"].pk, people["registrar2"].pk}
    notice = sent[people["registrar"].pk]
    assert notice.context["reason"] == "arrived" and notice.context["number"] == appeal.number
    subject, text, html = render(notice)
    assert appeal.subject in text and f"/service/appeals/{appeal.pk}/" in text
    assert citizen.last_name not in text + subject + html  # no personal data in the mail
    assert WorkNotice.objects.filter(sent_at__isnull=True).count() == 0


def test_the_registrar_who_entered_it_is_not_told_of_their_own_entry(office):
    cabinet, people = office
    services.enter_paper_appeal(
        actor=people["registrar"], cabinet=cabinet, channel="paper", received_at=timezone.now(),
        **{**FIELDS, "postal_address": "ул. Речная, 7"},
    )  # fmt: skip
    assert set(mailed()) == {people["head"].pk, people["registrar2"].pk}


def test_a_forwarded_appeal_tells_the_receiving_cabinet(office):
    cabinet, people = office
    appeal = services.file_appeal(author=CitizenFactory(), cabinet=cabinet, **FIELDS)
    other = CabinetFactory()
    other_registrar = member(other, Role.REGISTRAR)
    other_executor = member(other, Role.EXECUTOR)
    Notification.objects.all().delete()
    services.forward(appeal=appeal, actor=people["head"], to_cabinet=other, reason="Не наше")
    sent = mailed()
    assert other_registrar.pk in sent and other_executor.pk not in sent
    assert people["registrar"].pk not in sent
    stored = sent[other_registrar.pk].context  # the cabinet in every language (edem.core.i18n)
    assert resolved(stored, other_registrar.language)["cabinet"] == other.short_name


def test_an_assigned_appeal_tells_the_executor_in_their_language(office):
    cabinet, people = office
    people["executor"].language = "uk"
    people["executor"].save(update_fields=["language"])
    appeal = services.file_appeal(author=CitizenFactory(), cabinet=cabinet, **FIELDS)
    Notification.objects.all().delete()
    services.assign(appeal=appeal, actor=people["head"], executor=people["executor"])
    sent = mailed()
    assert set(sent) == {people["executor"].pk}  # the head assigned it: not told
    notice = sent[people["executor"].pk]
    assert notice.context["reason"] == "assigned" and notice.language == "uk"
    assert appeal.number in render(notice)[0]


def test_a_daily_digest_instead_of_a_mail_each(office):
    cabinet, people = office
    registrar = people["registrar"]
    registrar.work_mail = registrar.WorkMail.DAILY
    registrar.save(update_fields=["work_mail"])
    first = services.file_appeal(author=CitizenFactory(), cabinet=cabinet, **FIELDS)
    second = services.file_appeal(
        author=CitizenFactory(), cabinet=cabinet, **{**FIELDS, "subject": "Яма"}
    )
    assert registrar.pk not in mailed()  # nothing at once
    assert people["registrar2"].pk in mailed()  # who chose a mail each got it
    today = timezone.localdate()
    assert send_work_digests(today) == 1
    digest = mailed("appeals/new_work_digest")[registrar.pk]
    assert digest.context["count"] == 2
    _subject, text, _html = render(digest)
    assert first.number in text and second.number in text
    # Once a day: what arrives after today's digest waits for tomorrow's.
    third = services.file_appeal(author=CitizenFactory(), cabinet=cabinet, **FIELDS)
    assert send_work_digests(today) == 0
    assert send_work_digests(today + timedelta(days=1)) == 1
    tomorrow = Notification.objects.get(
        key=f"new_work_digest:{registrar.pk}:{today + timedelta(1)}"
    )
    assert [item["number"] for item in tomorrow.context["items"]] == [third.number]
    assert send_work_digests(today + timedelta(days=1)) == 0


def test_the_digest_is_a_beat_task():
    tasks = {task for task, _seconds in BEAT_SCHEDULE.values()}
    assert "appeals.tasks.send_new_work_digests" in tasks
    from appeals.tasks import send_new_work_digests

    assert send_new_work_digests.name == "appeals.tasks.send_new_work_digests"
    assert app.conf.beat_schedule["appeals: daily digest of new work for officials"]


def test_an_official_chooses_in_the_profile_a_citizen_is_not_asked(client, office):
    _cabinet, people = office
    citizen = CitizenFactory()
    client.force_login(citizen)
    assert "work_mail" not in client.get(reverse("accounts:profile")).content.decode()
    registrar = people["registrar"]
    client.force_login(registrar)
    page = client.get(reverse("accounts:profile"))
    form = page.context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(last_name=registrar.last_name, first_name=registrar.first_name)
    data["work_mail"] = "daily"
    data["language"] = "ru"
    response = client.post(reverse("accounts:profile"), data)
    assert response.status_code == 302
    registrar.refresh_from_db()
    assert registrar.work_mail == "daily"
