"""Where citizens find the municipality in person, for pages of the apps below cabinets (the
personal cabinet's "confirm your identity" page is edem.accounts')."""

from django import template

from ..selectors import identity_offices

register = template.Library()


@register.simple_tag
def offices_for_identity():
    """The offices where an official sees a document and confirms a citizen's account."""
    return identity_offices()
