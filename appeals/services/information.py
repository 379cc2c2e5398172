"""Requests for information (R17): the deferral of the answer with its notice. Their intake,
registration, forwarding and answer are the appeals' use cases, which read the kind for the
clocks (``registration._set_information_deadlines``) and the answer's content
(``answers.draft_answer``)."""

from django.db import transaction
from django.utils.translation import gettext as _

from edem.core import calendar
from edem.core.jurisdiction import get_profile
from edem.core.locking import locked
from edem.core.workflow import TransitionNotAllowed

from .. import deadlines, workflow
from ._common import notify_citizen, record


@transaction.atomic
def defer_information(*, appeal, actor, days, ground, note):
    """R17: defer the answer to a request for information, once, by at most the profile's limit
    (ru 8-FZ Art. 18(6): 15 days, notified within 7 days of registration; ua art. 20(4): up to
    20 working days in all, notified within 5 working days of receipt). The requester is told
    the reason and the new date by mail; the history keeps both."""
    appeal = locked(appeal)
    workflow.check(appeal, actor, "defer")
    profile = get_profile()
    rules = profile.information_requests
    if ground not in rules.deferral_ground_codes:
        raise TransitionNotAllowed(_("Choose the ground for the deferral the law allows."))
    if not note.strip():
        raise TransitionNotAllowed(
            _("Give the reason for the deferral: the requester will read it.")
        )
    received_on = calendar.local_date(appeal.received_at)
    registered_on = calendar.local_date(appeal.registered_at) if appeal.registered_at else None
    try:
        due = deadlines.information_deferred_deadline(
            received_on,
            registered_on,
            days,
            profile,
            # The body that holds the request defers at most once; one that receives it by
            # forwarding runs its own clocks (``forward`` clears ``original_due``).
            previous_deferrals=1 if appeal.original_due else 0,
            requested_on=calendar.local_date(),
        )
    except deadlines.DeadlineError as exc:
        raise TransitionNotAllowed(str(exc)) from exc
    old_due = appeal.legal_due
    appeal.original_due = appeal.original_due or old_due
    appeal.legal_due, appeal.control_due = due.legal_due, due.control_due
    appeal.save()
    record(
        appeal,
        actor=actor,
        action="defer",
        from_status=appeal.status,
        note=note.strip(),
        days=days,
        ground=ground,
        working_days=rules.working_days,
        old_due=old_due.isoformat() if old_due else "",
        new_due=due.legal_due.isoformat(),
    )
    notify_citizen(
        appeal,
        "deferred",
        due=due.legal_due.isoformat(),
        reason=note.strip(),
    )  # R17: the deferral notice
    return appeal
