"""Deadline rules (RULES Conventions, R4, R5, R7-R9, R11, R19-R21, R23, R25): pure date
arithmetic over the real Russian and Ukrainian calendars of the ``holidays`` package."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.utils import translation

from appeals import deadlines as dl
from appeals.deadlines import DeadlineError
from consultations.petitions import deadlines as pdl
from edem.core import calendar as cal
from edem.core.calendar import Deadline
from edem.core.jurisdiction import RU, UA


def d(text):
    return date.fromisoformat(text)


# --- Calendar ---------------------------------------------------------------------------


def test_R8_due_date_on_a_holiday_moves_control_due_back():
    # Registered 6 Dec 2025: 30 days later is Monday 5 January 2026, inside the New Year
    # holidays; 31 Dec 2025 is a day off moved from 5 Jan 2025 by decree, so the last working
    # day on or before the legal due date is Tuesday 30 December 2025.
    deadline = dl.answer_deadline(d("2025-12-01"), d("2025-12-06"), RU)
    assert deadline == Deadline(legal_due=d("2026-01-05"), control_due=d("2025-12-30"))
    assert not cal.is_working_day(d("2025-12-31"), "RU")
    assert not any(cal.is_working_day(date(2026, 1, day), "RU") for day in range(1, 12))
    assert cal.is_working_day(d("2026-01-12"), "RU")


def test_R8_working_saturday_counts_as_working_day():
    # Government decrees made these Saturdays working days (moving the day off elsewhere);
    # the holidays package carries them as ``weekend_workdays``.
    for saturday in ("2024-04-27", "2024-11-02", "2024-12-28", "2025-11-01"):
        assert d(saturday).weekday() == 5
        assert cal.is_working_day(d(saturday), "RU"), saturday
    assert not cal.is_working_day(d("2025-11-08"), "RU")  # an ordinary Saturday
    assert not cal.is_working_day(d("2024-04-29"), "RU")  # the Monday the 27 April day off went to
    # Registered 30 Nov 2024: due Monday 30 Dec 2024 (a moved day off), Sunday 29 Dec is off,
    # Saturday 28 Dec is a working day.
    assert dl.answer_deadline(d("2024-11-29"), d("2024-11-30"), RU) == Deadline(
        d("2024-12-30"), d("2024-12-28")
    )
    # Registered 5 Oct 2025: due on Unity Day, 4 Nov; 3 Nov is off; Saturday 1 Nov works.
    assert cal.control_due(d("2025-11-04"), "RU") == d("2025-11-01")


def test_ukrainian_calendar_under_martial_law_has_no_days_off_but_weekends():
    # Before martial law: Christmas 7 Jan 2021 was a day off, Saturday 16 Jan 2021 a workday.
    assert not cal.is_working_day(d("2021-01-07"), "UA")
    assert cal.is_working_day(d("2021-01-16"), "UA")
    # From 2023 the package adds no public days off for Ukraine (martial law).
    assert cal.is_working_day(d("2025-01-01"), "UA")
    assert not cal.is_working_day(d("2025-01-01"), "RU")
    assert cal.is_working_day(d("2025-08-25"), "UA")  # Independence Day fell on a Sunday
    assert not cal.is_working_day(d("2025-08-24"), "UA")
    assert cal.control_due(d("2026-01-01"), "UA") == d("2026-01-01")


def test_working_calendar_is_cached_per_country_and_year():
    assert cal.working_calendar("ru", 2025) is cal.working_calendar("RU", 2025)
    assert cal.working_calendar("RU", 2025) is not cal.working_calendar("RU", 2024)
    assert cal.working_calendar("RU", 2024).working_weekend_days == {
        d("2024-04-27"),
        d("2024-11-02"),
        d("2024-12-28"),
    }


def test_month_arithmetic_clamps_to_the_end_of_the_month():
    assert cal.add_months(d("2025-01-31"), 1) == d("2025-02-28")
    assert cal.add_months(d("2024-01-31"), 1) == d("2024-02-29")
    assert cal.add_months(d("2025-03-31"), 1) == d("2025-04-30")
    assert cal.add_months(d("2025-12-15"), 1) == d("2026-01-15")
    assert cal.add_months(d("2025-11-30"), 3) == d("2026-02-28")
    assert cal.add_months(d("2025-03-31"), -1) == d("2025-02-28")
    assert dl.answer_deadline(d("2025-01-31"), None, UA).legal_due == d("2025-02-28")


def test_add_working_days_starts_counting_the_next_working_day():
    assert cal.add_working_days(d("2025-08-22"), 1, "UA") == d("2025-08-25")  # Friday -> Monday
    assert cal.add_working_days(d("2025-08-22"), 0, "UA") == d("2025-08-22")
    with pytest.raises(ValueError):
        cal.add_working_days(d("2025-08-22"), -1, "UA")


def test_deadline_takes_exactly_one_period_and_only_dates():
    assert cal.deadline(d("2025-04-01"), days=7, country="RU").legal_due == d("2025-04-08")
    with pytest.raises(ValueError):
        cal.deadline(d("2025-04-01"), days=7, months=1, country="RU")
    with pytest.raises(ValueError):
        cal.deadline(d("2025-04-01"), country="RU")
    with pytest.raises(TypeError):
        cal.add_days(datetime(2025, 4, 1, tzinfo=UTC), 7)


# --- Overdue and time zone --------------------------------------------------------------


def test_overdue_counts_against_legal_due_not_control_due():
    deadline = Deadline(legal_due=d("2026-01-05"), control_due=d("2025-12-30"))
    assert not deadline.is_overdue(d("2025-12-31"))  # past control_due: a reminder, not overdue
    assert not cal.is_overdue(d("2026-01-05"), d("2026-01-05"))
    assert cal.is_overdue(d("2026-01-05"), d("2026-01-06"))


def test_today_is_the_date_in_the_municipality_time_zone(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    due = d("2026-01-05")
    with time_machine.travel(datetime(2026, 1, 5, 20, 30, tzinfo=UTC), tick=False):
        assert cal.local_date() == d("2026-01-05")  # 23:30 in Moscow
        assert not cal.is_overdue(due)
    with time_machine.travel(datetime(2026, 1, 5, 21, 30, tzinfo=UTC), tick=False):
        assert cal.local_date() == d("2026-01-06")  # 00:30 in Moscow, still the 5th in UTC
        assert cal.is_overdue(due)
    assert cal.local_date(datetime(2025, 12, 31, 22, 0, tzinfo=UTC)) == d("2026-01-01")
    with pytest.raises(ValueError):
        cal.local_date(datetime(2025, 12, 31, 22, 0))  # naive: refused


# --- Appeals: Russia (59-FZ) --------------------------------------------------------------


def test_R4_paper_appeal_registration_due_3_days_after_receipt():
    assert dl.registration_deadline(d("2025-03-03"), RU) == Deadline(
        d("2025-03-06"), d("2025-03-06")
    )
    # Received Thursday 6 March: due Sunday 9 March, control on Friday 7 March.
    assert dl.registration_deadline(d("2025-03-06"), RU) == Deadline(
        d("2025-03-09"), d("2025-03-07")
    )


def test_R5_forwarding_due_7_days_after_registration():
    assert dl.forwarding_deadline(d("2025-04-01"), RU) == Deadline(d("2025-04-08"), d("2025-04-08"))


def test_R7_external_request_due_15_days():
    assert dl.external_request_deadline(d("2025-05-20"), RU) == Deadline(
        d("2025-06-04"), d("2025-06-04")
    )
    assert dl.external_request_deadline(d("2025-05-20"), UA).legal_due == d("2025-06-04")


def test_R8_answer_due_30_days_after_registration_and_control_due_on_last_working_day():
    # The clock starts at registration, not receipt.
    assert dl.answer_deadline(d("2025-03-07"), d("2025-03-10"), RU) == Deadline(
        d("2025-04-09"), d("2025-04-09")
    )
    # Due on Saturday 8 March (Women's Day): control on Friday 7 March.
    assert dl.answer_deadline(d("2025-02-05"), d("2025-02-06"), RU) == Deadline(
        d("2025-03-08"), d("2025-03-07")
    )
    # No short term under 59-FZ: "simple" changes nothing.
    assert dl.answer_deadline(d("2025-03-07"), d("2025-03-10"), RU, simple=True).legal_due == d(
        "2025-04-09"
    )
    with pytest.raises(ValueError):
        dl.answer_deadline(d("2025-03-07"), None, RU)


def test_R9_extension_at_most_30_days_and_only_once():
    original = d("2025-04-09")
    # 30 more days: Friday 9 May (Victory Day); 8 May is a moved day off -> control 7 May.
    assert dl.extended_deadline(original, 30, d("2025-03-07"), RU) == Deadline(
        d("2025-05-09"), d("2025-05-07")
    )
    with translation.override("en"), pytest.raises(DeadlineError) as too_long:
        dl.extended_deadline(original, 31, d("2025-03-07"), RU)
    assert too_long.value.code == "extension_too_long"
    assert "30 days" in str(too_long.value)
    with pytest.raises(DeadlineError) as twice:
        dl.extended_deadline(
            original, 10, d("2025-03-07"), RU, previous_extensions=1, previous_extension_days=10
        )
    assert twice.value.code == "too_many_extensions"
    with pytest.raises(DeadlineError) as late:
        dl.extended_deadline(original, 10, d("2025-03-07"), RU, requested_on=d("2025-04-10"))
    assert late.value.code == "expired"
    assert dl.extended_deadline(original, 10, d("2025-03-07"), RU, requested_on=original)
    with pytest.raises(DeadlineError) as zero:
        dl.extended_deadline(original, 0, d("2025-03-07"), RU)
    assert zero.value.code == "invalid"
    assert isinstance(zero.value, ValueError)


def test_R11_notice_due_7_days_after_registration():
    assert dl.notice_deadline(d("2025-06-05"), RU) == Deadline(d("2025-06-12"), d("2025-06-11"))
    # 12 June is Russia Day: the control date is the working day before.


# --- Appeals: Ukraine ---------------------------------------------------------------------


def test_R19_incomplete_ua_appeal_returned_within_10_days():
    # Received 2 Jan 2025: due Sunday 12 Jan, control Friday 10 Jan.
    assert dl.return_incomplete_deadline(d("2025-01-02"), UA) == Deadline(
        d("2025-01-12"), d("2025-01-10")
    )
    assert dl.return_incomplete_deadline(d("2025-01-02"), RU) is None


def test_R20_ua_forwarding_due_5_days():
    # 24 Aug 2025 (Independence Day) was a Sunday; under martial law nothing moves.
    assert dl.forwarding_deadline(d("2025-08-20"), UA) == Deadline(d("2025-08-25"), d("2025-08-25"))


def test_R21_ua_answer_one_month_from_receipt_or_15_days_if_simple_and_cap_45_days():
    received, registered = d("2025-03-10"), d("2025-03-12")
    assert dl.answer_deadline(received, registered, UA) == Deadline(
        d("2025-04-10"), d("2025-04-10")
    )
    assert dl.answer_deadline(received, registered, UA, simple=True) == Deadline(
        d("2025-03-25"), d("2025-03-25")
    )
    # 45 days from receipt is 24 April 2025: extending to it is allowed, one day more is not.
    assert dl.extended_deadline(d("2025-04-10"), 14, received, UA).legal_due == d("2025-04-24")
    with translation.override("en"), pytest.raises(DeadlineError) as capped:
        dl.extended_deadline(d("2025-04-10"), 15, received, UA)
    assert capped.value.code == "beyond_total_term"
    assert "45 days" in str(capped.value)
    # The Ukrainian law limits the total, not the number of extensions.
    assert dl.extended_deadline(
        d("2025-04-10"), 7, received, UA, previous_extensions=1, previous_extension_days=7
    ).legal_due == d("2025-04-24")


# --- Petitions (both profiles) ------------------------------------------------------------


def test_R23_petition_published_within_2_working_days():
    # Submitted Friday 22 Aug 2025 in Ukraine: Monday 25 and Tuesday 26 August.
    assert pdl.petition_publication_deadline(d("2025-08-22"), UA) == Deadline(
        d("2025-08-26"), d("2025-08-26")
    )
    # Submitted 30 Dec 2025 in Russia: 31 Dec and 1-11 Jan are off; 12 and 13 Jan count.
    assert pdl.petition_publication_deadline(d("2025-12-30"), RU).legal_due == d("2026-01-13")


def test_R25_petition_announced_within_3_and_decided_within_10_working_days():
    assert pdl.petition_announce_deadline(d("2025-08-22"), UA).legal_due == d("2025-08-27")
    assert pdl.petition_decision_deadline(d("2025-08-27"), UA).legal_due == d("2025-09-10")
