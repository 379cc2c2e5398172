"""Mail to residents around public problems: alerts to followers about the public steps of an
appeal (a subscriber of the appeals' domain events, see ``subscribers.py``), one-click
unsubscribing, area subscriptions and the daily digest. Mail goes through
``edem.notifications.services.notify`` with a ``key``, so nothing is sent twice."""

from django.core import signing
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.models import Appeal
from appeals.problems.selectors import public_problem_or_404
from edem.notifications.models import Notification
from edem.notifications.services import notify

from ..models import AreaSubscription, Follow
from ..selectors import new_problems_for, problem_path
from .common import CommunityRefused
from .participation import follow, unfollow

UNSUBSCRIBE_SALT = "community.unsubscribe"


def unsubscribe_token(kind, user_id, object_id):
    """A signed token for one-click unsubscribing without signing in: ``kind`` is "follow"
    (one problem), "area" (one subscription) or "all" (every follow and subscription)."""
    return signing.dumps({"k": kind, "u": user_id, "o": object_id}, salt=UNSUBSCRIBE_SALT)


def _unsubscribe_path(kind, user_id, object_id):
    return reverse("community:unsubscribe", args=[unsubscribe_token(kind, user_id, object_id)])


def _read_unsubscribe_token(token):
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
    parsed = _read_unsubscribe_token(token)
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


def _problem_subject(appeal):
    problem = getattr(appeal, "public_problem", None)
    for name in ("public_subject", "subject"):
        value = getattr(problem, name, "") if problem is not None else ""
        if value:
            return value
    return appeal.subject


def mail_followers(appeal, *, template, key, context, exclude=()):
    """One mail per follower (in their language), keyed so that it is never sent twice; each
    with a one-click unsubscribe link for this problem."""
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
                "unsubscribe_path": _unsubscribe_path("follow", user.pk, appeal.pk),
                "unsubscribe_all_path": _unsubscribe_path("all", user.pk, None),
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
    try:
        return public_problem_or_404(appeal_id)
    except Http404:
        return None


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
    return mail_followers(
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
            "unsubscribe_path": _unsubscribe_path("follow", author.pk, into.pk),
            "unsubscribe_all_path": _unsubscribe_path("all", author.pk, None),
        },
        key=f"community:merged:{event.pk}",
    )
    return 1


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
                    "unsubscribe_path": _unsubscribe_path("area", user.pk, subscription.pk),
                    "unsubscribe_all_path": _unsubscribe_path("all", user.pk, None),
                },
                key=key,
            )
            AreaSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=now)
            sent += 1
    return sent


def _digest_exists(key):
    return Notification.objects.filter(key=key).exists()
