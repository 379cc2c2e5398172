"""The appeal workflow as data: states, actions, which state each action leaves from and goes
to, and who may perform it. This is the one place that says what is allowed; services call
``check()``, views and templates ask ``available_actions()``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cabinets.access import can
from edem.core.calendar import is_overdue
from edem.core.workflow import Action, Workflow

from .deadlines import deferral_window_closed

# R17: the kind of a request for information (``Appeal.Kind.INFORMATION_REQUEST``).
INFORMATION_REQUEST = "information_request"


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

# Who performs an action: a permission on the appeal's cabinet (``"cabinets.<perm>"``), or the
# appeal's author.
AUTHOR = "author"
# A flag: besides the permission, the user must be the (co-)executor of the appeal, or the head.
EXECUTOR_ONLY = "executor_only"


WORKING = (Status.REGISTERED, Status.IN_WORK, Status.ANSWER_DRAFTED, Status.REOPENED)

ACTIONS = {
    a.name: a
    for a in (
        Action(
            "register",
            pgettext_lazy("appeal action", "Register"),
            [Status.RECEIVED],
            Status.REGISTERED,
            "cabinets.register_appeal",
        ),  # R4
        Action(
            "forward",
            _("Forward to another body"),
            [Status.RECEIVED, Status.REGISTERED],
            Status.FORWARDED,
            "cabinets.register_appeal",
        ),  # R5
        Action(
            "return",
            _("Return with explanation"),
            [Status.RECEIVED, Status.REGISTERED],
            Status.RETURNED,
            "cabinets.sign_answer",
        ),  # R6
        Action(
            "assign",
            _("Assign an executor"),
            [Status.REGISTERED, Status.IN_WORK, Status.REOPENED],
            Status.IN_WORK,
            "cabinets.assign_appeal",
        ),
        Action("extend", _("Extend the deadline"), WORKING, None, "cabinets.extend_deadline"),  # R9
        Action(
            "request_documents",
            _("Request documents from another body"),
            WORKING,
            None,
            "cabinets.answer_appeal",
            flags={EXECUTOR_ONLY},
        ),  # R7
        Action(
            "defer",
            _("Defer the answer (with a notice)"),
            [Status.REGISTERED, Status.IN_WORK, Status.ANSWER_DRAFTED],
            None,
            "cabinets.extend_deadline",
        ),  # R17
        Action(
            "draft_answer",
            _("Draft the answer"),
            [Status.IN_WORK, Status.ANSWER_DRAFTED],
            Status.ANSWER_DRAFTED,
            "cabinets.answer_appeal",
            flags={EXECUTOR_ONLY},
        ),
        Action(
            "sign_answer",
            _("Sign and send the answer"),
            [Status.ANSWER_DRAFTED],
            Status.ANSWERED,
            "cabinets.sign_answer",
        ),  # R12
        Action(
            "close_no_merits",
            _("Close without an answer on the merits"),
            [Status.RECEIVED, *WORKING],
            Status.CLOSED_NO_MERITS,
            "cabinets.sign_answer",
        ),  # R11
        Action(
            "merge",
            _("Merge into an earlier appeal"),
            [Status.RECEIVED, Status.REGISTERED],
            Status.MERGED,
            "cabinets.assign_appeal",
        ),
        Action(
            "withdraw",
            _("Withdraw the appeal"),
            [Status.RECEIVED, *WORKING],
            Status.WITHDRAWN,
            AUTHOR,
        ),  # R10
        Action("reopen", _("Ask to reopen"), [Status.ANSWERED], Status.REOPENED, AUTHOR),
        Action(
            "reopen_by_head",
            _("Reopen the case"),
            [Status.ANSWERED],
            Status.REOPENED,
            "cabinets.sign_answer",
        ),  # a follower's "still not fixed" (issue #4), decided by the head
    )
}


# The main path of an open appeal: in each state, the first of these that leaves it for another
# state is the step that moves the appeal on (the card's "next step"). Side steps (extend,
# forward, return, merge, close without an answer) stay where the table puts them.
MAIN_PATH = ("register", "assign", "draft_answer", "sign_answer")

# What the author is told of each main-path step, and which deadline of the appeal it keeps.
CITIZEN_NEXT = {
    "register": (_("The authority registers your appeal."), "registration_due"),
    "assign": (_("The head of the authority assigns an official to prepare the answer."), "legal_due"),
    "draft_answer": (_("The official assigned to your appeal prepares the answer."), "legal_due"),
    "sign_answer": (_("The head of the authority signs the answer, and it is sent to you."), "legal_due"),
}  # fmt: skip


def next_step(status):
    """The action that moves an appeal in ``status`` on along the main path, or None (an answered
    or closed appeal has none)."""
    for name in MAIN_PATH:
        action = ACTIONS[name]
        if action.leaves_from(Status(status)) and action.target != status:
            return action
    return None


def _is_executor(appeal, user):
    if appeal.executor_id == user.pk:
        return True
    if getattr(appeal, "has_co_executors", True) is False:  # the card's query asked
        return False
    if "co_executors" in getattr(appeal, "_prefetched_objects_cache", {}):
        return any(person.pk == user.pk for person in appeal.co_executors.all())
    return appeal.co_executors.filter(pk=user.pk).exists()


# R6: the decisions on a complaint that neither the official nor the body complained about may
# take. The body may still pass the complaint on (forward) or, when no other body remains,
# return it with the explanation of the right to go to court; the official may do neither.
DECISIONS = frozenset(
    {"assign", "draft_answer", "sign_answer", "close_no_merits", "merge", "extend",
     "request_documents"}
)  # fmt: skip
OFFICIAL_DECISIONS = DECISIONS | {"forward", "return"}


def accused_refusal(appeal, user, name):
    """Why ``user`` may not take decision ``name`` on a complaint about them or their body (R6),
    or None."""
    if (
        appeal.respondent_official_id
        and user.pk == appeal.respondent_official_id
        and name in OFFICIAL_DECISIONS
    ):
        return _(
            "This complaint is about you: the official complained about may take no decision on it (59-FZ Art. 8(6))."
        )
    if (
        appeal.respondent_cabinet_id
        and appeal.respondent_cabinet_id == appeal.cabinet_id
        and name in DECISIONS
    ):
        return _(
            "This complaint is about this body: it may not decide on it; forward it to a competent body or, if there is none, return it with the explanation of the right to go to court (59-FZ Art. 8(6))."
        )
    return None


# R17: a request for information is not an appeal under the appeals law: no extension (R9),
# no Art. 11 outcomes (R11: its refusal is a reasoned answer), no return (R6), no merging and no
# reopening; only it is deferred.
APPEAL_ONLY = frozenset(
    {"extend", "close_no_merits", "return", "merge", "reopen", "reopen_by_head"}
)
INFORMATION_ONLY = frozenset({"defer"})


def kind_refusal(appeal, name):
    """Why action ``name`` does not apply to an appeal of this kind (R17), or None."""
    if appeal.kind == INFORMATION_REQUEST and name in APPEAL_ONLY:
        return _("This does not apply to a request for information: it is not an appeal.")
    if appeal.kind != INFORMATION_REQUEST and name in INFORMATION_ONLY:
        return _("Only the answer to a request for information is deferred.")
    if name == "defer" and appeal.original_due:  # once (ru 8-FZ Art. 18(6); ua art. 20(4))
        return _("The answer has already been deferred: it is deferred once.")
    if name == "defer" and appeal.deferral_due and is_overdue(appeal.deferral_due):
        return deferral_window_closed(appeal.deferral_due)
    return None


def _rule(appeal, user, action):
    if not action.leaves_from(Status(appeal.status)):
        return _("This action is not possible while the appeal is “%(status)s”.") % {
            "status": Status(appeal.status).label
        }
    refused = kind_refusal(appeal, action.name)  # R17
    if refused:
        return refused
    if not user or not user.is_authenticated:
        return _("Sign in first.")
    if action.who == AUTHOR:
        if appeal.author_id != user.pk:
            return _("Only the author of the appeal may do this.")
        return None
    if not can(user, action.who, appeal.cabinet_id):
        return _("Your role in this cabinet does not allow this.")
    if EXECUTOR_ONLY in action.flags and not (
        can(user, "cabinets.sign_answer", appeal.cabinet_id) or _is_executor(appeal, user)
    ):
        if action.name == "draft_answer":
            return _("Only the executor of this appeal or the head may draft its answer.")
        return _("Only the executor of this appeal or the head may do this.")
    return accused_refusal(appeal, user, action.name)  # R6


WORKFLOW = Workflow(ACTIONS, rule=_rule)


def refusal(appeal, user, name):
    """Why ``user`` may not perform action ``name`` on ``appeal`` now, or None if they may."""
    return WORKFLOW.refusal(appeal, user, name)


def check(appeal, user, name):
    """Raise ``TransitionNotAllowed`` unless ``user`` may perform ``name`` now; return the
    action."""
    return WORKFLOW.check(appeal, user, name)


def available_actions(appeal, user):
    """The actions ``user`` may perform on ``appeal`` now, in table order."""
    return WORKFLOW.available_actions(appeal, user)
