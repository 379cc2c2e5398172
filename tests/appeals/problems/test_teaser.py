"""The home page's map teaser: an SVG of the territories and the public problems on them,
drawn on the server (no tiles: it works on an intranet), linking to the interactive map."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from appeals.problems.teaser import HEIGHT, WIDTH, map_teaser
from tests.factories import TerritoryFactory, square
from tests.helpers import appeal_changed

from .helpers import public_appeal

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def _svg_of(html):
    start = html.index("<svg")
    end = html.index("</svg>", start) + len("</svg>")
    return ET.fromstring(html[start:end].replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))  # noqa: S314 - our own page


def test_teaser_counts_only_public_problems_inside_the_town(client):
    town = TerritoryFactory(name="Демоград", parent=None, boundary=square(38.0, 56.0, 0.04))
    TerritoryFactory(name="Центральный", parent=town, boundary=square(38.0, 56.0, 0.02))
    for lat, lon in ((56.005, 38.005), (56.006, 38.006), (56.03, 38.03)):
        public_appeal(lat, lon)
    public_appeal(56.01, 38.01, is_public=False)
    public_appeal(57.5, 39.5)  # far outside the town's box

    teaser = map_teaser()
    assert teaser["total"] == 3 and sum(dot["n"] for dot in teaser["dots"]) == 3
    assert {shape["name"] for shape in teaser["shapes"]} == {"Демоград", "Центральный"}
    assert teaser["shapes"][-1]["root"]  # the town's outline is drawn last, on top
    assert teaser["shapes"][0]["label"] and not teaser["shapes"][-1]["label"]
    for dot in teaser["dots"]:
        assert 0 <= dot["x"] <= WIDTH and 0 <= dot["y"] <= HEIGHT

    html = client.get(reverse("home")).content.decode()
    svg = _svg_of(html)  # well-formed, with numbers written with a dot in any language
    assert svg.get("role") == "img"
    assert "3 public problems with a place on the map" in svg.find(f"{SVG}desc").text
    assert len(svg.findall(f".//{SVG}circle")) == len(teaser["dots"])
    assert f'<a class="map-teaser" href="{reverse("map:index")}">' in html


def test_teaser_follows_a_change_of_publicity(client):
    TerritoryFactory(parent=None, boundary=square(38.0, 56.0, 0.04))
    appeal = public_appeal(56.005, 38.005)
    assert map_teaser()["total"] == 1
    appeal.is_public = False
    appeal.save()
    appeal_changed(appeal)
    assert map_teaser()["total"] == 0


def test_teaser_without_territories_uses_the_maps_opening_view(client, settings):
    settings.EDEM_MAP_CENTER = (56.0, 38.0)
    settings.EDEM_MAP_ZOOM = 12
    public_appeal(56.001, 38.001)
    teaser = map_teaser()
    assert teaser["shapes"] == [] and teaser["total"] == 1
    with_russian = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    _svg_of(with_russian)
