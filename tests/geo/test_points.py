"""A place typed or clicked into a form (issue 11, point 4): outside the municipality refused,
swapped latitude and longitude offered back corrected, non-finite and out-of-range numbers named
exactly; the typed values come back with the error beside the field."""

import html as htmllib
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from appeals.models import Appeal
from consultations.budgets.models import Project
from consultations.budgets.workflow import Phase
from edem.geo import points
from tests.consultations.budgets.factories import VoterFactory, cycle_in
from tests.consultations.budgets.test_views import lines_data
from tests.factories import CabinetFactory, CitizenFactory, TerritoryFactory, square

pytestmark = pytest.mark.django_db

INSIDE = ("56.004000", "38.005000")  # in the town: lon 38.0–38.01, lat 56.0–56.01
SWAPPED = ("38.005000", "56.004000")
AFAR = ("-33.868800", "151.209300")  # Sydney


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def town():
    CabinetFactory(code="adm", kind="administration")
    return TerritoryFactory(name="Demograd", boundary=square(38.0, 56.0, 0.01))


def filing(lat, lon, **extra):
    return {
        "kind": "statement",
        "cabinet": "",
        "subject": "Яма на дороге",
        "text": "Глубокая яма у дома 5.",
        "place": "ул. Садовая, 5",
        "latitude": lat,
        "longitude": lon,
        "last_name": "Иванова",
        "first_name": "Мария",
        "answer_channel": "email",
        "email": "ivanova@example.org",
        "personal_data_consent": "on",
        **extra,
    }


def field_group(page, name):
    """The field group (label, errors, input) of the input ``name`` in the page."""
    for group in re.findall(r"<div[^>]*>\s*<label.*?</div>", page, re.S):
        if f'name="{name}"' in group:
            return group
    raise AssertionError(f"no field group for {name}")


def errors_of(group):
    return htmllib.unescape(" ".join(re.findall(r'<ul class="errorlist".*?</ul>', group, re.S)))


def value_of(group, name):
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', group).group(0)
    value = re.search(r'value="([^"]*)"', found)
    return htmllib.unescape(value.group(1)) if value else ""


def post_filing(client, lat, lon):
    client.force_login(CitizenFactory())
    return client.post(reverse("appeals:file"), filing(lat, lon), HTTP_ACCEPT_LANGUAGE="en")


def test_a_point_inside_the_municipality_is_filed_with_its_territory(client, town):
    response = post_filing(client, *INSIDE)
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and appeal.territory == town
    assert str(appeal.latitude) == INSIDE[0]


def test_a_point_on_another_continent_is_refused_with_the_values_kept_beside_the_field(
    client, town
):
    response = post_filing(client, *AFAR)
    assert response.status_code == 400 and not Appeal.objects.exists()
    page = response.content.decode()
    group = field_group(page, "latitude")
    assert "outside the municipality" in errors_of(group)
    assert value_of(group, "latitude") == AFAR[0]
    assert value_of(field_group(page, "longitude"), "longitude") == AFAR[1]
    assert '<details class="place-coordinates" open>' in page
    assert 'value="ул. Садовая, 5"' in page  # everything else typed is kept too


def test_swapped_latitude_and_longitude_are_offered_back_corrected(client, town):
    response = post_filing(client, *SWAPPED)
    assert response.status_code == 400 and not Appeal.objects.exists()
    page = response.content.decode()
    group = field_group(page, "latitude")
    assert "Did you mean latitude 56.004000, longitude 38.005000?" in errors_of(group)
    # the corrected pair is filled in: sending the form again files it
    assert value_of(group, "latitude") == INSIDE[0]
    assert value_of(field_group(page, "longitude"), "longitude") == INSIDE[1]
    response = client.post(reverse("appeals:file"), filing(*INSIDE), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert Appeal.objects.get().territory == town


@pytest.mark.parametrize(
    ("lat", "lon", "field", "message"),
    [
        ("nan", INSIDE[1], "latitude", "The latitude must be a finite number"),
        ("NaN", INSIDE[1], "latitude", "The latitude must be a finite number"),
        (INSIDE[0], "inf", "longitude", "The longitude must be a finite number"),
        ("-Infinity", INSIDE[1], "latitude", "The latitude must be a finite number"),
        ("91", INSIDE[1], "latitude", "The latitude must be between -90 and 90 degrees; it is 91."),
        (INSIDE[0], "-180.5", "longitude", "between -180 and 180 degrees; it is -180.5."),
        ("56°N", INSIDE[1], "latitude", "The latitude must be a number of degrees"),
        ("", INSIDE[1], "latitude", "Give both the latitude and the longitude"),
    ],
)
def test_bad_numbers_get_an_exact_message_beside_the_field(client, town, lat, lon, field, message):
    response = post_filing(client, lat, lon)
    assert response.status_code == 400 and not Appeal.objects.exists()
    page = response.content.decode()
    group = field_group(page, field)
    assert message in errors_of(group)
    assert value_of(group, field) == (lat if field == "latitude" else lon)
    assert "incomplete" not in page


def test_a_decimal_comma_and_a_long_gps_fraction_are_accepted(client, town):
    response = post_filing(client, "56,0040004999", "38.0050001")
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.latitude, appeal.longitude) == (Decimal("56.004000"), Decimal("38.005000"))


def test_without_any_territory_set_up_a_point_is_not_judged(client):
    CabinetFactory(code="adm", kind="administration")
    assert points.judge(Decimal(AFAR[0]), Decimal(AFAR[1])) == "unknown"
    assert post_filing(client, *AFAR).status_code == 302


def test_judge_tells_inside_swapped_and_outside(town):
    assert points.judge(Decimal(INSIDE[0]), Decimal(INSIDE[1])) == "inside"
    assert points.judge(Decimal(SWAPPED[0]), Decimal(SWAPPED[1])) == "swapped"
    assert points.judge(Decimal(AFAR[0]), Decimal(AFAR[1])) == "outside"


def project_data(lat, lon):
    return {
        "title": "Скамейки",
        "problem": "Нет скамеек",
        "description": "Поставить скамейки",
        "beneficiaries": "Соседи",
        "address": "ул. Речная, 5",
        "latitude": lat,
        "longitude": lon,
        **lines_data(("Скамейка", "2", "1000")),
    }


@pytest.mark.parametrize(
    ("lat", "lon", "message", "shown"),
    [
        (*SWAPPED, "Did you mean latitude 56.004000, longitude 38.005000?", INSIDE[0]),
        (*AFAR, "outside the municipality", AFAR[0]),
        ("nan", "nan", "The latitude must be a finite number", "nan"),
    ],
)
def test_the_budget_project_form_checks_its_place_the_same_way(
    client, town, lat, lon, message, shown
):
    cycle = cycle_in(Phase.SUBMISSION)
    client.force_login(VoterFactory())
    url = reverse("budgets:submit", args=[cycle.pk])
    response = client.post(url, project_data(lat, lon), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and not Project.objects.exists()
    group = field_group(response.content.decode(), "latitude")
    assert message in errors_of(group)
    assert value_of(group, "latitude") == shown
    response = client.post(url, project_data(*INSIDE), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and Project.objects.get().latitude == Decimal(INSIDE[0])
