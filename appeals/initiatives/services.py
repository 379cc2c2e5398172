"""The use cases of civic initiatives. Each runs in one transaction and writes its history
line; joining and leaving move the counter with ``F()`` in the transaction of the row they
create or delete (the unique constraint decides: two parallel joins make one row)."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from edem.core.locking import locked
from edem.core.recording import record
from edem.notifications.services import notify

from .models import MODERATE_PERM, Initiative, Member, Update

MAX_OPEN_PER_PERSON = 3
MAX_TEXT = 5000


class InitiativeRefused(Exception):
    """The action is not possible; the message is translated and shown to the user."""


def _require_open(initiative):
    if initiative.status != Initiative.Status.OPEN:
        raise InitiativeRefused(_("This initiative is closed."))


@transaction.atomic
def propose(*, user, title, summary, category=None, territory=None):
    """A verified resident proposes an initiative and is its first participant."""
    if not user.is_authenticated:
        raise InitiativeRefused(_("Sign in first."))
    if not user.is_verified_resident:
        raise InitiativeRefused(
            _(
                "Only verified residents can propose an initiative: confirm your identity in "
                "your personal cabinet."
            )
        )
    title, summary = title.strip(), summary.strip()
    if not title or not summary:
        raise InitiativeRefused(_("Give the initiative a title and say what it is about."))
    if len(summary) > MAX_TEXT:
        raise InitiativeRefused(_("Keep the text under 5000 characters."))
    # The initiator's row is locked so that two parallel proposals cannot both pass the count.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if (
        Initiative.objects.filter(initiator=user, status=Initiative.Status.OPEN).count()
        >= MAX_OPEN_PER_PERSON
    ):
        raise InitiativeRefused(
            _("You already lead 3 open initiatives: close one before proposing another.")
        )
    initiative = Initiative.objects.create(
        title=title[:200],
        summary=summary,
        category=category,
        territory=territory,
        initiator=user,
        member_count=1,
    )
    Member.objects.create(initiative=initiative, user=user)
    record(initiative, actor=user, action="propose")
    return initiative


def join(*, initiative, user):
    """Join an open initiative; joining twice is harmless. Returns True if joined now."""
    if not user.is_authenticated:
        raise InitiativeRefused(_("Sign in first."))
    # Read the state as it is now, not as the caller's copy has it.
    if not Initiative.objects.filter(pk=initiative.pk, status=Initiative.Status.OPEN).exists():
        raise InitiativeRefused(_("This initiative is closed."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                Member.objects.create(initiative=initiative, user=user)
        except IntegrityError:
            return False
        Initiative.objects.filter(pk=initiative.pk).update(member_count=F("member_count") + 1)
    return True


@transaction.atomic
def leave(*, initiative, user):
    """Leave an initiative (its initiator closes it instead). Returns True if left now."""
    if initiative.initiator_id == user.pk:
        raise InitiativeRefused(_("You lead this initiative: close it instead of leaving."))
    deleted, _rows = Member.objects.filter(initiative=initiative, user=user).delete()
    if deleted:
        Initiative.objects.filter(pk=initiative.pk).update(member_count=F("member_count") - 1)
    return bool(deleted)


def is_member(initiative, user):
    return (
        user.is_authenticated and Member.objects.filter(initiative=initiative, user=user).exists()
    )


@transaction.atomic
def post_update(*, initiative, actor, text):
    """The initiator posts news; everyone else who joined gets it by mail (the outbox: a
    failing mail server delays the mail, never loses it or the update)."""
    initiative = locked(initiative)
    if initiative.initiator_id != actor.pk:
        raise InitiativeRefused(_("Only the initiator posts updates."))
    _require_open(initiative)
    text = text.strip()
    if not text:
        raise InitiativeRefused(_("The update is empty."))
    if len(text) > MAX_TEXT:
        raise InitiativeRefused(_("Keep the text under 5000 characters."))
    update = Update.objects.create(initiative=initiative, author=actor, text=text)
    record(initiative, actor=actor, action="post_update", update=update.pk)
    path = reverse("initiatives:detail", args=[initiative.pk])
    for member in (
        Member.objects.filter(initiative=initiative)
        .exclude(user=actor)
        .select_related("user")
        .order_by("pk")
    ):
        if not member.user.is_active:
            continue
        notify(
            template="initiatives/update",
            recipient=member.user,
            context={"title": initiative.title, "text": text[:2000], "path": path},
            key=f"initiative-update:{update.pk}:{member.user_id}",
        )
    return update


@transaction.atomic
def close(*, initiative, actor, note=""):
    initiative = locked(initiative)
    if initiative.initiator_id != actor.pk:
        raise InitiativeRefused(_("Only the initiator closes the initiative."))
    _require_open(initiative)
    previous = initiative.status
    initiative.status, initiative.closed_at = Initiative.Status.CLOSED, timezone.now()
    initiative.save(update_fields=["status", "closed_at"])
    record(initiative, actor=actor, action="close", from_status=previous, note=note.strip())
    return initiative


@transaction.atomic
def hide(*, initiative, actor, reason):
    """A moderator hides an initiative that breaks the rules, saying why (the initiator reads
    the reason on its page)."""
    if not actor.has_perm(MODERATE_PERM):
        raise InitiativeRefused(_("You may not moderate initiatives."))
    if not reason.strip():
        raise InitiativeRefused(_("Say why the initiative is hidden."))
    initiative = locked(initiative)
    if initiative.status == Initiative.Status.HIDDEN:
        return initiative
    previous = initiative.status
    initiative.status, initiative.moderation_reason = Initiative.Status.HIDDEN, reason.strip()[:255]
    initiative.save(update_fields=["status", "moderation_reason"])
    record(initiative, actor=actor, action="hide", from_status=previous, note=reason.strip())
    return initiative


@transaction.atomic
def restore(*, initiative, actor):
    if not actor.has_perm(MODERATE_PERM):
        raise InitiativeRefused(_("You may not moderate initiatives."))
    initiative = locked(initiative)
    if initiative.status != Initiative.Status.HIDDEN:
        return initiative
    status = Initiative.Status.CLOSED if initiative.closed_at else Initiative.Status.OPEN
    initiative.status, initiative.moderation_reason = status, ""
    initiative.save(update_fields=["status", "moderation_reason"])
    record(initiative, actor=actor, action="restore", from_status=Initiative.Status.HIDDEN)
    return initiative
