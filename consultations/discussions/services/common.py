"""What the discussion use cases share: the initiator rules (R28), the history line with its
domain event, the state move, and the notices."""

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from consultations.eligibility import refusal
from edem.accounts.models import User
from edem.core.i18n import in_every_language
from edem.core.recording import consultation_changed
from edem.core.recording import record as record_history
from edem.notifications.services import notify

from .. import workflow
from ..models import (
    Comment,
    Support,
)


@dataclass(frozen=True)
class InitiatorRules:
    """R28: who may propose a discussion, read by the shared eligibility check. Set by
    ``EDEM_DISCUSSION_INITIATOR_VERIFICATION`` (default: a verified resident) and
    ``EDEM_DISCUSSION_INITIATOR_MIN_AGE`` (default: none)."""

    eligible_verification: str
    eligible_territory = None
    eligible_territory_id = None
    min_age: int | None = None


def _initiator_rules():
    return InitiatorRules(
        eligible_verification=getattr(
            settings, "EDEM_DISCUSSION_INITIATOR_VERIFICATION", "resident"
        ),
        min_age=getattr(settings, "EDEM_DISCUSSION_INITIATOR_MIN_AGE", None),
    )


def initiation_refusal(user):
    """Why ``user`` may not propose a discussion (R28), or None."""
    return refusal(user, _initiator_rules())


# The discussion's history line with its domain event (``ConsultationChanged``).
record = partial(record_history, event=consultation_changed)


def move(discussion, actor, name, note="", **data):
    action = workflow.check(discussion, actor, name)
    previous = discussion.status
    discussion.status = action.target
    discussion.save()
    record(discussion, actor=actor, action=name, from_status=previous, note=note, **data)
    return discussion


def _mail_context(discussion, event, **extra):
    return {
        "event": event,
        "title": in_every_language(discussion, "title"),
        "cabinet": in_every_language(discussion.cabinet, "name"),
        "path": reverse("discussions:detail", args=[discussion.pk]),
        **extra,
    }


def participants(discussion):
    """Everyone who commented, proposed a wording or supported one."""
    authors = Comment.objects.filter(discussion=discussion).values("author_id")
    supporters = Support.objects.filter(comment__discussion=discussion).values("user_id")
    return User.objects.filter(Q(pk__in=authors) | Q(pk__in=supporters), is_active=True).order_by(
        "pk"
    )


def send(discussion, event, people, **extra):
    for person in people:
        notify(
            template="discussions/status",
            recipient=person,
            context=_mail_context(discussion, event, **extra),
            key=f"discussions:{discussion.pk}:{event}:{person.pk}",
        )
