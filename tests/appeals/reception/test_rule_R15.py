"""R15, personal reception (59-FZ Art. 13): booking, the verification it needs, privileged
categories first, every outcome of the reception card, and the mails through the outbox."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from appeals.models import Appeal
from appeals.reception import selectors, services
from appeals.reception.models import (
    Booking,
    PrivilegedCategory,
    ReceptionCard,
    ReceptionEvent,
)
from appeals.reception.tasks import send_reception_reminders
from appeals.workflow import Status
from cabinets.roles import Role
from edem.notifications.models import Notification
from tests.factories import AppealFactory, CitizenFactory, UserFactory, member

from .conftest import MONDAY, TUESDAY, reception_opens

pytestmark = pytest.mark.django_db


def book(desk, citizen, at=dt.time(10, 0), **extra):
    return services.book_slot(
        citizen=citizen,
        schedule=desk.schedule,
        day=TUESDAY,
        starts_at=at,
        topic="Протекает крыша",
        **extra,
    )


def test_R15_one_booking_per_slot_is_a_database_constraint(desk, resident, monday):
    first = book(desk, resident)
    other = CitizenFactory()
    with pytest.raises(services.ReceptionRefused, match="taken"):
        book(desk, other)
    # Not only the service: the database refuses a second live booking of the slot.
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            schedule=desk.schedule, day=TUESDAY, starts_at=dt.time(10, 0), citizen=other, topic="x"
        )
    # One live booking per citizen per reception day too.
    with pytest.raises(services.ReceptionRefused, match="already booked"):
        book(desk, resident, at=dt.time(11, 0))
    # A cancelled booking frees the slot.
    services.cancel_booking(booking=first, actor=resident)
    assert book(desk, other).status == Booking.Status.BOOKED
    assert Booking.objects.live().count() == 1


def test_R15_only_slots_of_the_published_schedule_can_be_booked(desk, resident, monday):
    with pytest.raises(services.ReceptionRefused, match="no such slot"):
        book(desk, resident, at=dt.time(10, 15))
    with pytest.raises(services.ReceptionRefused, match="no reception"):
        services.book_slot(
            citizen=resident,
            schedule=desk.schedule,
            day=MONDAY,
            starts_at=dt.time(10, 0),
            topic="x",
        )
    free = selectors.free_slots(desk.schedule, days=1)
    assert free[0].day == TUESDAY
    assert [t.strftime("%H:%M") for t in free[0].free] == ["10:00", "10:30", "11:00", "11:30"]
    book(desk, resident)
    assert dt.time(10, 0) not in selectors.free_slots(desk.schedule, days=1)[0].free


def test_R15_booking_needs_the_verification_filing_an_appeal_needs(desk, monday):
    unverified = UserFactory()  # e-mail confirmed only: not enough to file an appeal (R2)
    with pytest.raises(services.ReceptionRefused, match="Confirm your identity"):
        book(desk, unverified)
    assert not Booking.objects.exists()


def test_R15_privileged_categories_are_received_first(desk, monday):
    ordinary = book(desk, CitizenFactory(), at=dt.time(10, 0))
    veteran = book(
        desk,
        CitizenFactory(),
        at=dt.time(11, 30),
        privileged_category=PrivilegedCategory.WAR_VETERAN,
    )
    walk_in_card = services.enter_walk_in(
        actor=desk.registrar,
        cabinet=desk.cabinet,
        schedule=desk.schedule,
        last_name="Сидоров",
        first_name="Пётр",
        id_document=ReceptionCard.IdDocument.PASSPORT,
        question="Справка",
    )
    ReceptionCard.objects.filter(pk=walk_in_card.pk).update(held_on=TUESDAY)
    queue = selectors.day_queue(desk.cabinet, TUESDAY)
    assert queue[0].booking == veteran and queue[0].privileged
    assert queue[1].booking == ordinary
    # Where the reception gives no priority, the order is by time alone.
    desk.schedule.privileged_first = False
    desk.schedule.save()
    queue = selectors.day_queue(desk.cabinet, TUESDAY)
    assert queue[0].booking == ordinary
    assert not any(entry.privileged for entry in queue)


def _card(desk, resident, clock):
    booking = book(desk, resident)
    with pytest.raises(services.ReceptionRefused, match="not come yet"):
        services.open_card(booking=booking, actor=desk.head, id_document="passport")
    reception_opens(clock)
    return services.open_card(
        booking=booking, actor=desk.head, id_document=ReceptionCard.IdDocument.PASSPORT
    )


def test_R15_oral_answer_only_with_the_citizens_consent_noted_on_the_card(desk, resident, monday):
    card = _card(desk, resident, monday)
    assert card.booking.status == Booking.Status.RECEIVED
    with pytest.raises(services.ReceptionRefused, match="consent"):
        services.record_oral_answer(
            card=card, actor=desk.head, answer="Ремонт в мае", consent=False
        )
    card = services.record_oral_answer(
        card=card, actor=desk.head, answer="Ремонт в мае", consent=True
    )
    assert card.outcome == ReceptionCard.Outcome.ORAL and card.oral_consent
    assert card.events.filter(action="outcome_oral", actor=desk.head).exists()
    # The database keeps an oral answer with its consent.
    with pytest.raises(IntegrityError), transaction.atomic():
        ReceptionCard.objects.filter(pk=card.pk).update(oral_consent=False)
    # An outcome is recorded once.
    with pytest.raises(services.ReceptionRefused, match="already recorded"):
        services.explain_where_to_apply(card=card, actor=desk.head, explanation="В суд")


def test_R15_written_appeal_registered_from_the_card_has_a_number_and_due_dates(
    desk, resident, monday
):
    card = _card(desk, resident, monday)
    card = services.register_written_appeal(
        card=card,
        actor=desk.head,
        kind=Appeal.Kind.STATEMENT,
        subject="Протекает крыша",
        text="Прошу отремонтировать крышу дома 5.",
    )
    appeal = card.appeal
    assert card.outcome == ReceptionCard.Outcome.WRITTEN
    assert appeal.channel == Appeal.Channel.RECEPTION
    assert appeal.status == Status.REGISTERED
    assert appeal.number
    assert appeal.received_at == card.arrived_at  # the card's date is the receipt
    assert appeal.registration_due and appeal.legal_due and appeal.control_due
    assert appeal.legal_due == TUESDAY + dt.timedelta(days=30)
    assert card.held_on == TUESDAY
    assert appeal.author == resident and appeal.last_name == resident.last_name
    assert appeal.events.filter(action="register").exists()


def test_R15_explanation_of_where_to_apply(desk, resident, monday):
    card = _card(desk, resident, monday)
    with pytest.raises(services.ReceptionRefused):
        services.explain_where_to_apply(card=card, actor=desk.head, explanation="  ")
    card = services.explain_where_to_apply(
        card=card, actor=desk.head, explanation="Вопрос пенсии — в Социальный фонд."
    )
    assert card.outcome == ReceptionCard.Outcome.EXPLAINED
    assert "Социальный фонд" in card.explanation


def test_R15_refusal_of_an_answered_question_needs_its_reason(desk, resident, monday):
    card = _card(desk, resident, monday)
    with pytest.raises(services.ReceptionRefused, match="reason"):
        services.refuse(card=card, actor=desk.head, reason="")
    unanswered = AppealFactory(cabinet=desk.cabinet)
    with pytest.raises(services.ReceptionRefused, match="not been answered"):
        services.refuse(
            card=card, actor=desk.head, reason="Уже отвечено", earlier_appeal=unanswered
        )
    Appeal.objects.filter(pk=unanswered.pk).update(answered_at=monday.moment)
    unanswered.refresh_from_db()
    card = services.refuse(
        card=card,
        actor=desk.head,
        reason="Ответ по существу дан, новых доводов нет.",
        earlier_appeal=unanswered,
    )
    assert card.outcome == ReceptionCard.Outcome.REFUSED
    assert card.earlier_appeal == unanswered


def test_R15_walk_in_entered_by_the_official_and_history_kept(desk, monday):
    card = services.enter_walk_in(
        actor=desk.registrar,
        cabinet=desk.cabinet,
        last_name="Кузнецова",
        first_name="Анна",
        postal_address="Демоград, ул. Лесная, 3",
        id_document=ReceptionCard.IdDocument.PASSPORT,
        privileged_category=PrivilegedCategory.DISABLED,
        question="Пандус у подъезда",
    )
    assert card.is_walk_in and card.held_on == MONDAY and card.official == desk.registrar
    assert [e.action for e in card.events.all()] == ["walk_in"]
    event = card.events.get()
    with pytest.raises(ValueError):
        event.save()
    # An executor with no reception does not work the desk.
    executor = member(desk.cabinet, Role.EXECUTOR)
    with pytest.raises(services.ReceptionRefused):
        services.enter_walk_in(
            actor=executor,
            cabinet=desk.cabinet,
            last_name="X",
            first_name="Y",
            id_document="passport",
            question="Q",
        )


def test_R15_confirmation_and_reminder_mails_go_through_the_outbox(
    desk, monday, django_capture_on_commit_callbacks
):
    citizen = CitizenFactory(language="uk")
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(desk, citizen)
    notification = Notification.objects.get(template="reception/booked")
    assert notification.recipient == citizen and notification.language == "uk"
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == [citizen.email]
    assert "8 грудня 2026" in confirmation.subject and "10:00" in confirmation.subject
    assert "Кабинет 101" in confirmation.body
    assert "Кабинет 101" in confirmation.alternatives[0][0]
    # The beat task on the day before reminds once, however often it runs.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reception_reminders.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reception_reminders.delay().get() == 0
    assert len(mail.outbox) == 2
    reminder = mail.outbox[1]
    assert "10:00" in reminder.subject and "Протекает крыша" in reminder.body
    booking.refresh_from_db()
    assert booking.reminded_at is not None
    assert ReceptionEvent.objects.filter(booking=booking, action="remind").count() == 1


def test_R15_a_cancelled_booking_is_not_reminded(desk, resident, monday):
    booking = book(desk, resident)
    services.cancel_booking(booking=booking, actor=resident)
    assert services.send_reminders(today=MONDAY) == 0
    other = CitizenFactory()
    with pytest.raises(services.ReceptionRefused):
        services.cancel_booking(booking=booking, actor=other)
