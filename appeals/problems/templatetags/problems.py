"""Home page pieces of the public problems (cached selectors)."""

from django import template

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
