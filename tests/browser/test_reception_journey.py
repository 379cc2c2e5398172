"""Personal reception (R15) in headless Chromium, through the real pages only: a citizen of
the demo town books a slot on the published schedule and gets the confirmation mail, the
official opens the reception day, opens the card with the identity document seen, and
registers a written appeal from it, which gets its number and due dates.

The ORM only prepares the schedule (the head's own form is covered by the view tests) and
checks what the clicks did. Every page on the way is checked with axe-core."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from appeals.models import Appeal
from appeals.reception import services
from appeals.reception.models import Booking, ReceptionCard, ReceptionSchedule
from appeals.workflow import Status
from cabinets.models import Cabinet
from edem.accounts.models import User
from edem.core import calendar
from edem.core.jurisdiction import get_profile

from .a11y import assert_accessible
from .test_appeal_journey import AuthenticatorApp, sign_in_official
from .test_portal import DEMO_PASSWORD, DEMO_TOTP_SECRET, main_form, sign_in, submit

pytestmark = pytest.mark.browser

CITIZEN = "ivanova@demo.edem"
OFFICIAL = "housing.head@demo.edem"
TOPIC = "Перерасчёт платы за отопление"


def next_working_day():
    day = calendar.local_date() + dt.timedelta(days=1)
    while not calendar.is_working_day(day, get_profile().country):
        day += dt.timedelta(days=1)
    return day


def test_R15_citizen_books_and_the_official_registers_a_written_appeal_from_the_card(
    demo_town, new_page
):
    housing = Cabinet.objects.get(code="housing")
    official = User.objects.get(email=OFFICIAL)
    day = next_working_day()
    services.save_schedule(
        actor=official,
        cabinet=housing,
        official=official,
        official_position="Начальник управления ЖКХ",
        date=day,
        weekday=None,
        starts_at=dt.time(9, 0),
        ends_at=dt.time(12, 0),
        slot_minutes=30,
        place="ул. Ленина, д. 1, каб. 12",
        topics="Отопление и водоснабжение",
    )

    # 1. The citizen reads the published schedule and books the first free slot.
    citizen = new_page()
    sign_in(citizen, CITIZEN, DEMO_PASSWORD)
    citizen.goto(reverse("reception:schedule", args=["housing"]))
    expect(citizen.locator("main")).to_contain_text("каб. 12")
    assert_accessible(citizen)
    form = main_form(citizen, f"s{ReceptionSchedule.objects.get().pk}-topic")
    first_slot = f"{day.isoformat()} 09:00"
    form.locator("select[name$='-slot']").select_option(first_slot)
    form.locator("textarea[name$='-topic']").fill(TOPIC)
    submit(form)
    expect(citizen).to_have_url(re.compile(re.escape(reverse("reception:my")) + "$"))
    expect(citizen.locator("main")).to_contain_text(TOPIC)
    assert_accessible(citizen)
    booking = Booking.objects.get()
    assert booking.citizen.email == CITIZEN and booking.starts_at == dt.time(9, 0)
    confirmation = [m for m in mail.outbox if m.to == [CITIZEN]]
    with translation.override("ru"):
        day_shown = date_format(day, "DATE_FORMAT")
    assert confirmation and day_shown in confirmation[-1].subject

    # 2. The day comes (the ORM moves the booking to today); the official opens the
    # reception day and the card of the booked citizen.
    day = calendar.local_date()
    Booking.objects.filter(pk=booking.pk).update(day=day)
    desk = new_page()
    sign_in_official(desk, OFFICIAL, AuthenticatorApp(DEMO_TOTP_SECRET))
    desk.goto(reverse("reception_service:day", args=["housing"]) + f"?day={day.isoformat()}")
    expect(desk.locator("main table")).to_contain_text(TOPIC)
    assert_accessible(desk)
    row_form = desk.locator(
        f"main form[action='{reverse('reception_service:open_card', args=[booking.pk])}']"
    )
    row_form.locator("select[name='id_document']").select_option("passport")
    submit(row_form)
    card = ReceptionCard.objects.get()
    expect(desk).to_have_url(
        re.compile(re.escape(reverse("reception_service:card", args=[card.pk])))
    )
    assert_accessible(desk)

    # 3. A written appeal from the card: registered at once, with its number and due dates.
    written = main_form(desk, "written-subject")
    written.locator("select[name='written-kind']").select_option("statement")
    written.locator("input[name='written-subject']").fill(TOPIC)
    written.locator("textarea[name='written-text']").fill("Прошу сделать перерасчёт за октябрь.")
    written.locator("select[name='written-answer_channel']").select_option("post")
    submit(written)
    card.refresh_from_db()
    assert card.outcome == ReceptionCard.Outcome.WRITTEN
    appeal = Appeal.objects.get(pk=card.appeal_id)
    assert appeal.status == Status.REGISTERED and appeal.channel == Appeal.Channel.RECEPTION
    assert appeal.number and appeal.legal_due and appeal.control_due
    expect(desk.locator("main")).to_contain_text(appeal.number)
    assert_accessible(desk)
