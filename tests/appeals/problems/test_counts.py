"""The list's total: read from the cluster grid (plus the problems without a point) when the
filters allow it; it must always equal a plain COUNT of the same filters."""

import pytest
from django.core.cache import cache

from appeals.models import Category
from appeals.problems import selectors
from appeals.problems.models import PublicProblem, PublicState
from tests.factories import TerritoryFactory
from tests.helpers import appeal_changed

from .helpers import public_appeal

pytestmark = pytest.mark.django_db


def test_count_from_the_grid_equals_a_count_of_the_rows():
    town = TerritoryFactory(name="Town")
    north = TerritoryFactory(name="North", parent=town)
    roads, parks = Category.objects.create(name="Roads"), Category.objects.create(name="Parks")
    public_appeal(56.001, 38.001, category=roads, territory=north)
    public_appeal(56.002, 38.002, category=roads, territory=town)
    public_appeal(56.003, 38.003, category=parks, territory=north, status="answered")
    public_appeal(56.004, 38.004, category=parks)
    no_point = public_appeal(category=roads, territory=north)
    no_point.latitude = no_point.longitude = None
    no_point.save()
    appeal_changed(no_point)
    public_appeal(56.005, 38.005, category=roads, is_public=False)
    assert PublicProblem.objects.filter(lat__isnull=True).count() == 1

    answered = PublicProblem.objects.filter(appeal__status="answered").first().state
    cases = [
        {},
        {"category": roads.pk},
        {"category": parks.pk},
        {"territory": town.pk},  # a territory includes its parts
        {"territory": north.pk},
        {"state": answered},
        {"state": PublicState.ANSWERED, "category": roads.pk},
        {"category": roads.pk, "territory": north.pk},
    ]
    for filters in cases:
        cache.clear()
        expected = selectors.filtered(filters).count()
        assert selectors.problem_count(filters) == expected, filters
    assert selectors.problem_count({}) == 5


def test_count_follows_changes_at_once():
    first = public_appeal(56.001, 38.001)
    assert selectors.problem_count({}) == 1
    public_appeal(56.002, 38.002)
    assert selectors.problem_count({}) == 2
    first.is_public = False
    first.save()
    appeal_changed(first)
    assert selectors.problem_count({}) == 1
