"""The working-day calendar and generic date arithmetic: pure functions, dates in, dates out,
no ORM. Appeals (``appeals.deadlines``) and consultations build their deadline rules on it.

RULES, Conventions:

* A period starts the day after its trigger (receipt or registration), by analogy with Civil
  Code arts. 191/193: ``legal_due = trigger + N`` calendar days (or months).
* ``control_due`` is the last working day on or before ``legal_due``. Reminders use it;
  "overdue" counts against ``legal_due`` (``today > legal_due``).
* Working-day periods (petitions, R23, R25): counting starts the next working day.

Working days come from the ``holidays`` package for the profile's country: public holidays,
days off moved by government decree ("Day off (substituted from ...)") *and* the weekend days
the same decrees make working (``weekend_workdays``; in Russia, e.g. Saturdays 27 April,
2 November and 28 December 2024, and 1 November 2025). Ukraine under martial law (from 2023)
has no public days off, and the package models that: every Monday-Friday is a working day.

On top of the country's calendar the municipality declares its own days (``core.LocalDay``,
edited in the admin): a local day off (a town's day) or an extra working day (a Saturday
worked). They win over the country's calendar in ``is_working_day``, which every deadline
here goes through. This module stays free of the ORM: the loader is plugged in by the kernel's
app (``set_local_days_loader``), and its result is kept in the process for
``LOCAL_DAYS_RECHECK`` seconds; a save or delete in the admin drops it at once in the process
that made it (``forget_local_days``), other processes pick the change up within that time.

All dates are ``datetime.date`` in the municipality's time zone (``settings.TIME_ZONE``);
``local_date()`` turns an aware datetime into one.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays
from django.utils import timezone

ONE_DAY = timedelta(days=1)
LOCAL_DAYS_RECHECK = 60.0  # seconds a process keeps the local days before reading them again


@dataclass(frozen=True)
class Deadline:
    """The two dates of RULES' conventions."""

    legal_due: date  # what the law counts; overdue is judged against it
    control_due: date  # last working day on or before legal_due; reminders use it

    def is_overdue(self, today: date | None = None) -> bool:
        return is_overdue(self.legal_due, today)


def local_date(value: datetime | None = None) -> date:
    """The date of an aware datetime (default: now) in the municipality's time zone."""
    return timezone.localdate(value, timezone=timezone.get_default_timezone())


def check_date(value) -> date:
    """``value`` itself if it is a ``date`` (not a ``datetime``); a ``TypeError`` otherwise."""
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


# --- the municipality's own days ---------------------------------------------------------

_local_loader: Callable[[], Mapping[date, bool] | None] | None = None
_local_days: Mapping[date, bool] | None = None
_local_loaded_at = 0.0
_local_lock = threading.Lock()


def set_local_days_loader(loader: Callable[[], Mapping[date, bool] | None] | None) -> None:
    """Plug in what reads the local days: ``{date: is_working}``, or None when they cannot be
    read now (then the country's calendar alone applies and nothing is kept)."""
    global _local_loader
    _local_loader = loader
    forget_local_days()


def forget_local_days() -> None:
    """Drop this process's copy of the local days: the next question reads them again."""
    global _local_days
    with _local_lock:
        _local_days = None


def local_days() -> Mapping[date, bool]:
    """The municipality's own days: ``{date: True for a working day, False for a day off}``."""
    global _local_days, _local_loaded_at
    days, loaded_at = _local_days, _local_loaded_at
    if days is not None and time.monotonic() - loaded_at < LOCAL_DAYS_RECHECK:
        return days
    loaded = _local_loader() if _local_loader is not None else {}
    if loaded is None:
        return {}
    with _local_lock:
        _local_days, _local_loaded_at = dict(loaded), time.monotonic()
    return loaded


def is_working_day(day: date, country: str) -> bool:
    day = check_date(day)
    local = local_days().get(day)
    if local is not None:
        return local
    return working_calendar(country, day.year).is_working_day(day)


def add_days(trigger: date, n: int) -> date:
    """``trigger + n`` calendar days: the period starts the day after the trigger."""
    return check_date(trigger) + timedelta(days=n)


def add_months(trigger: date, n: int) -> date:
    """The same day ``n`` months later, clamped to the end of a shorter month
    (31 January + 1 month = 28 or 29 February)."""
    trigger = check_date(trigger)
    index = trigger.year * 12 + trigger.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - ONE_DAY).day
    return date(year, month, min(trigger.day, last_day))


def add_working_days(start: date, n: int, country: str) -> date:
    """The ``n``-th working day after ``start`` (counting starts the next working day; R23,
    R25). ``n == 0`` returns ``start``."""
    day = check_date(start)
    if n < 0:
        raise ValueError("n must not be negative")
    while n:
        day += ONE_DAY
        if is_working_day(day, country):
            n -= 1
    return day


def control_due(legal_due: date, country: str) -> date:
    """The last working day on or before ``legal_due`` (RULES, Conventions)."""
    day = check_date(legal_due)
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
    return (local_date() if today is None else check_date(today)) > legal_due
