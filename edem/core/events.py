"""Domain events: what happened, told to whoever cares, after commit, never lost.

A service that changes state publishes a typed event (a frozen dataclass below) inside its
transaction: ``publish(AppealRegistered(...))``. Other apps subscribe in their
``AppConfig.ready()``: ``subscribe(AppealChanged, "appeals.problems.subscribers.sync_projection",
name="problems.sync_projection")``.
A subscription to a class also receives its subclasses (``AppealChanged`` gets every appeal
event).

``publish`` writes one ``EventDelivery`` row per (event, subscriber) in the caller's transaction,
so a rolled-back change publishes nothing and a committed one can never lose its event. After
commit each row is delivered in this process (``deliver``): the row is claimed with a conditional
update (two runs never both handle it), the handler runs in its own transaction and the row is
marked done with it. A handler that raises is logged; the row stays pending with a back-off and
a Celery task retries it, and the beat's sweep (``sweep``) takes whatever is still pending
(broker down, worker died). The write that published the event is never broken or undone.

The catalogue of events is kept here, in the kernel, so that a subscriber (analytics, webhooks,
the mail gateway) depends on the kernel only, not on the app that publishes.
"""

import dataclasses
import logging
import time
import typing
from datetime import date, datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.module_loading import import_string

from . import pagecache
from .models import EventDelivery

logger = logging.getLogger(__name__)

# How many rows one sweep takes; the next sweep takes the rest.
SWEEP_BATCH = 500
# A claim older than this is taken to be a dead process's: the row may be claimed again.
CLAIM_LEASE = timedelta(minutes=5)


# --- The catalogue --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every event. Fields are ids, strings, numbers, booleans, dates and datetimes:
    an event is stored as JSON and rebuilt for each subscriber."""

    at: datetime = dataclasses.field(default_factory=timezone.now)

    @classmethod
    def type_name(cls):
        return cls.__name__


EVENT_TYPES: dict[str, type[DomainEvent]] = {}


def event_type(cls):
    """Register an event class by its name (what the outbox row stores)."""
    cls = dataclasses.dataclass(frozen=True, kw_only=True)(cls)
    if EVENT_TYPES.setdefault(cls.__name__, cls) is not cls:
        raise ValueError(f"Two domain events are called {cls.__name__}.")
    return cls


# Appeals (appeals.services). Every line of an appeal's history publishes one of these; the
# subclass says which use case it was. ``history_id`` is the ``AppealEvent`` line written with it.


@event_type
class AppealChanged(DomainEvent):
    appeal_id: int
    cabinet_id: int | None = None
    history_id: int | None = None
    action: str = ""
    is_public: bool = True


@event_type
class AppealFiled(AppealChanged):
    """A citizen filed it, a registrar entered a paper one, or it arrived forwarded."""


@event_type
class AppealRegistered(AppealChanged):
    pass


@event_type
class AppealForwarded(AppealChanged):
    pass


@event_type
class AppealAssigned(AppealChanged):
    pass


@event_type
class AppealDeadlineExtended(AppealChanged):
    pass


@event_type
class AppealAnswered(AppealChanged):
    pass


@event_type
class AppealClosedWithoutAnswer(AppealChanged):
    """Closed without an answer on the merits, returned, withdrawn or merged into another."""


@event_type
class AppealReopened(AppealChanged):
    pass


@event_type
class AppealReclassified(AppealChanged):
    pass


@event_type
class AppealCaseFileChanged(AppealChanged):
    """Materials, co-signers, external requests, drafts, ratings, another appeal merged in:
    the case file grew."""


APPEAL_EVENTS = {
    "receive": AppealFiled,
    "register": AppealRegistered,
    "forward": AppealForwarded,
    "assign": AppealAssigned,
    "extend": AppealDeadlineExtended,
    "sign_answer": AppealAnswered,
    "close_no_merits": AppealClosedWithoutAnswer,
    "return": AppealClosedWithoutAnswer,
    "withdraw": AppealClosedWithoutAnswer,
    "merge": AppealClosedWithoutAnswer,
    "reopen": AppealReopened,
    "reopen_by_head": AppealReopened,
    "reclassify": AppealReclassified,
    "add_materials": AppealCaseFileChanged,
    "external_request": AppealCaseFileChanged,
    "external_request_posted": AppealCaseFileChanged,
    "invite_cosigners": AppealCaseFileChanged,
    "cosign": AppealCaseFileChanged,
    "draft_answer": AppealCaseFileChanged,
    "rate": AppealCaseFileChanged,
    "merged_in": AppealCaseFileChanged,
    "external_letter": AppealCaseFileChanged,
    "external_reply": AppealCaseFileChanged,
}


# Cabinets and their staff.


@event_type
class CabinetStaffChanged(DomainEvent):
    """A member's permissions in a cabinet changed (a role given, changed or ended): the cabinet
    may have lost its last head or registrar (appeals lists its open appeals)."""

    cabinet_id: int
    user_id: int | None = None


@event_type
class CabinetStaffRecorded(DomainEvent):
    """A line of a cabinet's staff history was written (``cabinets.models.StaffEvent``): an
    official invited, an invitation accepted or withdrawn, a role changed or ended."""

    cabinet_id: int
    history_id: int
    action: str
    user_id: int | None = None


# Public problems (appeals.problems) and residents around them (appeals.community).


@event_type
class ProblemPublished(DomainEvent):
    appeal_id: int
    author_id: int | None = None


@event_type
class ProblemHidden(DomainEvent):
    appeal_id: int


@event_type
class CommentAdded(DomainEvent):
    """A comment on a public problem (appeals.community) or on a paragraph of a draft act
    (consultations.discussions): ``subject`` says which."""

    subject: str
    object_id: int
    comment_id: int
    author_id: int | None = None


@event_type
class ProblemSupported(DomainEvent):
    appeal_id: int
    user_id: int


# Consultations. Every history line of an instrument publishes ``ConsultationChanged``; votes and
# signatures publish their own event (they write no history line).


@event_type
class ConsultationChanged(DomainEvent):
    instrument: str  # "discussion", "poll", "petition"
    object_id: int
    cabinet_id: int | None = None
    history_id: int | None = None
    action: str = ""
    status: str = ""


@event_type
class PetitionSigned(DomainEvent):
    petition_id: int
    signatures: int


@event_type
class PollVoted(DomainEvent):
    poll_id: int
    ballot_id: int


@event_type
class BudgetVoted(DomainEvent):
    cycle_id: int
    ballot_id: int


# --- The registry ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Subscription:
    event: type[DomainEvent]
    name: str
    handler: object  # a callable or its dotted path

    def resolve(self):
        return import_string(self.handler) if isinstance(self.handler, str) else self.handler


_subscriptions: dict[str, Subscription] = {}


def subscribe(event, handler, *, name):
    """Deliver every ``event`` (and subclass) to ``handler(event)``. Called from the subscribing
    app's ``AppConfig.ready()``; ``name`` is stored on the outbox rows, so it stays stable. A
    second call with the same name and handler is harmless."""
    if not (isinstance(event, type) and issubclass(event, DomainEvent)):
        raise TypeError(f"{event!r} is not a domain event class.")
    subscription = Subscription(event, name, handler)
    existing = _subscriptions.setdefault(name, subscription)
    if existing != subscription:
        raise ValueError(f"The subscriber name {name!r} is taken.")
    return subscription


def subscribers_of(event_class):
    return [s for s in _subscriptions.values() if issubclass(event_class, s.event)]


def to_payload(event):
    def plain(value):
        return value.isoformat() if isinstance(value, date | datetime) else value

    return {f.name: plain(getattr(event, f.name)) for f in dataclasses.fields(event)}


def from_payload(name, payload):
    cls = EVENT_TYPES[name]
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        if field.name not in payload:
            continue
        value, hint = payload[field.name], hints[field.name]
        kinds = typing.get_args(hint) or (hint,)  # ``datetime | None`` holds datetime
        if isinstance(value, str) and datetime in kinds:
            value = parse_datetime(value)
        elif isinstance(value, str) and date in kinds:
            value = parse_date(value)
        values[field.name] = value
    return cls(**values)


def publish(event):
    """Store the event for each subscriber in the caller's transaction; deliver after commit.
    Returns the outbox rows (none when nobody subscribes)."""
    if type(event).__name__ not in EVENT_TYPES:
        raise TypeError(f"{event!r} is not a registered domain event.")
    payload = to_payload(event)
    rows = EventDelivery.objects.bulk_create(
        EventDelivery(event_type=type(event).__name__, payload=payload, subscriber=s.name)
        for s in subscribers_of(type(event))
    )
    # Whatever changed may show on a public page: cached pages are out of date once it commits.
    transaction.on_commit(pagecache.bump, robust=True)
    if rows:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: deliver_all(ids), robust=True)
    return rows


# --- Delivery -------------------------------------------------------------------------------


def backoff(attempts):
    """Wait before the next attempt after ``attempts`` failures: base, 2×, 4×, ... up to 1 h."""
    base = settings.EDEM_EVENT_RETRY_BASE
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _claim(delivery_id, now):
    """Take the row for this run, or return False if it is done, failed, waiting out a
    back-off or claimed by a live run. A conditional update: of two runs, one wins."""
    claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        EventDelivery.objects.filter(
            claimable, due, pk=delivery_id, status=EventDelivery.PENDING
        ).update(claimed_at=now, attempts=F("attempts") + 1)
    )


def deliver(delivery_id, now=None):
    """Run one row's handler. Returns the row's status after the attempt (None if there is no
    such row or it could not be claimed: another run has it, or it waits)."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    row = EventDelivery.objects.get(pk=delivery_id)
    try:
        subscription = _subscriptions.get(row.subscriber)
        if subscription is None:
            raise LookupError(f"No subscriber is called {row.subscriber!r} in this process.")
        event = from_payload(row.event_type, row.payload)
        with transaction.atomic():
            subscription.resolve()(event)
            EventDelivery.objects.filter(pk=row.pk, claimed_at=now).update(
                status=EventDelivery.DONE, done_at=timezone.now(), claimed_at=None, last_error=""
            )
    except Exception as exc:
        return _failed(row, now, exc)
    return EventDelivery.DONE


def _failed(row, claimed_at, exc):
    logger.exception(
        "Subscriber %s failed on %s (outbox row %s, attempt %s)",
        row.subscriber,
        row.event_type,
        row.pk,
        row.attempts,
    )
    fields = {"claimed_at": None, "last_error": f"{type(exc).__name__}: {exc}"[:2000]}
    if row.attempts >= settings.EDEM_EVENT_MAX_ATTEMPTS:
        fields.update(status=EventDelivery.FAILED, next_attempt_at=None)
    else:
        wait = backoff(row.attempts)
        fields["next_attempt_at"] = claimed_at + wait
    EventDelivery.objects.filter(pk=row.pk, claimed_at=claimed_at).update(**fields)
    if fields.get("status") == EventDelivery.FAILED:
        return EventDelivery.FAILED
    _queue_retry(row.pk, wait)
    return EventDelivery.PENDING


# Publishing a retry must never hold up the request: if the broker does not answer, the sweep
# takes the row later, and this process does not ask the broker again for a while.
BROKER_PAUSE = 30  # seconds
_broker_paused_until = 0.0  # time.monotonic()


def _queue_retry(delivery_id, wait):
    global _broker_paused_until
    if time.monotonic() < _broker_paused_until:
        return False
    try:
        deliver_event.apply_async(
            (delivery_id,),
            countdown=wait.total_seconds(),
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_max": 0.2},
        )
    except Exception as exc:  # broker down: the sweep takes the row
        _broker_paused_until = time.monotonic() + BROKER_PAUSE
        logger.warning("Could not queue the retry of event row %s (%s).", delivery_id, exc)
        return False
    return True


def deliver_all(ids, now=None):
    """Deliver rows in order (after commit); a failure of one never stops the others."""
    for pk in ids:
        deliver(pk, now)


def pending_for_sweep(now=None):
    now = now or timezone.now()
    return list(
        EventDelivery.objects.filter(
            Q(next_attempt_at__isnull=True, created_at__lte=now - settings.EDEM_EVENT_SWEEP_AGE)
            | Q(next_attempt_at__lte=now),
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE),
            status=EventDelivery.PENDING,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def sweep(now=None):
    """Deliver what is still pending and due (every minute, from the beat). Returns how many
    rows it tried."""
    ids = pending_for_sweep(now)
    deliver_all(ids, now)
    return len(ids)


def retry(ids):
    """Put failed rows back to pending and deliver them after commit (an administrator's
    action). Returns how many."""
    with transaction.atomic():
        ids = list(
            EventDelivery.objects.filter(pk__in=ids, status=EventDelivery.FAILED).values_list(
                "pk", flat=True
            )
        )
        EventDelivery.objects.filter(pk__in=ids, status=EventDelivery.FAILED).update(
            status=EventDelivery.PENDING, attempts=0, next_attempt_at=None, claimed_at=None
        )
        transaction.on_commit(lambda: deliver_all(ids), robust=True)
    return len(ids)


# --- Celery entry points (here, beside the outbox they run; ``tasks.py`` names them) ---------


@shared_task(name="edem.core.tasks.deliver_event", acks_late=True, ignore_result=True)
def deliver_event(delivery_id):
    """Retry one outbox row (queued with a back-off after a failure)."""
    return deliver(delivery_id)


@shared_task(name="edem.core.tasks.sweep_events", ignore_result=True)
def sweep_events():
    """Every minute: deliver the rows still pending (see ``sweep``)."""
    return sweep()
