"""What the poll use cases share: limits, the ballot error, the history line with its domain
event, the participants."""

from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model

from edem.core.recording import consultation_changed
from edem.core.recording import record as record_history

MAX_OPTIONS = 30


MAX_TEXT_ANSWER = 2000


def min_days():
    """R29: no statutory minimum was found; the default is 14 days (a setting)."""
    return getattr(settings, "EDEM_POLL_MIN_DAYS", 14)


def max_days():
    """R29: the default upper bound is 30 days (a setting)."""
    return getattr(settings, "EDEM_POLL_MAX_DAYS", 30)


class BallotInvalid(Exception):
    """The ballot does not satisfy its questions; ``errors`` maps question id → message."""

    def __init__(self, errors):
        super().__init__("; ".join(str(e) for e in errors.values()))
        self.errors = errors


# The poll's history line with its domain event (``ConsultationChanged``).
record = partial(record_history, event=consultation_changed)


def participants(poll):
    ids = poll.ballots.filter(voter__isnull=False).values("voter_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("pk").iterator()
