"""The reception pages through the test client: the published schedule, booking and cancelling,
the desk's day view, walk-ins, the card and its outcomes, the head's schedule, and a 404 for
everyone who does not work the cabinet's desk (R15)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appeals.reception import services
from appeals.reception.models import Booking, ReceptionCard, ReceptionSchedule
from appeals.workflow import Status
from cabinets.roles import Role
from tests.factories import AppealFactory, CabinetFactory, CitizenFactory, UserFactory, member

from .conftest import TUESDAY, page_text, reception_opens

pytestmark = pytest.mark.django_db


def _book(client, desk, citizen, slot="2026-12-08 10:00", **extra):
    client.force_login(citizen)
    prefix = f"s{desk.schedule.pk}"
    data = {f"{prefix}-slot": slot, f"{prefix}-topic": "Протекает крыша", **extra}
    return client.post(reverse("reception:book", args=[desk.cabinet.code, desk.schedule.pk]), data)


def test_R15_published_schedule_page_shows_who_where_when_and_free_slots(client, desk, monday):
    page = client.get(reverse("reception:schedule", args=[desk.cabinet.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Кабинет 101" in html and "ЖКХ, благоустройство" in html and "Глава" in html
    assert "10:00–12:00" in html
    assert reverse("account_login") in html  # signed out: sign in to book
    authority = client.get(desk.cabinet.get_absolute_url()).content.decode()
    assert reverse("reception:schedule", args=[desk.cabinet.code]) in authority
    index = client.get(reverse("reception:index")).content.decode()
    assert desk.cabinet.name in index
    # An unpublished reception is not shown.
    desk.schedule.is_published = False
    desk.schedule.save()
    html = client.get(reverse("reception:schedule", args=[desk.cabinet.code])).content.decode()
    assert "Кабинет 101" not in html


def test_R15_citizen_books_and_cancels_through_the_pages(client, desk, resident, monday):
    page = client.get(reverse("reception:schedule", args=[desk.cabinet.code]))
    response = _book(client, desk, resident)
    assert response.status_code == 302 and response.url == reverse("reception:my")
    booking = Booking.objects.get()
    assert (booking.day, booking.starts_at) == (TUESDAY, dt.time(10, 0))
    mine = client.get(reverse("reception:my")).content.decode()
    assert "Протекает крыша" in mine
    # The slot is gone from the page.
    page = client.get(reverse("reception:schedule", args=[desk.cabinet.code])).content.decode()
    assert 'value="2026-12-08 10:00"' not in page
    assert 'value="2026-12-08 10:30"' in page
    # Someone else cannot cancel it; its owner can.
    client.force_login(CitizenFactory())
    assert client.post(reverse("reception:cancel", args=[booking.pk])).status_code == 404
    client.force_login(resident)
    client.post(reverse("reception:cancel", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_R15_unverified_citizen_cannot_book_through_the_page(client, desk, monday):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("reception:schedule", args=[desk.cabinet.code])).content.decode()
    assert (
        page_text(
            "Online booking is open to citizens who have confirmed their identity, as for filing an appeal."
        )
        in page
    )
    response = _book(client, desk, user)
    assert response.status_code == 400
    assert (
        page_text(
            "Confirm your identity before booking a reception: sign in through the identity provider or show a document at the service centre."
        )
        in response.content.decode()
    )
    assert not Booking.objects.exists()


def test_R15_desk_day_view_card_and_written_appeal(client, desk, resident, monday):
    _book(client, desk, resident, slot="2026-12-08 11:00")
    _book(client, desk, CitizenFactory(), slot="2026-12-08 11:30", **{
        f"s{desk.schedule.pk}-privileged_category": "hero"
    })  # fmt: skip
    client.force_login(desk.head)
    day = client.get(
        reverse("reception_service:day", args=[desk.cabinet.code]), {"day": "2026-12-08"}
    )
    assert day.status_code == 200
    html = day.content.decode()
    assert html.index("11:30") < html.index("11:00")  # the privileged citizen first
    assert page_text("without an outcome: %(open)s", open=2) in html
    assert page_text("Citizens: %(n)s", n=2) in html
    booking = Booking.objects.get(citizen=resident)
    reception_opens(monday)
    response = client.post(
        reverse("reception_service:open_card", args=[booking.pk]), {"id_document": "passport"}
    )
    card = ReceptionCard.objects.get(booking=booking)
    assert response.url == reverse("reception_service:card", args=[card.pk])
    assert client.get(response.url).status_code == 200
    # Refused without consent, shown beside the form.
    response = client.post(
        reverse("reception_service:outcome", args=[card.pk, "oral"]), {"oral-answer": "Да"}
    )
    assert response.status_code == 400
    assert (
        page_text(
            "An oral answer needs the citizen's consent; otherwise register a written appeal."
        )
        in response.content.decode()
    )
    response = client.post(
        reverse("reception_service:outcome", args=[card.pk, "written"]),
        {
            "written-kind": "statement",
            "written-subject": "Крыша",
            "written-text": "Прошу отремонтировать крышу.",
            "written-answer_channel": "post",
        },
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.outcome == "written" and card.appeal.status == Status.REGISTERED
    html = client.get(response.url).content.decode()
    assert card.appeal.number in html


def test_R15_walk_in_through_the_desk(client, desk, monday):
    client.force_login(desk.registrar)
    url = reverse("reception_service:walk_in", args=[desk.cabinet.code])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "last_name": "Орлова",
            "first_name": "Вера",
            "id_document": "passport",
            "question": "Пандус у подъезда",
            "privileged_category": "disabled",
        },
    )
    card = ReceptionCard.objects.get()
    assert response.url == reverse("reception_service:card", args=[card.pk])
    assert card.is_walk_in and card.created_by == desk.registrar and card.is_privileged


def test_R15_head_manages_the_schedule_registrar_does_not(client, desk, monday):
    url = reverse("reception_service:schedule_new", args=[desk.cabinet.code])
    data = {
        "official": desk.head.pk,
        "date": "2026-12-10",
        "starts_at": "14:00",
        "ends_at": "16:00",
        "slot_minutes": 20,
        "place": "Зал заседаний",
        "privileged_first": "on",
        "booking_days": 30,
        "is_published": "on",
    }
    client.force_login(desk.registrar)
    assert client.get(url).status_code == 404
    client.force_login(desk.head)
    response = client.post(url, data)
    assert response.status_code == 302
    created = ReceptionSchedule.objects.get(place="Зал заседаний")
    assert created.date == dt.date(2026, 12, 10) and created.cabinet == desk.cabinet
    # Either a weekday or a date, not both.
    response = client.post(url, {**data, "weekday": 3})
    assert response.status_code == 400
    # An official from outside the cabinet cannot be put on its schedule.
    outsider = member(CabinetFactory(), Role.HEAD)
    response = client.post(url, {**data, "official": outsider.pk})
    assert response.status_code == 400


def test_R15_outsiders_get_404(client, desk, resident, monday):
    _book(client, desk, resident)
    booking = Booking.objects.get()
    reception_opens(monday)
    client.force_login(desk.head)
    client.post(
        reverse("reception_service:open_card", args=[booking.pk]), {"id_document": "passport"}
    )
    card = ReceptionCard.objects.get()
    urls = [
        ("get", reverse("reception_service:day", args=[desk.cabinet.code])),
        ("get", reverse("reception_service:walk_in", args=[desk.cabinet.code])),
        ("get", reverse("reception_service:schedule_edit", args=[desk.cabinet.code, desk.schedule.pk])),
        ("get", reverse("reception_service:card", args=[card.pk])),
        ("post", reverse("reception_service:outcome", args=[card.pk, "explained"])),
        ("post", reverse("reception_service:open_card", args=[booking.pk])),
    ]  # fmt: skip
    other_head = member(CabinetFactory(), Role.HEAD)
    executor = member(desk.cabinet, Role.EXECUTOR)  # in the cabinet, but not at the desk
    for person in (other_head, executor, resident):
        client.force_login(person)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (person, url)
    # The head's own desk page lists only the cabinets whose desk one works.
    client.force_login(other_head)
    assert desk.cabinet.name not in client.get(reverse("reception_service:desks")).content.decode()


def test_R15_refusal_from_the_card_names_the_earlier_answer_by_its_number(client, desk, monday):
    card = services.enter_walk_in(
        actor=desk.registrar,
        cabinet=desk.cabinet,
        last_name="Орлова",
        first_name="Вера",
        id_document="passport",
        question="Тот же вопрос о пандусе",
    )
    earlier = AppealFactory(cabinet=desk.cabinet, number="c-2026-7", answered_at=monday.moment)
    client.force_login(desk.registrar)
    url = reverse("reception_service:outcome", args=[card.pk, "refused"])
    response = client.post(url, {"refused-reason": "Ответ дан", "refused-earlier_number": "nope"})
    assert response.status_code == 400
    response = client.post(
        url, {"refused-reason": "Ответ дан", "refused-earlier_number": earlier.number}
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.outcome == "refused" and card.earlier_appeal == earlier


def test_day_view_and_my_bookings_do_not_query_per_row(client, desk, monday):
    def count(url, user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    day_url = reverse("reception_service:day", args=[desk.cabinet.code]) + "?day=2026-12-08"
    citizen = CitizenFactory()
    services.book_slot(
        citizen=citizen, schedule=desk.schedule, day=TUESDAY, starts_at=dt.time(10, 0), topic="a"
    )
    few = count(day_url, desk.head), count(reverse("reception:my"), citizen)
    for at in (dt.time(10, 30), dt.time(11, 0)):
        services.book_slot(
            citizen=CitizenFactory(), schedule=desk.schedule, day=TUESDAY, starts_at=at, topic="b"
        )
        services.enter_walk_in(
            actor=desk.registrar,
            cabinet=desk.cabinet,
            last_name="Л",
            first_name="И",
            id_document="passport",
            question="q",
        )
    services.cancel_booking(booking=citizen.reception_bookings.get(), actor=citizen)
    services.book_slot(
        citizen=citizen, schedule=desk.schedule, day=TUESDAY, starts_at=dt.time(11, 30), topic="c"
    )
    many = count(day_url, desk.head), count(reverse("reception:my"), citizen)
    assert many == few
