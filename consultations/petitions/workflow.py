"""The petition workflow as data (R23, R25, R26): states, actions, which state each action
leaves from and goes to, and who may perform it. This is the one place that says what is
allowed; services call ``check()``, views and templates ask ``available_actions()``.

    DRAFT → MODERATION → REFUSED (a cited ground, R23)
                       → COLLECTING → THRESHOLD_REACHED → UNDER_CONSIDERATION → ANSWERED
                                    → EXPIRED (missed the threshold, R26)

Moderators (who may publish news and announcements in the cabinet: head and registrar) check
petitions against the rules and invalidate abusive signatures; the head (who signs answers)
announces the consideration and answers (R25).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cabinets.access import can
from edem.core.workflow import Action, Workflow


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("petition status", "Draft")
    MODERATION = "moderation", pgettext_lazy("petition status", "On moderation")
    REFUSED = "refused", pgettext_lazy("petition status", "Refused")
    COLLECTING = "collecting", pgettext_lazy("petition status", "Collecting signatures")
    THRESHOLD_REACHED = "threshold_reached", pgettext_lazy("petition status", "Threshold reached")
    UNDER_CONSIDERATION = (
        "under_consideration",
        pgettext_lazy("petition status", "Under consideration"),
    )
    ANSWERED = "answered", pgettext_lazy("petition status", "Answered")
    EXPIRED = "expired", pgettext_lazy("petition status", "Not enough signatures")


# What the public sees (lists, detail pages): everything that was ever published.
PUBLIC_STATES = frozenset(
    {
        Status.COLLECTING,
        Status.THRESHOLD_REACHED,
        Status.UNDER_CONSIDERATION,
        Status.ANSWERED,
        Status.EXPIRED,
    }
)

# Who performs an action: a permission on the petition's cabinet, the author, or the system
# (the beat task and the signature count; never offered to a person).
AUTHOR = "author"
SYSTEM = "system"
MODERATE = "cabinets.publish"  # head and registrar (cabinets/roles.py)
ANSWER = "cabinets.sign_answer"  # head only


ACTIONS = {
    a.name: a
    for a in (
        Action("edit", _("Edit the draft"), [Status.DRAFT], None, AUTHOR),
        Action(
            "submit", _("Send for moderation"), [Status.DRAFT], Status.MODERATION, AUTHOR
        ),  # R23: the 2-working-day clock starts
        Action(
            "publish",
            pgettext_lazy("petition action", "Publish"),
            [Status.MODERATION],
            Status.COLLECTING,
            MODERATE,
        ),  # R23
        Action(
            "refuse", _("Refuse publication"), [Status.MODERATION], Status.REFUSED, MODERATE
        ),  # R22, R23: with a cited ground
        Action(
            "invalidate",
            _("Invalidate signatures"),
            [Status.COLLECTING, Status.THRESHOLD_REACHED, Status.EXPIRED],
            None,
            MODERATE,
        ),  # abuse control
        Action(
            "reach_threshold",
            _("Threshold reached"),
            [Status.COLLECTING],
            Status.THRESHOLD_REACHED,
            SYSTEM,
        ),  # R24, R25
        Action(
            "reopen_collection",
            _("Back to collecting signatures"),
            [Status.THRESHOLD_REACHED],
            Status.COLLECTING,
            SYSTEM,
        ),  # after invalidation the count fell below the threshold
        Action(
            "expire", _("Collection period ended"), [Status.COLLECTING], Status.EXPIRED, SYSTEM
        ),  # R24, R26
        Action(
            "start_consideration",
            _("Announce the consideration"),
            [Status.THRESHOLD_REACHED],
            Status.UNDER_CONSIDERATION,
            ANSWER,
        ),  # R25: within 3 working days of the threshold
        Action(
            "answer", _("Publish the answer"), [Status.UNDER_CONSIDERATION], Status.ANSWERED, ANSWER
        ),  # R25: within 10 working days of the announcement
        Action("to_appeal", _("Turn into an appeal"), [Status.EXPIRED], None, AUTHOR),  # R26
    )
}

SERVICE_ACTIONS = ("publish", "refuse", "start_consideration", "answer", "invalidate")


def _rule(petition, user, action):
    if Status(petition.status) not in action.sources:
        return _("This action is not possible while the petition is “%(status)s”.") % {
            "status": Status(petition.status).label
        }
    if action.who == SYSTEM:
        return None if user is None else _("This happens by itself; nobody performs it.")
    if user is None or not user.is_authenticated:
        return _("Sign in first.")
    if action.who == AUTHOR:
        if petition.author_id != user.pk:
            return _("Only the author of the petition may do this.")
        if action.name == "to_appeal" and petition.appeal_id:
            return _("This petition has already been turned into an appeal.")
        return None
    if not can(user, action.who, petition.cabinet_id):
        return _("Your role in this cabinet does not allow this.")
    return None


WORKFLOW = Workflow(ACTIONS, rule=_rule)


def refusal(petition, user, name):
    """Why ``user`` may not perform action ``name`` on ``petition`` now, or None if they may.
    ``user`` None stands for the system (the beat task, the signature count)."""
    return WORKFLOW.refusal(petition, user, name)


def check(petition, user, name):
    """Raise ``TransitionNotAllowed`` unless ``user`` may perform ``name`` now; return the
    action."""
    return WORKFLOW.check(petition, user, name)


def available_actions(petition, user, names=None):
    """The actions ``user`` may perform on ``petition`` now, in table order."""
    return WORKFLOW.available_actions(petition, user, names)
