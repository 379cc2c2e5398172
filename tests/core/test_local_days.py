"""The municipality's own days off and working days (issue 19, point 4), on top of the
country's calendar, in every deadline."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from appeals import deadlines as dl
from appeals.services import registration
from consultations.petitions import deadlines as pdl
from edem.core import calendar as cal
from edem.core.jurisdiction import RU
from edem.core.models import LocalDay
from tests.factories import AppealFactory

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")


def d(text):
    return date.fromisoformat(text)


def register_on(moment):
    appeal = AppealFactory(status="received", received_at=moment)
    with time_machine.travel(moment, tick=False):
        return registration.register(appeal=appeal, actor=None)


def test_a_local_day_off_moves_an_appeals_control_date():
    # Registered Tuesday 4 March 2025: due 30 days later, Thursday 3 April, a working day.
    moment = datetime(2025, 3, 4, 10, 0, tzinfo=MSK)
    assert register_on(moment).control_due == d("2025-04-03")
    LocalDay.objects.create(day=d("2025-04-03"), kind=LocalDay.Kind.DAY_OFF, note="День города")
    appeal = register_on(moment)
    assert (appeal.legal_due, appeal.control_due) == (d("2025-04-03"), d("2025-04-02"))


def test_a_local_day_off_moves_a_working_day_deadline():
    # R23: publication within 2 working days of Friday 4 April 2025: Tuesday 8 April; with
    # Monday 7 April a local day off, Wednesday 9 April.
    assert pdl.petition_publication_deadline(d("2025-04-04"), RU).legal_due == d("2025-04-08")
    LocalDay.objects.create(day=d("2025-04-07"), kind=LocalDay.Kind.DAY_OFF)
    assert pdl.petition_publication_deadline(d("2025-04-04"), RU).legal_due == d("2025-04-09")


def test_an_extra_working_saturday_counts():
    # Registered Friday 7 March 2025: due Sunday 6 April; control on Friday 4 April, or on
    # Saturday 5 April once the municipality makes it a working day.
    assert dl.answer_deadline(d("2025-03-07"), d("2025-03-07"), RU).control_due == d("2025-04-04")
    LocalDay.objects.create(day=d("2025-04-05"), kind=LocalDay.Kind.WORKING, note="Отработка")
    assert cal.is_working_day(d("2025-04-05"), "RU")
    assert dl.answer_deadline(d("2025-03-07"), d("2025-03-07"), RU).control_due == d("2025-04-05")
    assert cal.add_working_days(d("2025-04-04"), 1, "RU") == d("2025-04-05")


def test_local_days_are_kept_in_the_process_and_dropped_on_every_change(
    django_assert_num_queries,
):
    day = LocalDay.objects.create(day=d("2025-04-03"), kind=LocalDay.Kind.DAY_OFF)
    assert not cal.is_working_day(d("2025-04-03"), "RU")
    with django_assert_num_queries(0):
        assert not cal.is_working_day(d("2025-04-03"), "RU")
        assert cal.is_working_day(d("2025-04-02"), "RU")
    day.kind = LocalDay.Kind.WORKING
    day.save()
    assert cal.is_working_day(d("2025-04-03"), "RU")
    day.delete()
    assert cal.is_working_day(d("2025-04-03"), "RU")  # an ordinary Thursday again
    LocalDay.objects.create(day=d("2025-04-03"), kind=LocalDay.Kind.DAY_OFF)
    assert not cal.is_working_day(d("2025-04-03"), "RU")


def test_the_admin_adds_a_local_day_and_refuses_a_duplicate(admin_client):
    url = "/admin/core/localday/add/"
    response = admin_client.post(url, {"day": "03.04.2025", "kind": "off", "note": "День города"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not cal.is_working_day(d("2025-04-03"), "RU")
    response = admin_client.post(url, {"day": "03.04.2025", "kind": "working", "note": ""})
    assert response.status_code == 200
    assert "day" in response.context["adminform"].form.errors
    assert LocalDay.objects.count() == 1
