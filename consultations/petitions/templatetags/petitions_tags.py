"""Template tags of petitions (the personal cabinet includes ``petitions/_personal_section.html``)."""

from django import template
from django.db.models import Count, Q

from .. import selectors

register = template.Library()


@register.simple_tag
def my_petitions_summary(user):
    """The user's latest petitions and how many of their signatures count or wait."""
    if user is None or not user.is_authenticated:
        return {"recent": [], "signed": 0, "waiting": 0}
    counts = (
        selectors.my_signatures(user)
        .filter(invalidated_at__isnull=True)
        .aggregate(  # both counts in one query
            signed=Count("pk", filter=Q(confirmed_at__isnull=False)),
            waiting=Count("pk", filter=Q(confirmed_at__isnull=True)),
        )
    )
    return {"recent": list(selectors.my_petitions(user)[:3]), **counts}
