"""Use cases of personal reception (R15). Each runs in a transaction, asks permissions through
``cabinets.access``, writes a ``ReceptionEvent`` and queues mail through the notifications
outbox (delivered after commit, in the citizen's language).

Who may do what, per cabinet:
- the head manages the schedule (``Role.HEAD``);
- the desk (day view, walk-ins, cards) is open to whoever may register appeals there
  (``cabinets.register_appeal``) and to the official of one of its receptions who holds a role
  there; a written appeal from the card is entered and registered through the appeals services,
  which ask ``register_appeal`` themselves.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import services as appeals
from appeals.models import Appeal
from cabinets.access import can, roles_in
from cabinets.roles import Role
from edem.core import calendar
from edem.core.i18n import in_columns, in_every_language
from edem.core.jurisdiction import get_profile
from edem.core.locking import locked
from edem.core.recording import record
from edem.core.workflow import TransitionNotAllowed
from edem.notifications.services import notify

from .models import Booking, ReceptionCard, ReceptionEvent, ReceptionSchedule


class ReceptionRefused(TransitionNotAllowed):
    """The reception action is not possible; the message says why."""


# --- who may ------------------------------------------------------------------------------


def is_head(user, cabinet):
    return Role.HEAD in roles_in(user, cabinet)


def may_receive(user, cabinet):
    """Whether ``user`` works the reception desk of ``cabinet``."""
    if can(user, "cabinets.register_appeal", cabinet):
        return True
    return bool(roles_in(user, cabinet)) and (
        ReceptionSchedule.objects.filter(cabinet=cabinet, official=user).exists()
    )


def history(*, actor, action, booking=None, card=None, note="", **data):
    """The reception's history line (the kernel's ``record``), about a card (and the booking it
    came from) or, before a card exists, about a booking."""
    item, columns = (card, {"booking": booking}) if card is not None else (booking, {})
    if item is None:  # about the schedule itself: a line of the cabinet's reception history
        return ReceptionEvent.objects.create(actor=actor, action=action, note=note, data=data)
    return record(
        item, actor=actor, action=action, to_status="", note=note, columns=columns, **data
    )


# --- schedule -----------------------------------------------------------------------------

# Written by the cabinet in every language: a string or {"ru": ..., "uk": ..., "en": ...}.
TRANSLATED = ("official_position", "place", "topics")
SCHEDULE_FIELDS = (
    "official",
    "official_position",
    "weekday",
    "date",
    "starts_at",
    "ends_at",
    "slot_minutes",
    "place",
    "topics",
    "privileged_first",
    "booking_days",
    "is_published",
)


@transaction.atomic
def save_schedule(*, actor, cabinet, schedule=None, **fields):
    """The head creates or changes a reception of the cabinet. The official receiving must
    hold a role in the cabinet."""
    if not is_head(actor, cabinet):
        raise ReceptionRefused(_("Only the head of the cabinet manages its reception schedule."))
    if schedule is not None and schedule.cabinet_id != cabinet.pk:
        raise ReceptionRefused(_("This reception belongs to another cabinet."))
    official = fields.get("official") or getattr(schedule, "official", None)
    if official is None or not roles_in(official, cabinet):
        raise ReceptionRefused(_("The official receiving must work in this cabinet."))
    created = schedule is None
    schedule = schedule or ReceptionSchedule(cabinet=cabinet)
    for name in SCHEDULE_FIELDS:
        if name in TRANSLATED and name in fields:  # a string: the default language's text
            for column, value in in_columns(name, fields[name]).items():
                setattr(schedule, column, value)
        elif name in fields:
            setattr(schedule, name, fields[name])
    if (schedule.weekday is None) == (schedule.date is None):
        raise ReceptionRefused(_("Choose either a weekday or a date."))
    if schedule.ends_at <= schedule.starts_at:
        raise ReceptionRefused(_("The reception must end after it starts."))
    schedule.save()
    history(
        actor=actor,
        action="schedule_create" if created else "schedule_change",
        schedule=schedule.pk,
        cabinet=cabinet.pk,
    )
    return schedule


def slot_times(schedule):
    """The start times of the slots of a reception."""
    times = []
    start = datetime.combine(timezone.localdate(), schedule.starts_at)
    end = datetime.combine(timezone.localdate(), schedule.ends_at)
    step = timedelta(minutes=schedule.slot_minutes)
    while start + step <= end:
        times.append(start.time())
        start += step
    return times


def reception_days(schedule, today=None, limit=None):
    """The coming days (working days of the profile's country) on which this reception is held,
    within its booking window."""
    today = today or calendar.local_date()
    country = get_profile().country
    days = []
    for offset in range(0, schedule.booking_days + 1):
        day = today + timedelta(days=offset)
        if schedule.is_held_on(day) and calendar.is_working_day(day, country):
            days.append(day)
            if limit and len(days) >= limit:
                break
    return days


def slot_start(day, time):
    return timezone.make_aware(datetime.combine(day, time), timezone.get_default_timezone())


# --- booking ------------------------------------------------------------------------------


def _booking_context(booking):
    schedule = booking.schedule
    return {
        "cabinet": in_every_language(schedule.cabinet, "name"),
        "official": str(schedule.official),
        "position": schedule.official_position,
        "day": booking.day.isoformat(),
        "time": booking.starts_at.strftime("%H:%M"),
        "place": schedule.place,
        "topic": booking.topic,
        "path": "/reception/my/",
    }


@transaction.atomic
def book_slot(*, citizen, schedule, day, starts_at, topic, category=None, privileged_category=""):
    """A verified citizen books a slot (R15). The same verification as filing an appeal (R2);
    one live booking per slot and per citizen per reception day are database constraints."""
    if not get_profile().verification_sufficient(citizen.verification_level):  # R2, R15
        raise ReceptionRefused(
            _(
                "Confirm your identity before booking a reception: sign in through the identity provider or show a document at the service centre."
            )
        )
    if not schedule.is_published or not schedule.cabinet.is_active:
        raise ReceptionRefused(_("This reception is not open for booking."))
    if day not in reception_days(schedule):
        raise ReceptionRefused(_("There is no reception on this day."))
    if starts_at not in slot_times(schedule):
        raise ReceptionRefused(_("There is no such slot in this reception."))
    if slot_start(day, starts_at) <= timezone.now():
        raise ReceptionRefused(_("This slot has already passed."))
    topic = (topic or "").strip()
    if not topic:
        raise ReceptionRefused(_("Say briefly what question you come with."))
    booking = Booking(
        schedule=schedule,
        day=day,
        starts_at=starts_at,
        citizen=citizen,
        topic=topic,
        category=category,
        privileged_category=privileged_category or "",
    )
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:
        if Booking.objects.live().filter(schedule=schedule, day=day, citizen=citizen).exists():
            raise ReceptionRefused(
                _("You have already booked a slot at this reception on this day.")
            ) from None
        raise ReceptionRefused(_("This slot has just been taken; choose another.")) from None
    history(actor=citizen, action="book", booking=booking, day=day.isoformat())
    notify(
        template="reception/booked",
        recipient=citizen,
        context=_booking_context(booking),
        key=f"reception:booking:{booking.pk}:booked",
    )
    return booking


@transaction.atomic
def cancel_booking(*, booking, actor, note=""):
    """The citizen cancels their booking; the slot is free again."""
    booking = locked(booking)
    if booking.citizen_id != actor.pk:
        raise ReceptionRefused(_("Only the citizen who booked may cancel the booking."))
    if booking.status != Booking.Status.BOOKED:
        raise ReceptionRefused(_("This booking can no longer be cancelled."))
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    history(actor=actor, action="cancel", booking=booking, note=note.strip())
    return booking


def send_reminders(today=None):
    """Remind every citizen booked for tomorrow (beat task; each booking claimed once by a
    conditional update, so a task run twice mails once)."""
    tomorrow = (today or calendar.local_date()) + timedelta(days=1)
    sent = 0
    ids = Booking.objects.filter(
        day=tomorrow, status=Booking.Status.BOOKED, reminded_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(ids):
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            )
            if not claimed:
                continue
            booking = Booking.objects.select_related("schedule__cabinet", "citizen").get(pk=pk)
            notify(
                template="reception/reminder",
                recipient=booking.citizen,
                context=_booking_context(booking),
                key=f"reception:booking:{pk}:reminder",
            )
            history(actor=None, action="remind", booking=booking)
            sent += 1
    return sent


# --- the desk -----------------------------------------------------------------------------


def _check_desk(actor, cabinet):
    if not may_receive(actor, cabinet):
        raise ReceptionRefused(_("Your role in this cabinet does not allow this."))


@transaction.atomic
def open_card(*, booking, actor, id_document, privilege_basis="", postal_address=None):
    """The booked citizen has come: the official opens the card from the booking."""
    booking = locked(booking, "schedule", "citizen")
    schedule = booking.schedule
    _check_desk(actor, schedule.cabinet_id)
    if booking.status != Booking.Status.BOOKED:
        raise ReceptionRefused(_("This booking is cancelled or already received."))
    today = calendar.local_date()
    if booking.day > today:
        raise ReceptionRefused(_("The day of this booking has not come yet."))
    citizen = booking.citizen
    card = ReceptionCard.objects.create(
        cabinet_id=schedule.cabinet_id,
        schedule=schedule,
        booking=booking,
        official=schedule.official,
        held_on=today,
        citizen=citizen,
        last_name=citizen.last_name,
        first_name=citizen.first_name,
        patronymic=getattr(citizen, "patronymic", ""),
        postal_address=citizen.postal_address if postal_address is None else postal_address,
        email=citizen.email,
        id_document=id_document,
        privileged_category=booking.privileged_category,
        privilege_basis=privilege_basis,
        category=booking.category,
        question=booking.topic,
        created_by=actor,
    )
    booking.status = Booking.Status.RECEIVED
    booking.save(update_fields=["status"])
    history(actor=actor, action="open_card", booking=booking, card=card)
    return card


@transaction.atomic
def enter_walk_in(*, actor, cabinet, schedule=None, official=None, **fields):
    """A citizen who came without booking: the official enters the card at the desk."""
    _check_desk(actor, cabinet)
    if schedule is not None and schedule.cabinet_id != cabinet.pk:
        raise ReceptionRefused(_("This reception belongs to another cabinet."))
    if not (fields.get("last_name") or "").strip() or not (fields.get("question") or "").strip():
        raise ReceptionRefused(_("Enter the citizen's surname and the question."))
    card = ReceptionCard.objects.create(
        cabinet=cabinet,
        schedule=schedule,
        official=official or (schedule.official if schedule else actor),
        held_on=calendar.local_date(),
        is_walk_in=True,
        created_by=actor,
        **fields,
    )
    history(actor=actor, action="walk_in", card=card)
    return card


def _locked_card(card, actor):
    card = locked(card)
    _check_desk(actor, card.cabinet_id)
    if card.outcome:
        raise ReceptionRefused(_("The outcome of this reception is already recorded."))
    return card


def _close(card, actor, outcome, **data):
    card.outcome = outcome
    card.outcome_at = timezone.now()
    card.save()
    history(actor=actor, action=f"outcome_{outcome}", card=card, **data)
    return card


@transaction.atomic
def record_oral_answer(*, card, actor, answer, consent):
    """Obvious facts answered orally, only with the citizen's consent, noted on the card."""
    card = _locked_card(card, actor)
    if not consent:
        raise ReceptionRefused(
            _("An oral answer needs the citizen's consent; otherwise register a written appeal.")
        )
    if not (answer or "").strip():
        raise ReceptionRefused(_("Write down the answer given."))
    card.oral_answer = answer.strip()
    card.oral_consent = True
    return _close(card, actor, ReceptionCard.Outcome.ORAL)


@transaction.atomic
def register_written_appeal(*, card, actor, kind, subject, text, answer_channel=None):
    """The citizen hands in a written appeal at the reception: it is entered with the card's
    date as the receipt (channel "personal reception") and registered at once through the
    appeals services, so it gets its number and its deadlines (R4, R8)."""
    card = _locked_card(card, actor)
    if answer_channel is None:
        answer_channel = (
            Appeal.AnswerChannel.POST if card.postal_address else Appeal.AnswerChannel.EMAIL
        )
    appeal = appeals.enter_paper_appeal(
        actor=actor,
        cabinet=card.cabinet,
        channel=Appeal.Channel.RECEPTION,
        received_at=min(card.arrived_at, timezone.now()),
        author=card.citizen,
        kind=kind,
        subject=subject,
        text=text,
        category=card.category,
        last_name=card.last_name,
        first_name=card.first_name,
        patronymic=card.patronymic,
        postal_address=card.postal_address,
        email=card.email,
        answer_channel=answer_channel,
    )
    appeal = appeals.register(appeal=appeal, actor=actor)
    card.appeal = appeal
    return _close(
        card, actor, ReceptionCard.Outcome.WRITTEN, appeal=appeal.pk, number=appeal.number
    )


@transaction.atomic
def explain_where_to_apply(*, card, actor, explanation):
    """Out of the cabinet's competence: the citizen is told where to apply."""
    card = _locked_card(card, actor)
    if not (explanation or "").strip():
        raise ReceptionRefused(_("Write down where the citizen was told to apply."))
    card.explanation = explanation.strip()
    return _close(card, actor, ReceptionCard.Outcome.EXPLAINED)


@transaction.atomic
def refuse(*, card, actor, reason, earlier_appeal=None):
    """A question already answered on the merits may be refused (R15), with the reason."""
    card = _locked_card(card, actor)
    if not (reason or "").strip():
        raise ReceptionRefused(_("Give the reason for the refusal."))
    if earlier_appeal is not None and earlier_appeal.answered_at is None:
        raise ReceptionRefused(_("The earlier appeal named has not been answered."))
    card.refusal_reason = reason.strip()
    card.earlier_appeal = earlier_appeal
    return _close(
        card,
        actor,
        ReceptionCard.Outcome.REFUSED,
        earlier_appeal=getattr(earlier_appeal, "pk", None),
    )
