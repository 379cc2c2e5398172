"""Template tags for the fragments the problem page includes (the official's card gets its
likely duplicates from its view: no template tag that queries)."""

from django import template

from .. import selectors, services
from ..forms import CommentForm
from ..models import Follow, Support

register = template.Library()

COMMENTS_ON_PAGE = 20


@register.simple_tag(takes_context=True)
def community_for(context, problem):
    """What the problem page's fragments need, for the user looking at it."""
    cached = getattr(problem, "_community_context", None)
    if cached is not None:  # both fragments of one page share one set of queries
        return cached
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    appeal = problem.appeal
    signed_in = bool(user and user.is_authenticated)
    supported = signed_in and Support.objects.filter(appeal_id=problem.pk, user=user).exists()
    following = signed_in and Follow.objects.filter(appeal_id=problem.pk, user=user).exists()
    comments = list(selectors.comments_of(appeal)[: COMMENTS_ON_PAGE + 1])
    problem._community_context = {
        "signed_in": signed_in,
        "supported": supported,
        "following": following,
        "can_support": signed_in and user.is_verified_resident and appeal.author_id != user.pk,
        "is_author": signed_in and appeal.author_id == user.pk,
        "still_refusal": services.still_not_fixed_refusal(appeal, user) if signed_in else None,
        "still_reports": list(selectors.still_not_fixed_of(appeal)),
        "comments": comments[:COMMENTS_ON_PAGE],
        "more_comments": len(comments) > COMMENTS_ON_PAGE,
        "comment_form": CommentForm(),
        "is_staff": services.is_holding_staff(user, appeal) if signed_in else False,
    }
    return problem._community_context


@register.filter
def problem_url(appeal_id):
    """The public page of a problem."""
    return services.problem_path(appeal_id)
