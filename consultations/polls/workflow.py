"""The poll lifecycle as data (R29): states, actions, which state each action leaves from and
goes to, and who may perform it. This is the one place that says what is allowed; services call
``check()``, views and templates ask ``available_actions()``.

DRAFT → MODERATION → SCHEDULED → ACTIVE → COMPLETED → RESULTS_PUBLISHED, or TERMINATED_EARLY
with a reason. A cabinet's own poll skips moderation (DRAFT → SCHEDULED); a proposal of an
advisory body, an NGO or a resident starts in MODERATION (R28) and is approved (→ SCHEDULED) or
refused with a reason (→ REFUSED). The portal itself starts and completes polls by date.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cabinets.access import can
from edem.core.workflow import Action, Workflow


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("poll status", "Draft")
    MODERATION = "moderation", pgettext_lazy("poll status", "In moderation")
    REFUSED = "refused", pgettext_lazy("poll status", "Refused at moderation")
    SCHEDULED = "scheduled", pgettext_lazy("poll status", "Scheduled")
    ACTIVE = "active", pgettext_lazy("poll status", "Voting open")
    COMPLETED = "completed", pgettext_lazy("poll status", "Completed")
    RESULTS_PUBLISHED = "results_published", pgettext_lazy("poll status", "Results published")
    TERMINATED_EARLY = "terminated_early", pgettext_lazy("poll status", "Terminated early")


# R29: questions, options and dates may change only before the poll opens.
EDITABLE_STATES = frozenset({Status.DRAFT, Status.MODERATION, Status.SCHEDULED})
# What the public sees: never drafts, proposals in moderation or refused proposals.
PUBLIC_STATES = frozenset(
    {
        Status.SCHEDULED,
        Status.ACTIVE,
        Status.COMPLETED,
        Status.RESULTS_PUBLISHED,
        Status.TERMINATED_EARLY,
    }
)
# The archive (R31): polls whose voting is over.
CLOSED_STATES = frozenset({Status.COMPLETED, Status.RESULTS_PUBLISHED, Status.TERMINATED_EARLY})

# Who performs an action: staff of the poll's cabinet with this permission, or the portal.
STAFF = "cabinets.publish"
SYSTEM = "system"


ACTIONS = {
    a.name: a
    for a in (
        Action(
            "edit",
            pgettext_lazy("poll action", "Edit the poll and its questions"),
            EDITABLE_STATES,
            None,
            STAFF,
        ),  # R29: frozen once ACTIVE
        Action(
            "schedule",
            pgettext_lazy("poll action", "Schedule"),
            [Status.DRAFT],
            Status.SCHEDULED,
            STAFF,
        ),
        Action(
            "approve",
            pgettext_lazy("poll action", "Approve the proposal"),
            [Status.MODERATION],
            Status.SCHEDULED,
            STAFF,
        ),  # R28
        Action(
            "refuse",
            pgettext_lazy("poll action", "Refuse the proposal"),
            [Status.MODERATION],
            Status.REFUSED,
            STAFF,
        ),  # R28
        Action(
            "start",
            pgettext_lazy("poll action", "Open voting"),
            [Status.SCHEDULED],
            Status.ACTIVE,
            SYSTEM,
        ),
        Action(
            "complete",
            pgettext_lazy("poll action", "Close voting"),
            [Status.ACTIVE],
            Status.COMPLETED,
            SYSTEM,
        ),
        Action(
            "terminate",
            pgettext_lazy("poll action", "Terminate early"),
            [Status.SCHEDULED, Status.ACTIVE],
            Status.TERMINATED_EARLY,
            STAFF,
        ),  # R29
        Action(
            "moderate_texts",
            pgettext_lazy("poll action", "Moderate free-text answers"),
            [Status.ACTIVE, Status.COMPLETED, Status.RESULTS_PUBLISHED, Status.TERMINATED_EARLY],
            None,
            STAFF,
        ),  # R31
        Action(
            "publish_results",
            pgettext_lazy("poll action", "Publish the results"),
            [Status.COMPLETED],
            Status.RESULTS_PUBLISHED,
            STAFF,
        ),  # R31
    )
}


def _rule(poll, user, action):
    if Status(poll.status) not in action.sources:
        if action.name == "edit" and poll.status == Status.ACTIVE:
            return _("Voting has started: the questions and dates can no longer change.")  # R29
        return _("This action is not possible while the poll is “%(status)s”.") % {
            "status": Status(poll.status).label
        }
    if action.who == SYSTEM:
        if user is not None:
            return _("The portal does this by date.")
        return None
    if user is None or not user.is_authenticated:
        return _("Sign in first.")
    if not can(user, action.who, poll.cabinet_id):
        return _("Only the staff of the responsible cabinet may do this.")
    return None


WORKFLOW = Workflow(ACTIONS, rule=_rule)


def refusal(poll, user, name):
    """Why ``user`` (None for the portal itself) may not perform ``name`` on ``poll`` now, or
    None if they may."""
    return WORKFLOW.refusal(poll, user, name)


def check(poll, user, name):
    """Raise ``TransitionNotAllowed`` unless ``user`` may perform ``name`` now; return the
    action."""
    return WORKFLOW.check(poll, user, name)


def available_actions(poll, user):
    """The actions ``user`` may perform on ``poll`` now, in table order."""
    return WORKFLOW.available_actions(poll, user)
