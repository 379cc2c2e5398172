from django import template
from django.utils.html import format_html

from edem.core.idempotency import FIELD_NAME, new_token

register = template.Library()


@register.simple_tag
def idempotency_field():
    """The hidden token of a form that creates something (``edem.core.idempotency``): a new one
    on every render (a form shown again after an error created nothing with its old one)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD_NAME, new_token())
