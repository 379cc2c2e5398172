"""Deadline rules of petitions (RULES D, both profiles): pure functions, dates in, dates out,
counted in working days on ``edem.core.calendar``.
"""

from __future__ import annotations

from datetime import date

from edem.core.calendar import Deadline, working_day_deadline
from edem.core.jurisdiction import Profile


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
