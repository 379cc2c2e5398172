"""The lifecycle of a public discussion of a draft act (R29) as data: states, actions, which
state each action leaves from and goes to, and who may perform it. This is the one place that
says what is allowed; services call ``check()``, views and templates ask
``available_actions()``.

Who may *take part* (comment, propose a wording, support) is not decided here but by the shared
eligibility check (``consultations.eligibility``), which ``refusal()`` calls for the
participation actions (R30).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cabinets.access import can
from consultations.eligibility import refusal as eligibility_refusal
from edem.core.workflow import Action, Workflow


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("discussion status", "Draft")
    MODERATION = "moderation", pgettext_lazy("discussion status", "On moderation")
    REJECTED = "rejected", pgettext_lazy("discussion status", "Refused at moderation")
    SCHEDULED = "scheduled", pgettext_lazy("discussion status", "Scheduled")
    ACTIVE = "active", pgettext_lazy("discussion status", "Open for comments")
    COMPLETED = "completed", pgettext_lazy("discussion status", "Closed: proposals considered")
    RESULTS_PUBLISHED = "results_published", pgettext_lazy("discussion status", "Outcome published")
    TERMINATED_EARLY = "terminated_early", pgettext_lazy("discussion status", "Terminated early")


# The states the public sees (R29: a draft or a proposal on moderation is not public yet).
PUBLIC_STATES = frozenset(
    {
        Status.SCHEDULED,
        Status.ACTIVE,
        Status.COMPLETED,
        Status.RESULTS_PUBLISHED,
        Status.TERMINATED_EARLY,
    }
)
# R29: the text and the dates may change only before the discussion opens.
EDITABLE_STATES = frozenset({Status.DRAFT, Status.MODERATION, Status.SCHEDULED})
FINAL_STATES = frozenset({Status.RESULTS_PUBLISHED, Status.TERMINATED_EARLY, Status.REJECTED})


class TerminationReason(models.TextChoices):
    """R29: why a discussion may end before its time."""

    NO_LONGER_RELEVANT = "no_longer_relevant", _("The draft act is no longer relevant")
    TECHNICAL_ERROR = "technical_error", _("Technical error")


# Who performs an action (a tuple, any of): a permission on the discussion's cabinet
# ("cabinets.<perm>"), a portal-wide permission ("discussions.<perm>"), the initiator, any
# eligible participant, or the beat task (the calendar).
INITIATOR = "initiator"
PARTICIPANT = "participant"
SYSTEM = "system"


ACTIONS = {
    a.name: a
    for a in (
        Action(
            "edit",
            _("Edit the title, summary and dates"),
            EDITABLE_STATES,
            None,
            ("cabinets.publish", INITIATOR),
        ),  # R29: frozen once ACTIVE
        Action(
            "upload_version",
            _("Upload a new version of the text"),
            [*EDITABLE_STATES, Status.COMPLETED],
            None,
            ("cabinets.publish", INITIATOR),
        ),  # R29: never while ACTIVE; after the period the revised draft may follow
        Action(
            "submit",
            _("Send to moderation"),
            [Status.DRAFT],
            Status.MODERATION,
            ("cabinets.publish", INITIATOR),
        ),  # R28
        Action(
            "approve",
            _("Approve and schedule"),
            [Status.MODERATION],
            Status.SCHEDULED,
            ("cabinets.publish",),
        ),  # R28, R29
        Action(
            "reject",
            _("Refuse at moderation"),
            [Status.MODERATION],
            Status.REJECTED,
            ("cabinets.publish",),
        ),  # R28
        Action("start", _("Open the discussion"), [Status.SCHEDULED], Status.ACTIVE, (SYSTEM,)),
        Action("complete", _("Close the discussion"), [Status.ACTIVE], Status.COMPLETED, (SYSTEM,)),
        Action(
            "comment", _("Comment or propose a wording"), [Status.ACTIVE], None, (PARTICIPANT,)
        ),  # R27, R30
        Action("support", _("Support a proposal"), [Status.ACTIVE], None, (PARTICIPANT,)),  # R30
        Action(
            "moderate",
            _("Moderate comments"),
            [Status.ACTIVE, Status.COMPLETED, Status.RESULTS_PUBLISHED],
            None,
            ("cabinets.publish", "discussions.moderate_comment"),
        ),  # R31
        Action(
            "decide",
            _("Decide on comments and proposals"),
            [Status.COMPLETED],
            None,
            ("cabinets.answer_appeal",),
        ),  # R31
        Action(
            "publish_results",
            _("Publish the outcome"),
            [Status.COMPLETED],
            Status.RESULTS_PUBLISHED,
            ("cabinets.sign_answer",),
        ),  # R31
        Action(
            "attach_final",
            _("Attach the adopted text"),
            [Status.COMPLETED, Status.RESULTS_PUBLISHED],
            None,
            ("cabinets.sign_answer",),
        ),  # R31
        Action(
            "terminate",
            _("Terminate early"),
            [Status.SCHEDULED, Status.ACTIVE, Status.COMPLETED],
            Status.TERMINATED_EARLY,
            ("cabinets.sign_answer",),
        ),  # R29
    )
}

# Actions an official chooses from the discussion's card (each has its own form).
STAFF_TRANSITIONS = ("submit", "approve", "reject", "publish_results", "terminate")


def _rule(discussion, user, action):
    if Status(discussion.status) not in action.sources:
        return _("This is not possible while the discussion is “%(status)s”.") % {
            "status": Status(discussion.status).label
        }
    if SYSTEM in action.who:
        return None if user is None else _("This happens by the calendar, not by hand.")
    if PARTICIPANT in action.who:
        return eligibility_refusal(user, discussion)  # R30: the one shared check
    if user is None or not user.is_authenticated:
        return _("Sign in first.")
    for who in action.who:
        if who.startswith("cabinets.") and can(user, who, discussion.cabinet_id):
            return None  # a role in the responsible cabinet
        if who.startswith("discussions.") and user.has_perm(who):
            return None  # a portal-wide moderator (the admin's moderation queue)
    # R28: a resident who proposed a discussion may shape it only while it is their draft.
    if (
        INITIATOR in action.who
        and discussion.initiator_id == user.pk
        and discussion.status == Status.DRAFT
    ):
        return None
    return _("Your role in the responsible cabinet does not allow this.")


WORKFLOW = Workflow(ACTIONS, rule=_rule)


def refusal(discussion, user, name):
    """Why ``user`` may not perform action ``name`` on ``discussion`` now, or None if they may.
    ``user`` None stands for the calendar (the beat task)."""
    return WORKFLOW.refusal(discussion, user, name)


def check(discussion, user, name):
    """Raise ``TransitionNotAllowed`` unless ``user`` may perform ``name`` now; return the
    action."""
    return WORKFLOW.check(discussion, user, name)


def available_actions(discussion, user, names=None):
    """The actions ``user`` may perform on ``discussion`` now, in table order."""
    return WORKFLOW.available_actions(discussion, user, names)


# History lines that are not actions of the table.
EVENT_LABELS = {
    "create": _("Created"),
    "propose": _("Proposed by a resident"),
    "version": _("New version of the text"),
    "hide_comment": _("Comment hidden"),
    "restore_comment": _("Comment shown again"),
}


def event_label(action):
    if action in ACTIONS:
        return ACTIONS[action].label
    return EVENT_LABELS.get(action, action)


def status_label(value):
    return Status(value).label if value in Status.values else value
