import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from appeals.reception.models import ReceptionSchedule
from cabinets.roles import Role
from tests.factories import CabinetFactory, CitizenFactory, member

# Monday 7 December 2026, noon in the municipality; the reception is on Tuesdays.
MONDAY = dt.date(2026, 12, 7)
TUESDAY = dt.date(2026, 12, 8)


@pytest.fixture
def monday():
    moment = timezone.make_aware(dt.datetime(2026, 12, 7, 12, 0), timezone.get_default_timezone())
    with time_machine.travel(moment, tick=False) as traveller:
        traveller.moment = moment
        yield traveller


def reception_opens(traveller):
    """Move the clock to Tuesday 10:00, when the reception starts."""
    traveller.move_to(
        timezone.make_aware(dt.datetime(2026, 12, 8, 10, 0), timezone.get_default_timezone())
    )


@pytest.fixture
def desk(db):
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    registrar = member(cabinet, Role.REGISTRAR)
    schedule = ReceptionSchedule.objects.create(
        cabinet=cabinet,
        official=head,
        official_position="Глава",
        weekday=ReceptionSchedule.Weekday.TUESDAY,
        starts_at=dt.time(10, 0),
        ends_at=dt.time(12, 0),
        slot_minutes=30,
        place="Кабинет 101",
        topics="ЖКХ, благоустройство",
        privileged_first=True,
    )
    return type(
        "Desk", (), {"cabinet": cabinet, "head": head, "registrar": registrar, "schedule": schedule}
    )


@pytest.fixture
def resident(db):
    return CitizenFactory()


@pytest.fixture(autouse=True)
def _services_speak_english():
    """Refusals raised outside a request are matched in English (pages are checked against
    the translated text, whatever the catalogues hold)."""
    with translation.override("en"):
        yield


def page_text(msgid, **values):
    """The text a page shows (in the portal's default language, HTML-escaped) for ``msgid``."""
    with translation.override(settings.LANGUAGE_CODE):
        return escape(gettext(msgid) % values if values else gettext(msgid))
