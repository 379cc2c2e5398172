"""Taking part (R27, R30): comments and proposed wordings, supports; moderation of comments and
the official's decision on each (R31)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.eligibility import NotEligible, ensure_eligible, voter_key
from edem.core.events import CommentAdded, publish
from edem.core.locking import locked
from edem.core.workflow import TransitionNotAllowed

from .. import workflow
from ..models import (
    Comment,
    Decision,
    Discussion,
)
from ..workflow import Status
from .common import record

MAX_COMMENT_CHARS = 5000


def _ensure_open(discussion, actor, name):
    """The discussion is open and ``actor`` may take part (R30: the shared eligibility check,
    through the workflow); an ineligible person gets ``NotEligible`` with the reason."""
    reason = workflow.refusal(discussion, actor, name)
    if reason:
        if discussion.status == Status.ACTIVE:  # the state allows it: the person may not
            raise NotEligible(reason)
        raise TransitionNotAllowed(reason)
    if timezone.now() >= discussion.ends_at:
        raise TransitionNotAllowed(_("The discussion period has ended."))


@transaction.atomic
def add_comment(*, paragraph, actor, kind, text, show_name=False):
    """A resident comments on a paragraph or proposes a new wording of it (R27)."""
    discussion = Discussion.objects.select_related("cabinet", "eligible_territory").get(
        pk=paragraph.version.discussion_id
    )
    _ensure_open(discussion, actor, "comment")
    current = discussion.current_version()
    if paragraph.version_id != current.pk:
        raise TransitionNotAllowed(_("Comment on the current version of the text."))
    if kind not in Comment.Kind.values:
        raise TransitionNotAllowed(_("Choose a comment or a proposed wording."))
    text = (text or "").strip()
    if not text:
        raise TransitionNotAllowed(_("Write your comment."))
    if len(text) > MAX_COMMENT_CHARS:
        raise TransitionNotAllowed(
            _("At most %(n)d characters, please.") % {"n": MAX_COMMENT_CHARS}
        )
    comment = Comment.objects.create(
        discussion=discussion,
        paragraph=paragraph,
        kind=kind,
        text=text,
        author=actor,
        show_name=bool(show_name),
    )
    publish(
        CommentAdded(
            subject="discussion", object_id=discussion.pk, comment_id=comment.pk, author_id=actor.pk
        )
    )
    return comment


def support(*, comment, actor):
    """Support a proposed wording: one support per person, a database constraint (R30)."""
    discussion = Discussion.objects.select_related("eligible_territory").get(
        pk=comment.discussion_id
    )
    _ensure_open(discussion, actor, "support")
    if comment.kind != Comment.Kind.WORDING or comment.is_hidden:
        raise TransitionNotAllowed(_("Only a proposed wording can be supported."))
    if comment.author_id == actor.pk:
        raise TransitionNotAllowed(_("You cannot support your own proposal."))
    try:
        with transaction.atomic():
            ensure_eligible(actor, discussion)  # R30
            return comment.supports.create(user=actor, voter_key=voter_key(actor))
    except IntegrityError as exc:
        raise TransitionNotAllowed(_("You have already supported this proposal.")) from exc


@transaction.atomic
def hide_comment(*, comment, actor, reason, note=""):
    """R31: a comment with obscenity, hate, ads (or others' personal data) is hidden, with the
    reason shown in its place."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    discussion = Discussion.objects.select_related("cabinet").get(pk=comment.discussion_id)
    workflow.check(discussion, actor, "moderate")
    if reason not in Comment.HiddenReason.values:
        raise TransitionNotAllowed(_("Choose why the comment is hidden."))
    if comment.is_hidden:
        raise TransitionNotAllowed(_("This comment is already hidden."))
    if discussion.status == Status.RESULTS_PUBLISHED and hasattr(comment, "decision"):
        raise TransitionNotAllowed(_("The outcome is published: this comment is part of it."))
    comment.is_hidden, comment.hidden_reason = True, reason
    comment.hidden_note = (note or "").strip()[:500]
    comment.hidden_by, comment.hidden_at = actor, timezone.now()
    comment.save()
    record(
        discussion,
        actor=actor,
        action="hide_comment",
        from_status=discussion.status,
        note=comment.hidden_note,
        comment=comment.pk,
        reason=reason,
    )
    return comment


@transaction.atomic
def restore_comment(*, comment, actor):
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    discussion = Discussion.objects.select_related("cabinet").get(pk=comment.discussion_id)
    workflow.check(discussion, actor, "moderate")
    if not comment.is_hidden:
        raise TransitionNotAllowed(_("This comment is not hidden."))
    comment.is_hidden, comment.hidden_reason, comment.hidden_note = False, "", ""
    comment.hidden_by, comment.hidden_at = None, None
    comment.save()
    record(
        discussion,
        actor=actor,
        action="restore_comment",
        from_status=discussion.status,
        comment=comment.pk,
    )
    return comment


@transaction.atomic
def decide(*, comment, actor, outcome, reason):
    """The official's decision on one comment or proposal, with its reason (R31). It may be
    revised until the outcome is published. A proposal hidden by moderation is decided on as
    well: its text is withheld, the body's answer is not."""
    discussion = locked(Discussion(pk=comment.discussion_id))
    workflow.check(discussion, actor, "decide")
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not comment.owed_a_decision:  # a hidden proposal is still answered (R31)
        raise TransitionNotAllowed(_("A hidden comment is not decided on."))
    if outcome not in Decision.Outcome.values:
        raise TransitionNotAllowed(_("Choose the decision."))
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Give the reason for the decision: it is published."))
    decision, _created = Decision.objects.update_or_create(
        comment=comment,
        defaults={
            "outcome": outcome,
            "reason": reason,
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    record(
        discussion,
        actor=actor,
        action="decide",
        from_status=discussion.status,
        comment=comment.pk,
        outcome=outcome,
    )
    return decision


def undecided(discussion):
    """Comments and proposals owed a decision that have none yet (R31): the visible ones and
    every proposal, hidden or not."""
    return discussion.comments.owed_a_decision().filter(decision__isnull=True)
