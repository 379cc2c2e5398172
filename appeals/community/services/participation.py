"""Residents around a public problem: following, supporting, commenting, reporting and hiding
comments. Each runs in a transaction; the counters of ``problems.PublicProblem`` change only
through ``F()`` updates in the same transaction as the row created or deleted (race-safe: the
unique constraints decide, the counter follows the row)."""

import math

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.problems.models import PublicProblem
from edem.core.events import CommentAdded, ProblemSupported, publish
from edem.core.markup import render_markdown

from ..models import Comment, CommentReport, Follow, ModerationEntry, Support
from .common import CommunityRefused, is_holding_staff

MAX_COMMENT_CHARS = 3000
# Rate limit of comments, per user (cache counters in fixed windows).
COMMENTS_PER_WINDOW = 5
COMMENT_WINDOW_SECONDS = 600
COMMENTS_PER_DAY = 30


def _bump_counter(appeal_id, field, delta):
    """Move one counter of the public problem by ``delta`` (R: THE CONTRACT, point 2)."""
    expression = F(field) + delta if delta > 0 else F(field) - (-delta)
    PublicProblem.objects.filter(pk=appeal_id).update(**{field: expression})


# --- Follow -----------------------------------------------------------------------------------


def follow(*, appeal, user, reason=Follow.Reason.MANUAL):
    """Follow a problem; following twice is harmless. Returns (follow, created)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = Follow.objects.create(appeal=appeal, user=user, reason=reason)
        except IntegrityError:
            return Follow.objects.get(appeal=appeal, user=user), False
        _bump_counter(appeal.pk, "follower_count", 1)
    return row, True


@transaction.atomic
def unfollow(*, appeal, user):
    deleted, _rows = Follow.objects.filter(appeal=appeal, user=user).delete()
    if deleted:
        _bump_counter(appeal.pk, "follower_count", -1)
    return bool(deleted)


# --- Support ----------------------------------------------------------------------------------


def support(*, appeal, user):
    """ "This bothers me too": verified residents only (R2-style), one per person per problem (a
    database constraint: two parallel requests make one row), the supporter follows the
    problem. Returns True if a support was added now."""
    if not user.is_authenticated:
        raise CommunityRefused(_("Sign in first."))
    if not user.is_verified_resident:  # R2-style: a verified resident, one voice per person
        raise CommunityRefused(
            _(
                "Only verified residents can support a problem: confirm your identity in your personal cabinet."
            )
        )
    if appeal.author_id == user.pk:
        raise CommunityRefused(_("This is your own problem: your appeal already counts."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                Support.objects.create(appeal=appeal, user=user)
        except IntegrityError:
            return False  # already supported: idempotent
        _bump_counter(appeal.pk, "support_count", 1)
        follow(appeal=appeal, user=user, reason=Follow.Reason.SUPPORT)
        publish(ProblemSupported(appeal_id=appeal.pk, user_id=user.pk))
    return True


@transaction.atomic
def withdraw_support(*, appeal, user):
    """Withdraw a support (the user keeps following until they unfollow)."""
    deleted, _rows = Support.objects.filter(appeal=appeal, user=user).delete()
    if deleted:
        _bump_counter(appeal.pk, "support_count", -1)
    return bool(deleted)


# --- Comments ---------------------------------------------------------------------------------


def _rate_limit(user):
    """Count a comment against the user's limits; raise with a clear reason when over."""
    now = int(timezone.now().timestamp())
    window = now // COMMENT_WINDOW_SECONDS
    day = now // 86400
    limits = (
        (f"community:comments:{user.pk}:w{window}", COMMENTS_PER_WINDOW, COMMENT_WINDOW_SECONDS),
        (f"community:comments:{user.pk}:d{day}", COMMENTS_PER_DAY, 86400),
    )
    for key, limit, ttl in limits:
        cache.add(key, 0, ttl)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, ttl)
            count = 1
        if count > limit:
            if ttl == COMMENT_WINDOW_SECONDS:
                wait = max(1, math.ceil(((window + 1) * COMMENT_WINDOW_SECONDS - now) / 60))
                raise CommunityRefused(
                    _(
                        "You are commenting too often: at most %(n)d comments in 10 minutes. Try again in %(minutes)d min."
                    )
                    % {"n": limit, "minutes": wait}
                )
            raise CommunityRefused(
                _("You have written %(n)d comments today, the daily limit. Try again tomorrow.")
                % {"n": limit}
            )


def add_comment(*, appeal, user, text):
    """A signed-in user comments on a public problem (rate-limited); staff of the holding
    cabinet comment officially."""
    if not user.is_authenticated:
        raise CommunityRefused(_("Sign in first."))
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise CommunityRefused(_("Write your comment."))
    if len(text) > MAX_COMMENT_CHARS:
        raise CommunityRefused(_("At most %(n)d characters, please.") % {"n": MAX_COMMENT_CHARS})
    _rate_limit(user)
    with transaction.atomic():
        comment = Comment.objects.create(
            appeal=appeal,
            author=user,
            text=text,
            text_html=render_markdown(text),
            is_official=is_holding_staff(user, appeal),
        )
        _bump_counter(appeal.pk, "comment_count", 1)
        publish(
            CommentAdded(
                subject="problem", object_id=appeal.pk, comment_id=comment.pk, author_id=user.pk
            )
        )
    return comment


def report_comment(*, comment, user, reason=""):
    """One report per user per comment; reporting twice is harmless. Returns True if new."""
    if not user.is_authenticated:
        raise CommunityRefused(_("Sign in first."))
    if comment.author_id == user.pk:
        raise CommunityRefused(_("You cannot report your own comment."))
    try:
        with transaction.atomic():
            CommentReport.objects.create(
                comment=comment, user=user, reason=(reason or "").strip()[:500]
            )
    except IntegrityError:
        return False
    return True


@transaction.atomic
def hide_comment(*, comment, actor, reason):
    """Staff of the cabinet holding the problem hide a comment with a reason, shown in its
    place; the action is logged and the reports on it are closed."""
    comment = Comment.objects.select_for_update().select_related("appeal").get(pk=comment.pk)
    # Staff of the holding cabinet, or a portal administrator allowed to edit comments.
    if not (is_holding_staff(actor, comment.appeal) or actor.has_perm("community.change_comment")):
        raise CommunityRefused(_("Only staff of the cabinet handling the problem may do this."))
    reason = (reason or "").strip()
    if not reason:
        raise CommunityRefused(
            _("Say why the comment is hidden: the reason is shown in its place.")
        )
    if comment.is_hidden:
        raise CommunityRefused(_("This comment is already hidden."))
    comment.is_hidden, comment.hidden_reason = True, reason[:500]
    comment.hidden_by, comment.hidden_at = actor, timezone.now()
    comment.save(update_fields=["is_hidden", "hidden_reason", "hidden_by", "hidden_at"])
    ModerationEntry.objects.create(comment=comment, actor=actor, action="hide", reason=reason)
    comment.reports.update(resolved=True)
    _bump_counter(comment.appeal_id, "comment_count", -1)
    return comment
