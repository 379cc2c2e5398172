"""Template tags of petitions (the personal cabinet includes ``petitions/_personal_section.html``)."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def my_petitions_summary(user):
    """The user's latest petitions and how many of their signatures count or wait."""
    if user is None or not user.is_authenticated:
        return {"recent": [], "signed": 0, "waiting": 0}
    signatures = selectors.my_signatures(user)
    return {
        "recent": list(selectors.my_petitions(user)[:3]),
        "signed": signatures.filter(
            confirmed_at__isnull=False, invalidated_at__isnull=True
        ).count(),
        "waiting": signatures.filter(
            confirmed_at__isnull=True, invalidated_at__isnull=True
        ).count(),
    }
