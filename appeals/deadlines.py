"""Deadline rules of appeals, by the jurisdiction profile: pure functions, dates in, dates out,
no ORM. The calendar they count on (working days, ``legal_due``/``control_due``, RULES'
Conventions) is ``edem.core.calendar``.
"""

from __future__ import annotations

from datetime import date

from django.utils import formats
from django.utils.translation import gettext, ngettext

from edem.core.calendar import Deadline, add_days, check_date, control_due, deadline
from edem.core.jurisdiction import FROM_REGISTRATION, Profile


class DeadlineError(ValueError):
    """A deadline change the law does not allow; ``str(error)`` is a translated message and
    ``code`` a stable machine-readable reason."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


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
    if requested_on is not None and check_date(requested_on) > current_due:  # R9
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
