"""The participatory budget as data: the phases of a cycle (R32), the states of a project
(R33, R34, R36), and ONE table of actions that says from which state (and in which phase) each
action may be taken, and by whom. Services call ``check()``; views and templates ask
``available_actions()`` / ``refusal()``; nothing else decides what is allowed.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cabinets.access import roles_in
from cabinets.roles import Role


class Phase(models.TextChoices):
    """R32: PARAMETERS → SUBMISSION → optional SUPPORT → REVIEW → VOTING → COUNT →
    WINNERS_PUBLISHED → IMPLEMENTATION. The order of the members is the order of the cycle."""

    PARAMETERS = "parameters", pgettext_lazy("budget phase", "Parameters")
    SUBMISSION = "submission", pgettext_lazy("budget phase", "Submission of projects")
    SUPPORT = "support", pgettext_lazy("budget phase", "Collecting support")
    REVIEW = "review", pgettext_lazy("budget phase", "Review")
    VOTING = "voting", pgettext_lazy("budget phase", "Voting")
    COUNT = "count", pgettext_lazy("budget phase", "Counting the votes")
    WINNERS_PUBLISHED = "winners_published", pgettext_lazy("budget phase", "Winners published")
    IMPLEMENTATION = "implementation", pgettext_lazy("budget phase", "Implementation")


PHASE_ORDER = list(Phase)


def phase_index(phase):
    return PHASE_ORDER.index(Phase(phase))


class ProjectStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("budget project status", "Submitted")
    RETURNED = "returned", pgettext_lazy("budget project status", "Returned for changes")
    NOT_SUPPORTED = "not_supported", pgettext_lazy("budget project status", "Not enough support")
    ACCEPTED = "accepted", pgettext_lazy("budget project status", "Admitted to the vote")
    REJECTED = "rejected", pgettext_lazy("budget project status", "Rejected")
    APPEALED = "appealed", pgettext_lazy("budget project status", "Rejection appealed")
    SELECTED = "selected", pgettext_lazy("budget project status", "Winner")
    NOT_SELECTED = "not_selected", pgettext_lazy("budget project status", "Not selected")


# Projects that take part in the vote (R35) and whose counts are published (R36).
ON_BALLOT = frozenset({ProjectStatus.ACCEPTED, ProjectStatus.SELECTED, ProjectStatus.NOT_SELECTED})


class ImplementationStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("budget implementation", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("budget implementation", "In progress")
    COMPLETED = "completed", pgettext_lazy("budget implementation", "Completed")
    SUSPENDED = "suspended", pgettext_lazy("budget implementation", "Suspended")
    CANCELLED = "cancelled", pgettext_lazy("budget implementation", "Cancelled")


# Who: roles in the cycle's cabinet, or the project's author, or any eligible resident.
MANAGERS = frozenset({Role.HEAD, Role.REGISTRAR})
REVIEWERS = frozenset({Role.HEAD, Role.REGISTRAR, Role.EXECUTOR})
STAFF = frozenset(Role)
AUTHOR = "author"
RESIDENT = "resident"


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    phases: frozenset  # the cycle must be in one of these phases
    sources: frozenset | None  # the project's status must be one of these (None: a cycle action)
    target: str | None  # the project's (or the cycle's) new state; None: unchanged
    who: object  # a frozenset of cabinet roles, AUTHOR or RESIDENT
    before_approval: bool = False  # only while the parameters are not yet approved (R32)


def _a(name, label, phases, sources, target, who, **kw):
    return Action(
        name,
        label,
        frozenset(phases),
        None if sources is None else frozenset(sources),
        target,
        who,
        **kw,
    )


P, S = Phase, ProjectStatus

ACTIONS = {
    a.name: a
    for a in (
        # --- the cycle -----------------------------------------------------------------------
        _a(
            "edit_cycle",
            _("Edit the parameters"),
            [P.PARAMETERS],
            None,
            None,
            MANAGERS,
            before_approval=True,
        ),  # R32
        _a(
            "approve_parameters",
            _("Approve the parameters and announce the cycle"),
            [P.PARAMETERS],
            None,
            None,
            MANAGERS,
            before_approval=True,
        ),  # R32
        _a("enter_paper_votes", _("Enter paper ballots"), [P.VOTING], None, None, MANAGERS),  # R35
        _a(
            "publish_results",
            _("Publish the results"),
            [P.COUNT],
            None,
            P.WINNERS_PUBLISHED,
            MANAGERS,
        ),  # R36
        # --- a project -----------------------------------------------------------------------
        _a(
            "edit",
            _("Edit the project"),
            [P.SUBMISSION],
            [S.SUBMITTED, S.RETURNED],
            S.SUBMITTED,
            AUTHOR,
        ),  # R33
        _a(
            "revise",
            _("Change and submit again"),
            [P.REVIEW],
            [S.RETURNED],
            S.SUBMITTED,
            AUTHOR,
        ),  # R34: a project returned for changes is changed and submitted again
        _a("support", _("Support"), [P.SUPPORT], [S.SUBMITTED], None, RESIDENT),  # R32
        _a(
            "accept",
            _("Admit to the vote"),
            [P.REVIEW],
            [S.SUBMITTED, S.APPEALED],
            S.ACCEPTED,
            REVIEWERS,
        ),  # R34
        _a(
            "return", _("Return for changes"), [P.REVIEW], [S.SUBMITTED], S.RETURNED, REVIEWERS
        ),  # R34
        _a(
            "reject", _("Reject"), [P.REVIEW], [S.SUBMITTED, S.APPEALED], S.REJECTED, REVIEWERS
        ),  # R34
        _a(
            "appeal", _("Appeal the rejection"), [P.REVIEW], [S.REJECTED], S.APPEALED, AUTHOR
        ),  # R34
        _a("vote", _("Vote"), [P.VOTING], [S.ACCEPTED], None, RESIDENT),  # R35
        _a(
            "post_update",
            _("Post an implementation update"),
            [P.WINNERS_PUBLISHED, P.IMPLEMENTATION],
            [S.SELECTED],
            None,
            MANAGERS,
        ),
    )
}

# The phase transitions of a cycle (R32): (from, to, what triggers it). The beat task takes the
# "date" ones when their date has come; "date or official" ones also by an official's action.
TRANSITIONS = (
    (P.PARAMETERS, P.SUBMISSION, "date"),  # once the parameters are approved
    (P.SUBMISSION, P.SUPPORT, "date"),  # only when the cycle has a SUPPORT phase
    (P.SUBMISSION, P.REVIEW, "date"),
    (P.SUPPORT, P.REVIEW, "date"),  # projects under the threshold drop out
    (P.REVIEW, P.VOTING, "date"),  # numbers are drawn by lot for admitted projects (R34)
    (P.VOTING, P.COUNT, "date"),  # ballots are locked (R35)
    (P.COUNT, P.WINNERS_PUBLISHED, "date or official"),  # winners computed (R36)
    (P.WINNERS_PUBLISHED, P.IMPLEMENTATION, "date or official"),
)


def next_phase(cycle):
    """The phase after the cycle's stored one (R32), skipping SUPPORT when it has none."""
    current = Phase(cycle.status)
    for source, target, _trigger in TRANSITIONS:
        if source != current:
            continue
        if target == Phase.SUPPORT and not cycle.has_support_phase:
            continue
        return target
    return None


class TransitionNotAllowed(Exception):
    """A workflow guard failed; the message is translated and shown to the user."""


def is_staff_of(user, cycle):
    return bool(roles_in(user, cycle.cabinet_id))


def refusal(cycle, user, name, project=None, today=None):
    """Why ``user`` may not perform ``name`` now (on ``project`` of ``cycle``), or None."""
    action = ACTIONS.get(name)
    if action is None:
        return _("Unknown action.")
    phase = cycle.phase(today)
    if phase not in action.phases:
        return _("This is not possible while the cycle is in the phase “%(phase)s”.") % {
            "phase": Phase(phase).label
        }
    if action.before_approval and cycle.is_announced:
        return _("The parameters are approved and can no longer be changed.")
    if action.sources is not None:
        if project is None:
            return _("Unknown action.")
        if ProjectStatus(project.status) not in action.sources:
            return _("This is not possible while the project is “%(status)s”.") % {
                "status": ProjectStatus(project.status).label
            }
    if not user or not user.is_authenticated:
        return _("Sign in first.")
    if action.who == AUTHOR:
        if project.author_id != user.pk:
            return _("Only the author of the project may do this.")
        return None
    if action.who == RESIDENT:
        return None  # eligibility (R35) is checked by consultations.eligibility in the service
    if not roles_in(user, cycle.cabinet_id) & set(action.who):
        return _("Your role in this cabinet does not allow this.")
    return None


def check(cycle, user, name, project=None, today=None):
    reason = refusal(cycle, user, name, project, today)
    if reason:
        raise TransitionNotAllowed(reason)
    return ACTIONS[name]


def available_actions(cycle, user, project=None, today=None):
    """Names of the actions ``user`` may take now, for a project (when given) or the cycle."""
    return [
        name
        for name, action in ACTIONS.items()
        if (action.sources is None) == (project is None)
        and refusal(cycle, user, name, project, today) is None
    ]
