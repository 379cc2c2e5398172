"""Deadline rules of appeals, by the jurisdiction profile: pure functions, dates in, dates out,
no ORM. The calendar they count on (working days, ``legal_due``/``control_due``, RULES'
Conventions) is ``edem.core.calendar``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import formats
from django.utils.translation import gettext, ngettext

from edem.core.calendar import (
    Deadline,
    add_days,
    check_date,
    control_due,
    deadline,
    working_day_deadline,
)
from edem.core.jurisdiction import FROM_REGISTRATION, InformationRequestRules, Profile


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


# --- Requests for information (R17), by the profile ----------------------------------------


def _information_rules(profile: Profile) -> InformationRequestRules:
    if profile.information_requests is None:
        raise ValueError(f"the profile {profile.code!r} has no rules for requests for information")
    return profile.information_requests


def _information_term(trigger: date, days: int, profile: Profile) -> Deadline:
    """``days`` after ``trigger``: working days where the profile counts them (ua, whose due
    date is itself a working day), else calendar days with the control date before a day off."""
    if _information_rules(profile).working_days:
        return working_day_deadline(trigger, days, profile.country)
    return deadline(trigger, days=days, country=profile.country)


def information_registration_deadline(received_on: date, profile: Profile) -> Deadline:
    """R17: register a request for information within 3 days of receipt."""
    rules = _information_rules(profile)
    return deadline(received_on, days=rules.registration_days, country=profile.country)


def information_clock_start(
    received_on: date, registered_on: date | None, profile: Profile
) -> date | None:
    """The day the R17 clocks count from: the registration (ru) or the receipt (ua); None while
    a clock that starts at registration has not started."""
    if _information_rules(profile).clock_start == FROM_REGISTRATION:
        return registered_on
    return received_on


@dataclass(frozen=True)
class InformationDeadlines:
    """The terms of a request for information (R17), each with its legal and control date."""

    answer: Deadline
    forwarding: Deadline
    deferral_notice: Deadline  # the deferral is decided and notified by then


def information_deadlines(
    received_on: date, registered_on: date | None, profile: Profile
) -> InformationDeadlines | None:
    """R17: the answer, forwarding and deferral-notice terms of a request for information, or
    None while their clock has not started (ru: until registration)."""
    start = information_clock_start(received_on, registered_on, profile)
    if start is None:
        return None
    rules = _information_rules(profile)
    return InformationDeadlines(
        answer=_information_term(start, rules.answer_days, profile),
        forwarding=_information_term(start, rules.forwarding_days, profile),
        deferral_notice=_information_term(start, rules.deferral_notice_days, profile),
    )


def deferral_window_closed(window: date) -> str:
    """R17: why a request whose deferral window ended on ``window`` is no longer deferred."""
    return gettext(
        "The deferral had to be notified by %(date)s; that term has passed, the answer "
        "is due in the ordinary term."
    ) % {"date": formats.date_format(window, "SHORT_DATE_FORMAT")}


def information_deferred_deadline(
    received_on: date,
    registered_on: date | None,
    days: int,
    profile: Profile,
    *,
    previous_deferrals: int = 0,
    requested_on: date,
) -> Deadline:
    """R17: the answer deadline of a request for information deferred by ``days`` (calendar
    days in ru, working days in ua) beyond its term. Allowed once, by at most the profile's
    limit (ru 15 days; ua up to 20 working days in all), and only while the window for the
    deferral notice is open (ru: 7 days of registration; ua: 5 working days of receipt).
    Raises ``DeadlineError`` with a translated message on a violation."""
    rules = _information_rules(profile)
    terms = information_deadlines(received_on, registered_on, profile)
    if terms is None:
        raise DeadlineError(gettext("Register the request first."), "not_registered")
    if days < 1:
        raise DeadlineError(gettext("A deferral must be at least one day."), "invalid")
    if previous_deferrals >= rules.deferrals_allowed:
        raise DeadlineError(
            ngettext(
                "The answer may be deferred at most %(count)d time.",
                "The answer may be deferred at most %(count)d times.",
                rules.deferrals_allowed,
            )
            % {"count": rules.deferrals_allowed},
            "too_many_deferrals",
        )
    if days > rules.max_deferral_days:
        message = (
            ngettext(
                "The answer may be deferred by at most %(days)d working day.",
                "The answer may be deferred by at most %(days)d working days.",
                rules.max_deferral_days,
            )
            if rules.working_days
            else ngettext(
                "The answer may be deferred by at most %(days)d day.",
                "The answer may be deferred by at most %(days)d days.",
                rules.max_deferral_days,
            )
        )
        raise DeadlineError(message % {"days": rules.max_deferral_days}, "deferral_too_long")
    window = terms.deferral_notice.legal_due
    if check_date(requested_on) > window:
        raise DeadlineError(deferral_window_closed(window), "deferral_window_closed")
    start = information_clock_start(received_on, registered_on, profile)
    return _information_term(start, rules.answer_days + days, profile)
