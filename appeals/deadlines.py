"""Deadline arithmetic for appeals and petitions: pure functions, dates in, dates out, no ORM.

RULES, Conventions:

* A period starts the day after its trigger (receipt or registration), by analogy with Civil
  Code arts. 191/193: ``legal_due = trigger + N`` calendar days (or months).
* ``control_due`` is the last working day on or before ``legal_due``. Reminders use it;
  "overdue" counts against ``legal_due`` (``today > legal_due``).
* Petition periods (R23, R25) are in working days: counting starts the next working day.

Working days come from the ``holidays`` package for the profile's country: public holidays,
days off moved by government decree ("Day off (substituted from ...)") *and* the weekend days
the same decrees make working (``weekend_workdays``; in Russia, e.g. Saturdays 27 April,
2 November and 28 December 2024, and 1 November 2025). Ukraine under martial law (from 2023)
has no public days off, and the package models that: every Monday-Friday is a working day.

All dates are ``datetime.date`` in the municipality's time zone (``settings.TIME_ZONE``);
``local_date()`` turns an aware datetime into one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from edem.core.jurisdiction import FROM_REGISTRATION, Profile

ONE_DAY = timedelta(days=1)


class DeadlineError(ValueError):
    """A deadline change the law does not allow; ``str(error)`` is a translated message and
    ``code`` a stable machine-readable reason."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Deadline:
    """The two dates of RULES' conventions."""

    legal_due: date  # what the law counts; overdue is judged against it
    control_due: date  # last working day on or before legal_due; reminders use it

    def is_overdue(self, today: date | None = None) -> bool:
        return is_overdue(self.legal_due, today)


# --- Dates and the calendar --------------------------------------------------------------


def local_date(value: datetime | None = None) -> date:
    """The date of an aware datetime (default: now) in the municipality's time zone."""
    return timezone.localdate(value, timezone=timezone.get_default_timezone())


def _check_date(value) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError("Deadlines take datetime.date; convert datetimes with local_date().")
    return value


class WorkingCalendar:
    """Days off and working weekend days of one country in one year, from ``holidays``."""

    def __init__(self, country: str, year: int):
        self.country = country
        self.year = year
        # Neighbouring years too: a decree may move a day across the new year.
        source = holidays.country_holidays(country, years=range(year - 1, year + 2))
        self.weekend = frozenset(source.weekend)
        self.days_off = frozenset(day for day in source if day.year == year)
        self.working_weekend_days = frozenset(
            day for day in source.weekend_workdays if day.year == year
        )

    def is_working_day(self, day: date) -> bool:
        if day.year != self.year:
            raise ValueError(f"{day} is not in {self.year}")
        if day.weekday() in self.weekend:
            return day in self.working_weekend_days
        return day not in self.days_off


def working_calendar(country: str, year: int) -> WorkingCalendar:
    """The calendar of ``country`` for ``year``, built once per process."""
    return _cached_calendar(country.upper(), int(year))


@functools.lru_cache(maxsize=128)
def _cached_calendar(country: str, year: int) -> WorkingCalendar:
    return WorkingCalendar(country, year)


def is_working_day(day: date, country: str) -> bool:
    day = _check_date(day)
    return working_calendar(country, day.year).is_working_day(day)


def add_days(trigger: date, n: int) -> date:
    """``trigger + n`` calendar days: the period starts the day after the trigger."""
    return _check_date(trigger) + timedelta(days=n)


def add_months(trigger: date, n: int) -> date:
    """The same day ``n`` months later, clamped to the end of a shorter month
    (31 January + 1 month = 28 or 29 February)."""
    trigger = _check_date(trigger)
    index = trigger.year * 12 + trigger.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - ONE_DAY).day
    return date(year, month, min(trigger.day, last_day))


def add_working_days(start: date, n: int, country: str) -> date:
    """The ``n``-th working day after ``start`` (counting starts the next working day; R23,
    R25). ``n == 0`` returns ``start``."""
    day = _check_date(start)
    if n < 0:
        raise ValueError("n must not be negative")
    while n:
        day += ONE_DAY
        if is_working_day(day, country):
            n -= 1
    return day


def control_due(legal_due: date, country: str) -> date:
    """The last working day on or before ``legal_due`` (RULES, Conventions)."""
    day = _check_date(legal_due)
    for _attempt in range(366):
        if is_working_day(day, country):
            return day
        day -= ONE_DAY
    raise ValueError(f"no working day in the year before {legal_due}")


def deadline(
    trigger_date: date, *, days: int | None = None, months: int | None = None, country: str
) -> Deadline:
    """The deadline ``days`` calendar days or ``months`` months after ``trigger_date``."""
    if (days is None) == (months is None):
        raise ValueError("give exactly one of days= or months=")
    legal = add_days(trigger_date, days) if days is not None else add_months(trigger_date, months)
    return Deadline(legal_due=legal, control_due=control_due(legal, country))


def working_day_deadline(start: date, n: int, country: str) -> Deadline:
    """A deadline counted in working days; its legal due date is itself a working day."""
    legal = add_working_days(start, n, country)
    return Deadline(legal_due=legal, control_due=legal)


def is_overdue(legal_due: date, today: date | None = None) -> bool:
    """Overdue counts against ``legal_due``: overdue when today is after it."""
    return (local_date() if today is None else _check_date(today)) > legal_due


# --- Appeals, by the profile ------------------------------------------------------------


def registration_deadline(received_on: date, profile: Profile) -> Deadline:
    """R4: register within 3 days of receipt."""
    return deadline(received_on, days=profile.registration_days, country=profile.country)


def forwarding_deadline(registered_on: date, profile: Profile) -> Deadline:
    """R5: forward within 7 days of registration (ru); R20: within 5 days (ua)."""
    return deadline(registered_on, days=profile.forwarding_days, country=profile.country)


def answer_deadline(
    received_on: date, registered_on: date | None, profile: Profile, simple: bool = False
) -> Deadline:
    """R8: 30 days from registration (ru). R21: 1 month from receipt, or 15 days when no extra
    study is needed (ua). ``simple`` has no effect where the profile has no short term."""
    if profile.answer_clock_start == FROM_REGISTRATION:
        if registered_on is None:
            raise ValueError("the answer clock starts at registration: registered_on is needed")
        trigger = registered_on
    else:
        trigger = received_on
    if simple and profile.simple_answer_days is not None:  # R21
        return deadline(trigger, days=profile.simple_answer_days, country=profile.country)
    if profile.answer_months is not None:  # R21
        return deadline(trigger, months=profile.answer_months, country=profile.country)
    return deadline(trigger, days=profile.answer_days, country=profile.country)  # R8


def extended_deadline(
    original_legal_due: date,
    extension_days: int,
    received_on: date,
    profile: Profile,
    *,
    previous_extensions: int = 0,
    previous_extension_days: int = 0,
    requested_on: date | None = None,
) -> Deadline:
    """The answer deadline after an extension of ``extension_days``.

    ``original_legal_due`` is the due date before any extension; ``previous_*`` describe the
    extensions already granted. ru (R9): one extension, at most 30 days in total, decided before
    the deadline passes. ua (R21): the whole term may not pass receipt + 45 days.
    Raises ``DeadlineError`` with a translated message on a violation.
    """
    if extension_days < 1:
        raise DeadlineError(gettext("An extension must be at least one day."), "invalid")
    current_due = add_days(original_legal_due, previous_extension_days)
    if requested_on is not None and _check_date(requested_on) > current_due:  # R9
        raise DeadlineError(
            gettext("The deadline has already passed and can no longer be extended."), "expired"
        )
    allowed = profile.extensions_allowed
    if allowed is not None and previous_extensions >= allowed:  # R9
        raise DeadlineError(
            ngettext(
                "The deadline may be extended at most %(count)d time.",
                "The deadline may be extended at most %(count)d times.",
                allowed,
            )
            % {"count": allowed},
            "too_many_extensions",
        )
    total = previous_extension_days + extension_days
    limit = profile.max_extension_days
    if limit is not None and total > limit:  # R9
        raise DeadlineError(
            ngettext(
                "The extension may not exceed %(days)d day in total.",
                "The extension may not exceed %(days)d days in total.",
                limit,
            )
            % {"days": limit},
            "extension_too_long",
        )
    new_due = add_days(original_legal_due, total)
    cap_days = profile.max_total_days_from_receipt
    if cap_days is not None and new_due > add_days(received_on, cap_days):  # R21
        cap = add_days(received_on, cap_days)
        raise DeadlineError(
            ngettext(
                "The term may not exceed %(days)d day from receipt (%(date)s at the latest).",
                "The term may not exceed %(days)d days from receipt (%(date)s at the latest).",
                cap_days,
            )
            % {"days": cap_days, "date": formats.date_format(cap, "SHORT_DATE_FORMAT")},
            "beyond_total_term",
        )
    return Deadline(legal_due=new_due, control_due=control_due(new_due, profile.country))


def notice_deadline(registered_on: date, profile: Profile) -> Deadline:
    """R11: the notice that an appeal gets no answer on the merits, 7 days after registration."""
    return deadline(registered_on, days=profile.no_merits_notice_days, country=profile.country)


def external_request_deadline(sent_on: date, profile: Profile) -> Deadline:
    """R7: another body answers a document request within 15 days of it being sent."""
    return deadline(sent_on, days=profile.external_request_days, country=profile.country)


def return_incomplete_deadline(received_on: date, profile: Profile) -> Deadline | None:
    """R19: an incomplete appeal goes back with an explanation within 10 days (ua); ``None``
    where the profile has no such term."""
    if profile.return_incomplete_days is None:
        return None
    return deadline(received_on, days=profile.return_incomplete_days, country=profile.country)


# --- Petitions (RULES D, both profiles) -------------------------------------------------


def petition_publication_deadline(submitted_on: date, profile: Profile) -> Deadline:
    """R23: publish, or refuse with a reason, within 2 working days of submission."""
    return working_day_deadline(
        submitted_on, profile.petition_publication_working_days, profile.country
    )


def petition_announce_deadline(threshold_reached_on: date, profile: Profile) -> Deadline:
    """R25: announce the start of consideration within 3 working days of the threshold."""
    return working_day_deadline(
        threshold_reached_on, profile.petition_announce_working_days, profile.country
    )


def petition_decision_deadline(announced_on: date, profile: Profile) -> Deadline:
    """R25: decide within 10 working days of the announcement."""
    return working_day_deadline(
        announced_on, profile.petition_decision_working_days, profile.country
    )
