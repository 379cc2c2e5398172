"""Pieces of the public problems' pages: the home page's (cached selectors) and the status
badge."""

from django import template
from django.utils.html import format_html

from .. import selectors, teaser

register = template.Library()


@register.simple_tag
def latest_problems(limit=6):
    return selectors.latest_problems(limit)


@register.simple_tag
def problem_counts():
    return selectors.month_counts()


@register.simple_tag
def map_teaser():
    return teaser.map_teaser()


@register.simple_tag
def problem_state(code, label):
    """The public status badge (icon and words): a tag, not an ``{% include %}``, since lists
    show it once per row and an include costs a template lookup and a context each time."""
    return format_html(
        '<span class="problem-state problem-state-{}"><span class="problem-state-icon"'
        ' aria-hidden="true"></span>{}</span>',
        code,
        label,
    )
