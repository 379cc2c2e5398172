"""What the poll use cases share: limits, the ballot error, the history line with its domain
event, the notices and the date check (R29)."""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from edem.core.i18n import in_every_language
from edem.core.recording import consultation_changed
from edem.core.recording import record as record_history
from edem.core.workflow import TransitionNotAllowed
from edem.notifications.services import notify

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


def notify_about(poll, event, *, users=(), emails=(), **context):
    """Queue the mail about ``event`` for each user (in their language) and each bare address.
    Keyed, so a task that runs twice sends nothing twice."""
    payload = {
        "event": event,
        "title": in_every_language(poll, "title"),
        "cabinet": in_every_language(poll.cabinet, "name"),
        "path": f"/polls/{poll.pk}/",
        **context,
    }
    for user in users:
        if user is None or not user.email:
            continue
        notify(
            template="polls/status",
            recipient=user,
            context=payload,
            key=f"poll:{poll.pk}:{event}:u{user.pk}",
        )
    for email in emails:
        if email:
            notify(
                template="polls/status",
                email=email,
                context=payload,
                key=f"poll:{poll.pk}:{event}:{email}",
            )


def participants(poll):
    ids = poll.ballots.filter(voter__isnull=False).values("voter_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("pk").iterator()


def check_dates(starts_at, ends_at):
    """R29: the poll ends after it starts and lasts within the configured bounds."""
    if starts_at is None or ends_at is None:
        raise TransitionNotAllowed(_("Give the dates when voting opens and closes."))
    if ends_at <= starts_at:
        raise TransitionNotAllowed(_("Voting must close after it opens."))
    length = ends_at - starts_at
    if length < timedelta(days=min_days()) or length > timedelta(days=max_days()):
        raise TransitionNotAllowed(
            _("Voting lasts from %(min)d to %(max)d days.") % {"min": min_days(), "max": max_days()}
        )
