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

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cabinets.access import can


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


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset
    target: Status | None  # None: the state does not change
    who: str


def _a(name, label, sources, target, who):
    return Action(name, label, frozenset(sources), target, who)


ACTIONS = {
    a.name: a
    for a in (
        _a("edit", _("Edit the draft"), [Status.DRAFT], None, AUTHOR),
        _a(
            "submit",
            _("Send for moderation"),
            [Status.DRAFT],
            Status.MODERATION,
            AUTHOR,
        ),  # R23: the 2-working-day clock starts
        _a(
            "publish",
            pgettext_lazy("petition action", "Publish"),
            [Status.MODERATION],
            Status.COLLECTING,
            MODERATE,
        ),  # R23
        _a(
            "refuse",
            _("Refuse publication"),
            [Status.MODERATION],
            Status.REFUSED,
            MODERATE,
        ),  # R22, R23: with a cited ground
        _a(
            "invalidate",
            _("Invalidate signatures"),
            [Status.COLLECTING, Status.THRESHOLD_REACHED, Status.EXPIRED],
            None,
            MODERATE,
        ),  # abuse control
        _a(
            "reach_threshold",
            _("Threshold reached"),
            [Status.COLLECTING],
            Status.THRESHOLD_REACHED,
            SYSTEM,
        ),  # R24, R25
        _a(
            "reopen_collection",
            _("Back to collecting signatures"),
            [Status.THRESHOLD_REACHED],
            Status.COLLECTING,
            SYSTEM,
        ),  # after invalidation the count fell below the threshold
        _a(
            "expire",
            _("Collection period ended"),
            [Status.COLLECTING],
            Status.EXPIRED,
            SYSTEM,
        ),  # R24, R26
        _a(
            "start_consideration",
            _("Announce the consideration"),
            [Status.THRESHOLD_REACHED],
            Status.UNDER_CONSIDERATION,
            ANSWER,
        ),  # R25: within 3 working days of the threshold
        _a(
            "answer",
            _("Publish the answer"),
            [Status.UNDER_CONSIDERATION],
            Status.ANSWERED,
            ANSWER,
        ),  # R25: within 10 working days of the announcement
        _a(
            "to_appeal",
            _("Turn into an appeal"),
            [Status.EXPIRED],
            None,
            AUTHOR,
        ),  # R26
    )
}

SERVICE_ACTIONS = ("publish", "refuse", "start_consideration", "answer", "invalidate")


class TransitionNotAllowed(Exception):
    """A workflow guard failed; the message is translated and shown to the user."""


def refusal(petition, user, name):
    """Why ``user`` may not perform action ``name`` on ``petition`` now, or None if they may.
    ``user`` None stands for the system (the beat task, the signature count)."""
    action = ACTIONS.get(name)
    if action is None:
        return _("Unknown action.")
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
        if name == "to_appeal" and petition.appeal_id:
            return _("This petition has already been turned into an appeal.")
        return None
    if not can(user, action.who, petition.cabinet_id):
        return _("Your role in this cabinet does not allow this.")
    return None


def check(petition, user, name):
    """Raise ``TransitionNotAllowed`` unless ``user`` may perform ``name`` now."""
    reason = refusal(petition, user, name)
    if reason:
        raise TransitionNotAllowed(reason)
    return ACTIONS[name]


def available_actions(petition, user, names=None):
    """The actions ``user`` may perform on ``petition`` now, in table order."""
    return [
        action
        for name, action in ACTIONS.items()
        if (names is None or name in names) and refusal(petition, user, name) is None
    ]
