"""What the community use cases share: the refusal, the counters of the public problem, and
who counts as staff of the holding cabinet."""

from appeals.problems.models import PublicProblem
from cabinets.access import can, roles_in

from ..models import Comment, Follow, Support

STILL_NOT_FIXED_DAYS = 30


class CommunityRefused(Exception):
    """The action is not possible; the message is translated and shown to the user."""


def recount(appeal_id):
    """Set the three counters of a public problem from the rows they count: used when the
    projection appears (after commit), since rows made before it could not move them."""
    PublicProblem.objects.filter(pk=appeal_id).update(
        follower_count=Follow.objects.filter(appeal_id=appeal_id).count(),
        support_count=Support.objects.filter(appeal_id=appeal_id).count(),
        comment_count=Comment.objects.filter(appeal_id=appeal_id, is_hidden=False).count(),
    )


def is_holding_staff(user, appeal):
    """Whether ``user`` is active staff of the cabinet that holds the appeal now."""
    if not user or not user.is_authenticated:
        return False
    return bool(roles_in(user, appeal.cabinet_id))


def is_head(user, appeal):
    """The head (or an authorised signer) of the holding cabinet: the one who may reopen."""
    return is_holding_staff(user, appeal) and can(user, "cabinets.sign_answer", appeal.cabinet_id)
