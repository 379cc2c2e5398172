"""Reads of personal reception: the public schedule with its free slots, a citizen's bookings,
the desk's day queue (privileged categories first where the reception says so, R15)."""

from dataclasses import dataclass
from datetime import date, time

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from appeals.models import Appeal
from cabinets.access import cabinets_where
from cabinets.models import Cabinet
from edem.core import calendar

from . import services
from .models import Booking, ReceptionCard, ReceptionSchedule


def cabinets_with_reception():
    """Active cabinets that publish a reception."""
    return (
        Cabinet.objects.active()
        .filter(reception_schedules__is_published=True)
        .distinct()
        .order_by("name")
    )


def public_cabinet_or_404(code):
    return get_object_or_404(Cabinet.objects.active(), code=code)


def published_schedules(cabinet):
    return (
        ReceptionSchedule.objects.filter(cabinet=cabinet, is_published=True)
        .select_related("official")
        .order_by("weekday", "date", "starts_at")
    )


@dataclass
class Day:
    day: date
    free: list  # of time


def free_slots(schedule, days=7):
    """The next ``days`` reception days of a schedule with their free slot times."""
    today = calendar.local_date()
    result = []
    taken = {}
    upcoming = services.reception_days(schedule, today=today, limit=days)
    for day, start in (
        Booking.objects.live()
        .filter(schedule=schedule, day__in=upcoming)
        .values_list("day", "starts_at")
    ):
        taken.setdefault(day, set()).add(start)
    times = services.slot_times(schedule)
    for day in upcoming:
        free = [
            t
            for t in times
            if t not in taken.get(day, set()) and services.slot_start(day, t) > timezone.now()
        ]
        result.append(Day(day=day, free=free))
    return result


def bookings_of(citizen):
    return (
        Booking.objects.filter(citizen=citizen)
        .select_related("schedule", "schedule__cabinet", "schedule__official")
        .order_by("-day", "-starts_at")
    )


def desk_cabinets(user):
    """Cabinets whose reception desk ``user`` works."""
    return [c for c in cabinets_where(user) if services.may_receive(user, c)]


def desk_cabinet_or_404(user, code):
    cabinet = get_object_or_404(Cabinet.objects.active(), code=code)
    if not services.may_receive(user, cabinet):
        raise Http404
    return cabinet


@dataclass
class QueueEntry:
    at: time
    privileged: bool
    booking: Booking | None
    card: ReceptionCard | None

    @property
    def name(self):
        if self.card:
            return self.card.full_name
        return str(self.booking.citizen)

    @property
    def question(self):
        return self.card.question if self.card else self.booking.topic


def day_queue(cabinet, day):
    """Today's bookings and walk-ins of a cabinet, in the order they are received: privileged
    categories first where the reception gives them priority (R15), then by time."""
    entries = []
    bookings = (
        Booking.objects.live()
        .filter(schedule__cabinet=cabinet, day=day)
        .select_related("schedule", "citizen", "card")
    )
    for booking in bookings:
        card = getattr(booking, "card", None)
        entries.append(
            QueueEntry(
                at=booking.starts_at,
                privileged=booking.schedule.privileged_first and booking.is_privileged,
                booking=booking,
                card=card,
            )
        )
    walk_ins = ReceptionCard.objects.filter(
        cabinet=cabinet, held_on=day, booking__isnull=True
    ).select_related("schedule")
    for card in walk_ins:
        priority = card.schedule.privileged_first if card.schedule else True
        entries.append(
            QueueEntry(
                at=timezone.localtime(card.arrived_at).time(),
                privileged=priority and card.is_privileged,
                booking=None,
                card=card,
            )
        )
    entries.sort(key=lambda e: (not e.privileged, e.at))
    return entries


def appeal_by_number(cabinet, number):
    """The cabinet's appeal with this registration number (the earlier answer a refusal names)."""
    return Appeal.objects.filter(cabinet=cabinet, number=number).first()
