import pytest
from django.core.exceptions import ValidationError

from edem.geo.lookup import territory_for
from edem.geo.models import Territory
from tests.factories import TerritoryFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    """Two districts side by side sharing the border lon=38.01, and a microdistrict inside
    the western one."""
    west = TerritoryFactory(name="West", boundary=square(38.00, 56.00, 0.01))
    east = TerritoryFactory(name="East", boundary=square(38.01, 56.00, 0.01))
    old_town = TerritoryFactory(
        name="Old town",
        kind=Territory.Kind.MICRODISTRICT,
        parent=west,
        boundary=square(38.002, 56.002, 0.002),
    )
    return west, east, old_town


def test_point_inside_a_district(town):
    west, east, _ = town
    assert territory_for(56.008, 38.008) == west
    assert territory_for(56.005, 38.015) == east


def test_the_smallest_containing_territory_wins(town):
    _, _, old_town = town
    assert territory_for(56.003, 38.003) == old_town


def test_point_outside_every_territory(town):
    assert territory_for(55.0, 37.0) is None
    assert territory_for(float("nan"), 38.0) is None


def test_shared_border_goes_to_the_smaller_territory_then_to_the_older(town):
    west, east, _ = town
    # Same area: the older (lower id) wins on the shared border, whatever the query order.
    assert territory_for(56.005, 38.01) == west
    # A smaller neighbour wins the border.
    east.boundary = square(38.01, 56.00, 0.005)
    east.save()
    assert territory_for(56.002, 38.01) == east


def test_index_follows_changes(town):
    west, _, _ = town
    west.boundary = square(30.0, 50.0, 0.01)
    west.save()
    assert territory_for(56.008, 38.008) is None


def test_invalid_boundary_is_refused_with_a_reason():
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    territory = Territory(name="Broken", boundary=bow_tie)
    with pytest.raises(ValidationError) as excinfo:
        territory.full_clean()
    assert "boundary" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        Territory(name="Point", boundary={"type": "Point", "coordinates": [0, 0]}).full_clean()


def test_demo_town_districts_cover_the_centre():
    from django.core.management import call_command

    call_command("seed_demo", quiet=True, bare=True)
    assert territory_for(56.0, 38.0).name == "Центральный район"
    assert territory_for(56.03, 38.0).name == "Северный район"
    assert territory_for(55.96, 38.0).name == "Заречный район"
