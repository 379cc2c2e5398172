"""Use cases of residents around a public problem, split by use case: ``participation``
(follow, support, comments), ``still_not_fixed`` (reports and the head's decision), ``mail``
(follower alerts, unsubscribing, area subscriptions and the digest). Import from here:
``from appeals.community import services; services.follow(appeal=..., user=...)``."""

from ..selectors import problem_path
from .common import (
    STILL_NOT_FIXED_DAYS,
    CommunityRefused,
    is_head,
    is_holding_staff,
    recount,
)
from .mail import (
    ALERT_ACTIONS,
    UNSUBSCRIBE_SALT,
    mail_followers,
    on_public_event,
    public_problem_of,
    send_digests,
    subscribe_area,
    unsubscribe,
    unsubscribe_token,
)
from .participation import (
    COMMENT_WINDOW_SECONDS,
    COMMENTS_PER_DAY,
    COMMENTS_PER_WINDOW,
    MAX_COMMENT_CHARS,
    add_comment,
    follow,
    hide_comment,
    report_comment,
    support,
    unfollow,
    withdraw_support,
)
from .still_not_fixed import (
    can_reopen,
    reopen_still_not_fixed,
    reply_still_not_fixed,
    report_still_not_fixed,
    still_not_fixed_refusal,
)

__all__ = [
    "ALERT_ACTIONS",
    "COMMENTS_PER_DAY",
    "COMMENTS_PER_WINDOW",
    "COMMENT_WINDOW_SECONDS",
    "MAX_COMMENT_CHARS",
    "STILL_NOT_FIXED_DAYS",
    "UNSUBSCRIBE_SALT",
    "CommunityRefused",
    "add_comment",
    "can_reopen",
    "follow",
    "hide_comment",
    "is_head",
    "is_holding_staff",
    "mail_followers",
    "on_public_event",
    "problem_path",
    "public_problem_of",
    "recount",
    "reopen_still_not_fixed",
    "reply_still_not_fixed",
    "report_comment",
    "report_still_not_fixed",
    "send_digests",
    "still_not_fixed_refusal",
    "subscribe_area",
    "support",
    "unfollow",
    "unsubscribe",
    "unsubscribe_token",
    "withdraw_support",
]
