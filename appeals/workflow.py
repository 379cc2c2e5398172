"""The appeal workflow as data: states, actions, which state each action leaves from and goes
to, and who may perform it. This is the one place that says what is allowed; services call
``check()``, views and templates ask ``available_actions()``.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cabinets.access import can


class Status(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("appeal status", "Received")
    REGISTERED = "registered", pgettext_lazy("appeal status", "Registered")
    IN_WORK = "in_work", pgettext_lazy("appeal status", "In work")
    ANSWER_DRAFTED = "answer_drafted", pgettext_lazy("appeal status", "Answer drafted")
    REOPENED = "reopened", pgettext_lazy("appeal status", "Reopened")
    ANSWERED = "answered", pgettext_lazy("appeal status", "Answered")
    FORWARDED = "forwarded", pgettext_lazy("appeal status", "Forwarded to another body")
    RETURNED = "returned", pgettext_lazy("appeal status", "Returned with explanation")
    CLOSED_NO_MERITS = (
        "closed_no_merits",
        pgettext_lazy("appeal status", "Closed without an answer on the merits"),
    )
    WITHDRAWN = "withdrawn", pgettext_lazy("appeal status", "Withdrawn")
    MERGED = "merged", pgettext_lazy("appeal status", "Merged into another appeal")

    @property
    def is_open(self):
        """The cabinet still owes something: the deadline clock runs."""
        return self in OPEN_STATES


OPEN_STATES = frozenset(
    {Status.RECEIVED, Status.REGISTERED, Status.IN_WORK, Status.ANSWER_DRAFTED, Status.REOPENED}
)
FINAL_STATES = frozenset(Status) - OPEN_STATES - {Status.ANSWERED}

# Who performs an action: a permission on the appeal's cabinet, or the appeal's author.
AUTHOR = "author"


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset
    target: Status | None  # None: the state does not change (e.g. extend, re-assign)
    who: str  # "cabinets.<perm>" on the appeal's cabinet, or AUTHOR
    executor_only: bool = False  # besides the permission, the user must be (co-)executor


def _a(name, label, sources, target, who, **kw):
    return Action(name, label, frozenset(sources), target, who, **kw)


WORKING = (Status.REGISTERED, Status.IN_WORK, Status.ANSWER_DRAFTED, Status.REOPENED)

ACTIONS = {
    a.name: a
    for a in (
        _a(
            "register",
            pgettext_lazy("appeal action", "Register"),
            [Status.RECEIVED],
            Status.REGISTERED,
            "cabinets.register_appeal",
        ),  # R4
        _a(
            "forward",
            _("Forward to another body"),
            [Status.RECEIVED, Status.REGISTERED],
            Status.FORWARDED,
            "cabinets.register_appeal",
        ),  # R5
        _a(
            "return",
            _("Return with explanation"),
            [Status.RECEIVED, Status.REGISTERED],
            Status.RETURNED,
            "cabinets.sign_answer",
        ),  # R6
        _a(
            "assign",
            _("Assign an executor"),
            [Status.REGISTERED, Status.IN_WORK, Status.REOPENED],
            Status.IN_WORK,
            "cabinets.assign_appeal",
        ),
        _a("extend", _("Extend the deadline"), WORKING, None, "cabinets.extend_deadline"),  # R9
        _a(
            "draft_answer",
            _("Draft the answer"),
            [Status.IN_WORK, Status.ANSWER_DRAFTED],
            Status.ANSWER_DRAFTED,
            "cabinets.answer_appeal",
            executor_only=True,
        ),
        _a(
            "sign_answer",
            _("Sign and send the answer"),
            [Status.ANSWER_DRAFTED],
            Status.ANSWERED,
            "cabinets.sign_answer",
        ),  # R12
        _a(
            "close_no_merits",
            _("Close without an answer on the merits"),
            [Status.RECEIVED, *WORKING],
            Status.CLOSED_NO_MERITS,
            "cabinets.sign_answer",
        ),  # R11
        _a(
            "merge",
            _("Merge into an earlier appeal"),
            [Status.RECEIVED, Status.REGISTERED],
            Status.MERGED,
            "cabinets.assign_appeal",
        ),
        _a(
            "withdraw",
            _("Withdraw the appeal"),
            [Status.RECEIVED, *WORKING],
            Status.WITHDRAWN,
            AUTHOR,
        ),  # R10
        _a("reopen", _("Ask to reopen"), [Status.ANSWERED], Status.REOPENED, AUTHOR),
        _a(
            "reopen_by_head",
            _("Reopen the case"),
            [Status.ANSWERED],
            Status.REOPENED,
            "cabinets.sign_answer",
        ),  # a follower's "still not fixed" (issue #4), decided by the head
    )
}


class TransitionNotAllowed(Exception):
    """A workflow guard failed; the message is translated and shown to the user."""


def _is_executor(appeal, user):
    return appeal.executor_id == user.pk or appeal.co_executors.filter(pk=user.pk).exists()


def refusal(appeal, user, name):
    """Why ``user`` may not perform action ``name`` on ``appeal`` now, or None if they may."""
    action = ACTIONS.get(name)
    if action is None:
        return _("Unknown action.")
    if Status(appeal.status) not in action.sources:
        return _("This action is not possible while the appeal is “%(status)s”.") % {
            "status": Status(appeal.status).label
        }
    if not user or not user.is_authenticated:
        return _("Sign in first.")
    if action.who == AUTHOR:
        if appeal.author_id != user.pk:
            return _("Only the author of the appeal may do this.")
        return None
    if not can(user, action.who, appeal.cabinet_id):
        return _("Your role in this cabinet does not allow this.")
    if action.executor_only and not (
        _is_executor(appeal, user) or can(user, "cabinets.sign_answer", appeal.cabinet_id)
    ):
        return _("Only the executor of this appeal or the head may draft its answer.")
    return None


def check(appeal, user, name):
    """Raise ``TransitionNotAllowed`` unless ``user`` may perform ``name`` now; return the
    action."""
    reason = refusal(appeal, user, name)
    if reason:
        raise TransitionNotAllowed(reason)
    return ACTIONS[name]


def available_actions(appeal, user):
    """The actions ``user`` may perform on ``appeal`` now, in table order."""
    return [action for name, action in ACTIONS.items() if refusal(appeal, user, name) is None]
