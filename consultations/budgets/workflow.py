"""The participatory budget as data: the phases of a cycle (R32), the states of a project
(R33, R34, R36), and ONE table of actions that says from which state (and in which phase) each
action may be taken, and by whom. Services call ``check()``; views and templates ask
``available_actions()`` / ``refusal()``; nothing else decides what is allowed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cabinets.access import roles_in
from cabinets.roles import Role
from edem.core.workflow import Action, Workflow


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
# A flag: only while the cycle's parameters are not yet approved (R32).
BEFORE_APPROVAL = "before_approval"

P, S = Phase, ProjectStatus

# An action's ``phases`` are the phases the cycle must be in; its ``sources`` the statuses the
# project must have (None: an action on the cycle itself).

ACTIONS = {
    a.name: a
    for a in (
        # --- the cycle -----------------------------------------------------------------------
        Action(
            "edit_cycle",
            _("Edit the parameters"),
            None,
            None,
            MANAGERS,
            phases=[P.PARAMETERS],
            flags={BEFORE_APPROVAL},
        ),  # R32
        Action(
            "approve_parameters",
            _("Approve the parameters and announce the cycle"),
            None,
            None,
            MANAGERS,
            phases=[P.PARAMETERS],
            flags={BEFORE_APPROVAL},
        ),  # R32
        Action(
            "enter_paper_votes", _("Enter paper ballots"), None, None, MANAGERS, phases=[P.VOTING]
        ),  # R35
        Action(
            "publish_results",
            _("Publish the results"),
            None,
            P.WINNERS_PUBLISHED,
            MANAGERS,
            phases=[P.COUNT],
        ),  # R36
        # --- a project -----------------------------------------------------------------------
        Action(
            "edit",
            _("Edit the project"),
            [S.SUBMITTED, S.RETURNED],
            S.SUBMITTED,
            AUTHOR,
            phases=[P.SUBMISSION],
        ),  # R33
        Action(
            "revise",
            _("Change and submit again"),
            [S.RETURNED],
            S.SUBMITTED,
            AUTHOR,
            phases=[P.REVIEW],
        ),  # R34: a project returned for changes is changed and submitted again
        Action("support", _("Support"), [S.SUBMITTED], None, RESIDENT, phases=[P.SUPPORT]),  # R32
        Action(
            "accept",
            _("Admit to the vote"),
            [S.SUBMITTED, S.APPEALED],
            S.ACCEPTED,
            REVIEWERS,
            phases=[P.REVIEW],
        ),  # R34
        Action(
            "return",
            _("Return for changes"),
            [S.SUBMITTED],
            S.RETURNED,
            REVIEWERS,
            phases=[P.REVIEW],
        ),  # R34
        Action(
            "reject",
            _("Reject"),
            [S.SUBMITTED, S.APPEALED],
            S.REJECTED,
            REVIEWERS,
            phases=[P.REVIEW],
        ),  # R34
        Action(
            "appeal", _("Appeal the rejection"), [S.REJECTED], S.APPEALED, AUTHOR, phases=[P.REVIEW]
        ),  # R34
        Action("vote", _("Vote"), [S.ACCEPTED], None, RESIDENT, phases=[P.VOTING]),  # R35
        Action(
            "post_update",
            _("Post an implementation update"),
            [S.SELECTED],
            None,
            MANAGERS,
            phases=[P.WINNERS_PUBLISHED, P.IMPLEMENTATION],
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


def is_staff_of(user, cycle):
    return bool(roles_in(user, cycle.cabinet_id))


def _rule(cycle, user, action, project=None, today=None):
    phase = cycle.phase(today)
    if phase not in action.phases:
        return _("This is not possible while the cycle is in the phase “%(phase)s”.") % {
            "phase": Phase(phase).label
        }
    if BEFORE_APPROVAL in action.flags and cycle.is_announced:
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


WORKFLOW = Workflow(ACTIONS, rule=_rule)


def refusal(cycle, user, name, project=None, today=None):
    """Why ``user`` may not perform ``name`` now (on ``project`` of ``cycle``), or None."""
    return WORKFLOW.refusal(cycle, user, name, project=project, today=today)


def check(cycle, user, name, project=None, today=None):
    return WORKFLOW.check(cycle, user, name, project=project, today=today)


def available_actions(cycle, user, project=None, today=None):
    """Names of the actions ``user`` may take now, for a project (when given) or the cycle."""
    names = [
        name for name, action in ACTIONS.items() if (action.sources is None) == (project is None)
    ]
    return WORKFLOW.available_actions(cycle, user, names, project=project, today=today).names
