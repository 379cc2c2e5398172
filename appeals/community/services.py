"""Use cases of residents around a public problem. Each runs in a transaction; the three
counters of ``problems.PublicProblem`` change only through ``F()`` updates in the same
transaction as the row created or deleted (race-safe: the unique constraints decide, the
counter follows the row). Mail goes through ``edem.notifications.services.notify`` with a
``key``, so nothing is sent twice."""

import logging
import math
from datetime import timedelta

from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinets.access import can, roles_in
from edem.core.markup import render_markdown
from edem.core.uploads import UploadRefused, clean_upload
from edem.core.workflow import TransitionNotAllowed

from .models import (
    AreaSubscription,
    Comment,
    CommentReport,
    Follow,
    ModerationEntry,
    StillNotFixed,
    Support,
)

logger = logging.getLogger(__name__)

MAX_COMMENT_CHARS = 3000
# Rate limit of comments, per user (cache counters in fixed windows).
COMMENTS_PER_WINDOW = 5
COMMENT_WINDOW_SECONDS = 600
COMMENTS_PER_DAY = 30
STILL_NOT_FIXED_DAYS = 30
UNSUBSCRIBE_SALT = "community.unsubscribe"


class CommunityRefused(Exception):
    """The action is not possible; the message is translated and shown to the user."""


def _bump(appeal_id, field, delta):
    """Move one counter of the public problem by ``delta`` (R: THE CONTRACT, point 2)."""
    from appeals.problems.models import PublicProblem

    expression = F(field) + delta if delta > 0 else F(field) - (-delta)
    PublicProblem.objects.filter(pk=appeal_id).update(**{field: expression})


def is_holding_staff(user, appeal):
    """Whether ``user`` is active staff of the cabinet that holds the appeal now."""
    if not user or not user.is_authenticated:
        return False
    return bool(roles_in(user, appeal.cabinet_id))


def is_head(user, appeal):
    """The head (or an authorised signer) of the holding cabinet: the one who may reopen."""
    return is_holding_staff(user, appeal) and can(user, "cabinets.sign_answer", appeal.cabinet_id)


# --- Follow -----------------------------------------------------------------------------------


def follow(*, appeal, user, reason=Follow.Reason.MANUAL):
    """Follow a problem; following twice is harmless. Returns (follow, created)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = Follow.objects.create(appeal=appeal, user=user, reason=reason)
        except IntegrityError:
            return Follow.objects.get(appeal=appeal, user=user), False
        _bump(appeal.pk, "follower_count", 1)
    return row, True


@transaction.atomic
def unfollow(*, appeal, user):
    deleted, _rows = Follow.objects.filter(appeal=appeal, user=user).delete()
    if deleted:
        _bump(appeal.pk, "follower_count", -1)
    return bool(deleted)


def is_following(appeal, user):
    return user.is_authenticated and Follow.objects.filter(appeal=appeal, user=user).exists()


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
        _bump(appeal.pk, "support_count", 1)
        follow(appeal=appeal, user=user, reason=Follow.Reason.SUPPORT)
    return True


@transaction.atomic
def withdraw_support(*, appeal, user):
    """Withdraw a support (the user keeps following until they unfollow)."""
    deleted, _rows = Support.objects.filter(appeal=appeal, user=user).delete()
    if deleted:
        _bump(appeal.pk, "support_count", -1)
    return bool(deleted)


def has_supported(appeal, user):
    return user.is_authenticated and Support.objects.filter(appeal=appeal, user=user).exists()


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
        _bump(appeal.pk, "comment_count", 1)
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
    _bump(comment.appeal_id, "comment_count", -1)
    return comment


# --- Still not fixed --------------------------------------------------------------------------


def still_not_fixed_refusal(appeal, user):
    """Why ``user`` may not report this problem still not fixed now, or None."""
    from appeals.workflow import Status

    if not user.is_authenticated:
        return _("Sign in first.")
    if appeal.status != Status.ANSWERED or not appeal.answered_at:
        return _("This can be reported only about a problem answered as resolved.")
    if timezone.now() - appeal.answered_at > timedelta(days=STILL_NOT_FIXED_DAYS):
        return _("This can be reported within 30 days of the answer.")
    if not Follow.objects.filter(appeal=appeal, user=user).exists():
        return _("Follow the problem first: reports come from its followers.")
    if StillNotFixed.objects.filter(
        appeal=appeal, user=user, status=StillNotFixed.Status.OPEN
    ).exists():
        return _("You have already reported it; the head of the cabinet will answer.")
    return None


def report_still_not_fixed(*, appeal, user, text, photo):
    """A follower reports that a problem answered as resolved is still not fixed, with a photo
    checked like every upload (``edem.core.uploads``): re-encoded, metadata stripped."""
    from django.core.files.base import ContentFile

    reason = still_not_fixed_refusal(appeal, user)
    if reason:
        raise CommunityRefused(reason)
    text = (text or "").strip()
    if not text:
        raise CommunityRefused(_("Say what is still wrong."))
    if photo is None:
        raise CommunityRefused(_("Add a photo that shows the problem now."))
    try:
        clean = clean_upload(photo)
    except UploadRefused as exc:
        raise CommunityRefused(str(exc)) from exc
    if not clean.content_type.startswith("image/"):
        raise CommunityRefused(_("Add a photo (JPEG, PNG or WebP), not a document."))
    with transaction.atomic():
        report = StillNotFixed(
            appeal=appeal, user=user, text=text[:2000], photo_type=clean.content_type
        )
        report.photo.save(clean.name, ContentFile(clean.content), save=False)
        if clean.thumbnail is not None:
            report.photo_thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError as exc:
            raise CommunityRefused(
                _("You have already reported it; the head of the cabinet will answer.")
            ) from exc
    return report


def can_reopen():
    """Whether the appeals workflow offers the head's reopening (feature detection)."""
    from appeals import services as appeal_services

    return hasattr(appeal_services, "reopen_by_head")


def _decide(report, actor):
    report = StillNotFixed.objects.select_for_update().select_related("appeal").get(pk=report.pk)
    if not is_head(actor, report.appeal):
        raise CommunityRefused(_("Only the head of the cabinet handling the problem may do this."))
    if report.status != StillNotFixed.Status.OPEN:
        raise CommunityRefused(_("This report has already been dealt with."))
    return report


@transaction.atomic
def reply_still_not_fixed(*, report, actor, reply):
    """The head replies publicly why the case is not reopened; the reporter and the followers
    are told."""
    report = _decide(report, actor)
    reply = (reply or "").strip()
    if not reply:
        raise CommunityRefused(_("Write the reply: it is published on the problem page."))
    report.status, report.reply = StillNotFixed.Status.REPLIED, reply[:4000]
    report.replied_by, report.replied_at = actor, timezone.now()
    report.save(update_fields=["status", "reply", "replied_by", "replied_at"])
    _mail_followers(
        report.appeal,
        template="community/still_reply",
        key=f"still:{report.pk}:reply",
        context={"reply": report.reply},
    )
    return report


@transaction.atomic
def reopen_still_not_fixed(*, report, actor, reason):
    """The head reopens the case (``appeals.services.reopen_by_head``: a new stage with a new
    deadline); the public event it writes is mailed to followers by the AppealEvent signal."""
    from appeals import services as appeal_services

    if not can_reopen():
        raise CommunityRefused(_("Reopening by the head is not available yet."))
    report = _decide(report, actor)
    reason = (reason or "").strip()
    try:
        appeal_services.reopen_by_head(appeal=report.appeal, actor=actor, reason=reason)
    except TransitionNotAllowed as exc:
        raise CommunityRefused(str(exc)) from exc
    report.status, report.reply = StillNotFixed.Status.REOPENED, reason[:4000]
    report.replied_by, report.replied_at = actor, timezone.now()
    report.save(update_fields=["status", "reply", "replied_by", "replied_at"])
    return report


# --- Mail: alerts, unsubscribe ----------------------------------------------------------------


def unsubscribe_token(kind, user_id, object_id):
    """A signed token for one-click unsubscribing without signing in: ``kind`` is "follow"
    (one problem), "area" (one subscription) or "all" (every follow and subscription)."""
    return signing.dumps({"k": kind, "u": user_id, "o": object_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_path(kind, user_id, object_id):
    return reverse("community:unsubscribe", args=[unsubscribe_token(kind, user_id, object_id)])


def read_unsubscribe_token(token):
    """The (kind, user id, object id) a token carries, or None if it was tampered with."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in ("follow", "area", "all"):
        return None
    return data["k"], data.get("u"), data.get("o")


@transaction.atomic
def unsubscribe(token):
    """Apply a token: stop following the problem, drop the area subscription, or both for all.
    Idempotent. Returns (kind, user id, object id) or None for a bad token."""
    parsed = read_unsubscribe_token(token)
    if parsed is None:
        return None
    kind, user_id, object_id = parsed
    if kind == "follow":
        for row in Follow.objects.filter(user_id=user_id, appeal_id=object_id):
            unfollow(appeal=row.appeal, user=row.user)
    elif kind == "area":
        AreaSubscription.objects.filter(user_id=user_id, pk=object_id).delete()
    else:
        for row in Follow.objects.filter(user_id=user_id).select_related("appeal", "user"):
            unfollow(appeal=row.appeal, user=row.user)
        AreaSubscription.objects.filter(user_id=user_id).delete()
    return parsed


def problem_path(appeal_id):
    """The public page of a problem (the problems app's URL)."""
    return reverse("problems:detail", args=[appeal_id])


def _problem_subject(appeal):
    problem = getattr(appeal, "public_problem", None)
    for name in ("public_subject", "subject"):
        value = getattr(problem, name, "") if problem is not None else ""
        if value:
            return value
    return appeal.subject


def _mail_followers(appeal, *, template, key, context, exclude=()):
    """One mail per follower (in their language), keyed so that it is never sent twice; each
    with a one-click unsubscribe link for this problem."""
    from edem.notifications.services import notify

    followers = (
        Follow.objects.filter(appeal=appeal)
        .exclude(user_id__in=[pk for pk in exclude if pk])
        .select_related("user")
    )
    sent = 0
    for row in followers:
        user = row.user
        if not user.is_active or not user.email:
            continue
        notify(
            template=template,
            recipient=user,
            language=user.language,
            context={
                "subject": _problem_subject(appeal),
                "path": problem_path(appeal.pk),
                "unsubscribe_path": unsubscribe_path("follow", user.pk, appeal.pk),
                "unsubscribe_all_path": unsubscribe_path("all", user.pk, None),
                **context,
            },
            key=f"community:{key}:{user.pk}",
        )
        sent += 1
    return sent


# Public events followers are told about (AppealEvent.action); others (e.g. "receive" after a
# forwarding, which repeats "forward") are not mailed.
ALERT_ACTIONS = frozenset(
    {
        "register",
        "forward",
        "extend",
        "sign_answer",
        "close_no_merits",
        "return",
        "withdraw",
        "reopen",
        "reopen_by_head",
        "merged_in",
    }
)


def public_problem_of(appeal_id):
    """The PublicProblem of a public, visible appeal, or None."""
    from django.http import Http404

    from appeals.problems.selectors import public_problem_or_404

    try:
        return public_problem_or_404(appeal_id)
    except Http404:
        return None


def alert_followers(event):
    """Called by the appeals services for every public history line. Follower mail is
    secondary to the legal workflow: a failure here is logged, in a savepoint, and never stops
    the official's action."""
    try:
        with transaction.atomic():
            return on_public_event(event)
    except Exception:
        logger.exception("Follower alerts for appeal event %s failed", event.pk)
        return 0


def on_public_event(event):
    """Mail the followers of a public problem about one public event of its appeal (once per
    event and follower). The author is told by the appeals services already. Officials' notes
    are not mailed: they may name the citizen (R18). A merge makes the
    merged appeal's author follow the surviving problem and tells them so."""
    if not event.is_public:
        return 0
    appeal = event.appeal
    if event.action == "merge":
        return _on_merge(event)
    if event.action not in ALERT_ACTIONS or public_problem_of(appeal.pk) is None:
        return 0
    return _mail_followers(
        appeal,
        template="community/event",
        key=f"event:{event.pk}",
        context={
            "action": event.action,
            "action_label": str(event.action_label),
            "status": str(event.to_status_label),
            "new_due": (event.data or {}).get("new_due", ""),
            "cabinet": (event.data or {}).get("to_cabinet_name", ""),
        },
        exclude=[appeal.author_id, event.actor_id],  # R18: no officials' notes, no names
    )


def _on_merge(event):
    from appeals.models import Appeal
    from edem.notifications.services import notify

    merged = event.appeal
    into_id = (event.data or {}).get("into")
    if not into_id or not merged.author_id or public_problem_of(into_id) is None:
        return 0
    into = Appeal.objects.select_related("cabinet").get(pk=into_id)
    if into.author_id == merged.author_id:
        return 0
    follow(appeal=into, user=merged.author, reason=Follow.Reason.MERGED)
    author = merged.author
    notify(
        template="community/merged",
        recipient=author,
        language=author.language,
        context={
            "subject": _problem_subject(into),
            "own_subject": merged.subject,
            "path": problem_path(into.pk),
            "unsubscribe_path": unsubscribe_path("follow", author.pk, into.pk),
            "unsubscribe_all_path": unsubscribe_path("all", author.pk, None),
        },
        key=f"community:merged:{event.pk}",
    )
    return 1


def on_problem_created(problem):
    """A new public problem: its author follows it."""
    appeal = problem.appeal
    if appeal.author_id:
        follow(appeal=appeal, user=appeal.author, reason=Follow.Reason.AUTHOR)


# --- Area subscriptions and the daily digest --------------------------------------------------


@transaction.atomic
def subscribe_area(
    *, user, categories=(), territory=None, latitude=None, longitude=None, radius_m=None
):
    if not user.is_authenticated:
        raise CommunityRefused(_("Sign in first."))
    if territory is None and (latitude is None or longitude is None or not radius_m):
        raise CommunityRefused(_("Choose a territory or draw a circle on the map."))
    if territory is not None:
        latitude = longitude = radius_m = None
    subscription = AreaSubscription.objects.create(
        user=user,
        territory=territory,
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
        last_sent_at=timezone.now(),
    )
    subscription.categories.set(categories)
    return subscription


def send_digests(*, now=None):
    """The daily digest: for each area subscription, the public problems published in its area
    (and categories) since the last digest, in the subscriber's language. Idempotent per day:
    the mail's key holds the date, and the covered period moves only with a mail."""
    from edem.notifications.services import notify

    from .selectors import new_problems_for

    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    subscriptions = AreaSubscription.objects.select_related("user", "territory").prefetch_related(
        "categories"
    )
    for subscription in subscriptions.iterator(chunk_size=200):
        user = subscription.user
        if not user.is_active or not user.email:
            continue
        key = f"community:digest:{subscription.pk}:{today.isoformat()}"
        with transaction.atomic():
            locked = AreaSubscription.objects.select_for_update().filter(pk=subscription.pk).first()
            if locked is None or _digest_exists(key):  # already sent today
                continue
            since = locked.last_sent_at or locked.created_at
            problems = new_problems_for(subscription, since=since, until=now)
            if not problems:
                continue
            notify(
                template="community/digest",
                recipient=user,
                language=user.language,
                context={
                    "area": str(subscription),
                    "day": today.isoformat(),
                    "problems": problems,
                    "alerts_path": reverse("community:alerts"),
                    "unsubscribe_path": unsubscribe_path("area", user.pk, subscription.pk),
                    "unsubscribe_all_path": unsubscribe_path("all", user.pk, None),
                },
                key=key,
            )
            AreaSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=now)
            sent += 1
    return sent


def _digest_exists(key):
    from edem.notifications.models import Notification

    return Notification.objects.filter(key=key).exists()
