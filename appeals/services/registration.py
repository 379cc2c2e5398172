"""Routing, numbering and registration (R4, R5), assignment (R6), extension (R9), withdrawal (R10), reclassification (R1)."""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinets.access import can
from cabinets.selectors import has_receiving_staff, staffed_cabinets
from edem.core import calendar
from edem.core.i18n import in_every_language
from edem.core.jurisdiction import get_profile
from edem.core.locking import locked
from edem.core.workflow import TransitionNotAllowed

from .. import deadlines, workflow
from ..letters import new_tracking_code
from ..models import Appeal, CabinetAppealSettings, RegistrationSequence, RoutingRule
from ..validation import number_scheme
from ..workflow import Status
from ._common import notify_citizen, record

logger = logging.getLogger(__name__)


def route(*, category=None, territory=None):
    """The cabinet for (category, territory): the highest-priority rule whose category and
    territory match (an empty one matches any, a specific match beats a wildcard), else the
    category's default cabinet, else None (the municipality's default cabinet). A cabinet
    without an active head or registrar receives no routing: nobody would see the appeal."""
    rules = RoutingRule.objects.filter(cabinet__in=staffed_cabinets()).select_related("cabinet")
    best = None
    for rule in rules:
        if rule.category_id not in (None, getattr(category, "pk", None)):
            continue
        if rule.territory_id not in (None, getattr(territory, "pk", None)):
            continue
        score = (
            rule.priority,
            rule.category_id is not None,
            rule.territory_id is not None,
            -rule.pk,
        )
        if best is None or score > best[0]:
            best = (score, rule.cabinet)
    if best:
        return best[1]
    if (
        category is not None
        and category.default_cabinet_id
        and category.default_cabinet.is_active
        and has_receiving_staff(category.default_cabinet)
    ):
        return category.default_cabinet
    return None


DEFAULT_NUMBER_FORMAT = "{code}-{year}-{seq:06d}"
NEVER_RESTARTS = 0  # the ``year`` of a cabinet's counter that never restarts (R4)


def next_number(cabinet, when=None):
    """The next registration number of ``cabinet`` (R4), taken under a row lock, never reused.
    A format with the whole year counts per year; any other counts for ever, so the first
    number of a new year never repeats one of the last year. A number the cabinet already has
    (its format was changed) is skipped, and a format that could repeat numbers is not used:
    the default one is."""
    year = (when or timezone.localdate()).year
    settings, _created = CabinetAppealSettings.objects.get_or_create(cabinet=cabinet)
    number_format = settings.number_format
    try:
        scheme = number_scheme(number_format)
    except (ValueError, IndexError, KeyError):
        logger.error("Cabinet %s: number format %r is refused (R4)", cabinet.pk, number_format)
        number_format, scheme = DEFAULT_NUMBER_FORMAT, "year"
    counter = year if scheme == "year" else NEVER_RESTARTS
    RegistrationSequence.objects.get_or_create(cabinet=cabinet, year=counter)
    sequence = RegistrationSequence.objects.select_for_update().get(cabinet=cabinet, year=counter)
    while True:
        RegistrationSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
        sequence.refresh_from_db()
        number = number_format.format(code=cabinet.code.upper(), year=year, seq=sequence.last_value)
        if not Appeal.objects.filter(cabinet=cabinet, number=number).exists():
            return number


def set_receipt_deadlines(appeal):
    """On receipt: registration due in 3 days (R4); under a profile whose answer clock runs
    from receipt (R21), the answer deadline too."""
    profile = get_profile()
    received_on = calendar.local_date(appeal.received_at)
    if appeal.is_information_request:  # R17: its own clocks
        due = deadlines.information_registration_deadline(received_on, profile)
        appeal.registration_due, appeal.registration_control_due = due.legal_due, due.control_due
        _set_information_deadlines(appeal, received_on, None, profile)
        return
    due = deadlines.registration_deadline(received_on, profile)
    appeal.registration_due, appeal.registration_control_due = due.legal_due, due.control_due
    if profile.answer_clock_start == "receipt":
        due = deadlines.answer_deadline(received_on, received_on, profile, simple=appeal.simple)
        appeal.legal_due, appeal.control_due = due.legal_due, due.control_due


def _set_information_deadlines(appeal, received_on, registered_on, profile):
    """R17: the answer, forwarding and deferral-notice terms of a request for information, each
    with its legal and control date, once their clock runs (ru: from registration; ua: from
    receipt). It has no R11 notice term."""
    terms = deadlines.information_deadlines(received_on, registered_on, profile)
    if terms is None:
        return
    appeal.legal_due, appeal.control_due = terms.answer.legal_due, terms.answer.control_due
    appeal.forwarding_due = terms.forwarding.legal_due
    appeal.forwarding_control_due = terms.forwarding.control_due
    appeal.deferral_due = terms.deferral_notice.legal_due
    appeal.deferral_control_due = terms.deferral_notice.control_due
    appeal.notice_due = appeal.notice_control_due = None


@transaction.atomic
def register(*, appeal, actor, number=None):
    """Register an appeal (R4): number, registration date, and the deadlines that start from
    registration (forwarding R5, answer R8)."""
    appeal = locked(appeal)
    if actor is not None:
        workflow.check(appeal, actor, "register")
    elif appeal.status != Status.RECEIVED:
        raise TransitionNotAllowed(_("This appeal is already registered."))
    profile = get_profile()
    now = timezone.now()
    registered_on = calendar.local_date(now)
    received_on = calendar.local_date(appeal.received_at)
    appeal.number = number or next_number(appeal.cabinet, registered_on)
    appeal.tracking_code = appeal.tracking_code or new_tracking_code()
    appeal.registered_at = now
    if appeal.is_information_request:  # R17
        _set_information_deadlines(appeal, received_on, registered_on, profile)
    else:
        due = deadlines.forwarding_deadline(registered_on, profile)  # R5
        appeal.forwarding_due, appeal.forwarding_control_due = due.legal_due, due.control_due
        due = deadlines.notice_deadline(registered_on, profile)  # R11 parts 4, 4.1, 5.1
        appeal.notice_due, appeal.notice_control_due = due.legal_due, due.control_due
        due = deadlines.answer_deadline(received_on, registered_on, profile, simple=appeal.simple)
        appeal.legal_due, appeal.control_due = due.legal_due, due.control_due
    if appeal.classifier_id is None and appeal.category_id:  # R16: the category's code
        appeal.classifier_id = appeal.category.classifier_id
    previous, appeal.status = appeal.status, Status.REGISTERED
    appeal.save()
    record(appeal, actor=actor, action="register", from_status=previous, number=appeal.number)
    notify_citizen(
        appeal,
        "registered",
        due=appeal.legal_due.isoformat(),
        cabinet=in_every_language(appeal.cabinet, "name"),
        tracking_code=appeal.tracking_code,
    )  # R4: the citizen learns the number and the due date
    return appeal


@transaction.atomic
def assign(*, appeal, actor, executor, co_executors=()):
    """The head assigns an executor (and co-executors). A complaint is never assigned to the
    official it is about (R6)."""
    appeal = locked(appeal)
    workflow.check(appeal, actor, "assign")
    people = [executor, *co_executors]
    if appeal.respondent_official_id and any(p.pk == appeal.respondent_official_id for p in people):
        raise TransitionNotAllowed(
            _("A complaint cannot be assigned to the official it is about.")
        )  # R6
    for person in people:
        if not can(person, "cabinets.answer_appeal", appeal.cabinet_id):
            raise TransitionNotAllowed(
                _("%(name)s is not an executor of this cabinet.") % {"name": person}
            )
    previous, appeal.status = appeal.status, Status.IN_WORK
    appeal.executor = executor
    appeal.save()
    appeal.co_executors.set(co_executors)
    record(
        appeal,
        actor=actor,
        action="assign",
        from_status=previous,
        is_public=False,
        executor=executor.pk,
        co_executors=[p.pk for p in co_executors],
    )
    return appeal


@transaction.atomic
def extend(*, appeal, actor, days, reason, note):
    """Extend the answer deadline (R9): head only, a reason from the law, before the due date,
    within the profile's limits; the citizen is told the new date and why."""
    appeal = locked(appeal)
    workflow.check(appeal, actor, "extend")
    if reason not in ("exceptional", "external_request"):
        raise TransitionNotAllowed(_("Choose the reason for the extension the law allows."))
    if not note.strip():
        raise TransitionNotAllowed(_("Explain the extension: the citizen will read it."))
    if reason == "external_request" and not appeal.external_requests.exists():  # R9 + R7
        raise TransitionNotAllowed(_("No request for documents was sent for this appeal."))
    profile = get_profile()
    previous = list(appeal.events.filter(action="extend").values_list("data", flat=True))
    try:
        due = deadlines.extended_deadline(
            appeal.original_due or appeal.legal_due,
            days,
            calendar.local_date(appeal.received_at),
            profile,
            previous_extensions=len(previous),
            previous_extension_days=sum(d.get("days", 0) for d in previous),
            requested_on=timezone.localdate(),
        )
    except deadlines.DeadlineError as exc:
        raise TransitionNotAllowed(str(exc)) from exc
    appeal.original_due = appeal.original_due or appeal.legal_due
    old_due = appeal.legal_due
    appeal.legal_due, appeal.control_due = due.legal_due, due.control_due
    appeal.save()
    record(
        appeal,
        actor=actor,
        action="extend",
        from_status=appeal.status,
        note=note.strip(),
        days=days,
        reason=reason,
        old_due=old_due.isoformat(),
        new_due=due.legal_due.isoformat(),
    )
    notify_citizen(appeal, "extended", due=due.legal_due.isoformat(), reason=note.strip())  # R9
    return appeal


@transaction.atomic
def withdraw(*, appeal, actor, note=""):
    """The citizen asks to stop consideration (R10): possible from any open state."""
    appeal = locked(appeal)
    workflow.check(appeal, actor, "withdraw")
    previous, appeal.status = appeal.status, Status.WITHDRAWN
    appeal.closed_at = timezone.now()
    appeal.save()
    record(appeal, actor=actor, action="withdraw", from_status=previous, note=note)
    notify_citizen(appeal, "withdrawn")  # R10: a confirmation the citizen can keep
    return appeal


@transaction.atomic
def reclassify(*, appeal, actor, kind, note=""):
    """An officer corrects the kind of the appeal (R1); the change is logged."""
    appeal = locked(appeal)
    if not can(actor, "cabinets.register_appeal", appeal.cabinet_id):
        raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))
    if kind not in Appeal.Kind.values:
        raise TransitionNotAllowed(_("Unknown kind of appeal."))
    information = Appeal.Kind.INFORMATION_REQUEST
    crosses = (kind == information) != (appeal.kind == information)
    if crosses and appeal.status != Status.RECEIVED:  # R17: other law, other clocks
        raise TransitionNotAllowed(
            _(
                "A request for information and an appeal run under different laws and clocks: "
                "change the kind between them before registration only."
            )
        )
    old, appeal.kind = appeal.kind, kind
    if crosses:  # R17: the receipt clocks of the other kind
        appeal.legal_due = appeal.control_due = None
        appeal.forwarding_due = appeal.forwarding_control_due = None
        appeal.deferral_due = appeal.deferral_control_due = None
        set_receipt_deadlines(appeal)
    appeal.save()
    record(
        appeal,
        actor=actor,
        action="reclassify",
        from_status=appeal.status,
        note=note,
        old_kind=old,
        new_kind=kind,
    )
    return appeal
