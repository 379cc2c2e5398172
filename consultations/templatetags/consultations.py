from django import template

from consultations.instruments import INSTRUMENTS

register = template.Library()


@register.simple_tag
def participation_instruments():
    """The instruments of ``consultations.instruments``, for menus and cabinets."""
    return INSTRUMENTS
