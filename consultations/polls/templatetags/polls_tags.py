"""Template tags of polls: the personal cabinet's section reads its data through here."""

from django import template

from ..models import Ballot, Poll
from ..workflow import Status

register = template.Library()


@register.simple_tag
def my_polls_summary(user):
    """The user's latest ballots and how many polls are open now (for ``_personal_section``)."""
    if user is None or not user.is_authenticated:
        return {"recent": [], "open_count": 0}
    recent = list(
        Ballot.objects.filter(voter=user).select_related("poll").order_by("-updated_at", "-pk")[:5]
    )
    return {"recent": recent, "open_count": Poll.objects.filter(status=Status.ACTIVE).count()}
