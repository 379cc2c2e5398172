"""The clustered JSON: points below the threshold, clusters above, counts add up; bad boxes
get a 400 with a reason."""

import pytest
from django.urls import reverse

from appeals.problems import selectors
from appeals.problems.models import PublicProblem
from tests.helpers import appeal_changed

from .helpers import public_appeal

pytestmark = pytest.mark.django_db

URL = "/map/problems.json"


def make(n, lat=56.0, lon=38.0, step=0.0005):
    for i in range(n):
        public_appeal(lat=lat + (i % 40) * step, lon=lon + (i // 40) * step)
    return n


def test_url_is_the_contract():
    assert reverse("map:problems_json") == URL


def test_points_then_clusters_at_the_threshold(client, monkeypatch):
    monkeypatch.setattr(selectors, "POINTS_LIMIT", 10)
    make(10)
    box = {"bbox": "37.9,55.9,38.1,56.1", "zoom": "16"}
    data = client.get(URL, box).json()
    assert data["kind"] == "points" and data["total"] == 10 and len(data["points"]) == 10
    public_appeal(lat=56.001, lon=38.001)
    data = client.get(URL, {**box, "zoom": "15"}).json()  # another key: not the cached answer
    assert data["kind"] == "clusters"
    assert sum(c[2] for c in data["clusters"]) == 11 == data["total"]
    assert len(data["clusters"]) < 11


def in_returned_box(data):
    west, south, east, north = data["bbox"]
    return PublicProblem.objects.filter(
        lat__gte=south, lat__lt=north, lon__gte=west, lon__lt=east
    ).count()


@pytest.mark.parametrize("zoom", [3, 10, 13, 16, 17, 19])
def test_cluster_counts_add_up_to_the_box(client, monkeypatch, zoom):
    monkeypatch.setattr(selectors, "POINTS_LIMIT", 5)
    make(30)
    public_appeal(lat=10.0, lon=10.0)  # far outside the box
    data = client.get(URL, {"bbox": "37.9,55.9,38.1,56.1", "zoom": zoom}).json()
    assert data["kind"] == "clusters"
    assert sum(c[2] for c in data["clusters"]) == data["total"] == 30
    # a small box that cuts through the problems: exactly those inside the (returned) box
    data = client.get(URL, {"bbox": "37.99,55.99,38.0,56.004", "zoom": zoom}).json()
    total = data["total"] if data["kind"] == "points" else sum(c[2] for c in data["clusters"])
    assert total == data["total"] == in_returned_box(data)
    assert 0 < total < 30 or zoom <= 10
    west, south, east, north = data["bbox"]
    assert west <= 37.99 and south <= 55.99 and east >= 38.0 and north >= 56.004


def test_precomputed_and_live_clusters_agree(client, monkeypatch):
    monkeypatch.setattr(selectors, "POINTS_LIMIT", 5)
    make(60, step=0.003)
    box = {"bbox": "37.95,55.95,38.2,56.2", "zoom": 14}
    precomputed = client.get(URL, box).json()
    # a filter the grid cannot answer (a period that covers everything) takes the live path
    live = client.get(URL, {**box, "period": "365"}).json()
    assert sorted(precomputed["clusters"]) == sorted(live["clusters"])


@pytest.mark.parametrize("state", [None, "answered"])
def test_a_period_summed_from_the_day_grid_agrees_with_the_rows(client, monkeypatch, state):
    """Problems received over 40 days, some on the period's first (partial) day: the grid per
    day plus that day's rows give the clusters that grouping every row in the period gives."""
    from datetime import timedelta

    from django.db.models import Avg, Count
    from django.utils import timezone

    monkeypatch.setattr(selectors, "POINTS_LIMIT", 0)  # always clusters
    now = timezone.now()
    for i in range(60):
        received = now - timedelta(days=i * 40 / 60, hours=i % 5)
        status = "answered" if i % 3 else "registered"
        public_appeal(lat=56.0 + (i % 8) * 0.004, lon=38.0 + (i // 8) * 0.004,
                      received_at=received, status=status)  # fmt: skip
    params = {"bbox": "37.95,55.95,38.2,56.2", "zoom": 13, "period": "30"}
    if state:
        params["status"] = state
    data = client.get(URL, params).json()
    cells, box = selectors.snapped((37.95, 55.95, 38.2, 56.2), 13)
    filters = {"period": 30, "state": 3 if state else None}
    rows = (
        selectors.in_cells(selectors.filtered(filters), cells, box, 13)
        .order_by().values("cx", "cy").annotate(n=Count("*"), a=Avg("lat"), o=Avg("lon"))
    )  # fmt: skip
    expected = sorted([round(r["a"], 5), round(r["o"], 5), r["n"]] for r in rows)
    assert sorted(data["clusters"]) == expected
    assert data["total"] == sum(c[2] for c in expected) > 0


def test_grid_follows_changes_of_the_appeal(client, monkeypatch):
    from appeals.models import Appeal

    monkeypatch.setattr(selectors, "POINTS_LIMIT", 0)  # always clusters
    appeal = public_appeal(lat=56.0, lon=38.0)
    box = {"bbox": "37.9,55.9,38.1,56.1", "zoom": 12}
    assert client.get(URL, box).json()["total"] == 1
    appeal = Appeal.objects.get(pk=appeal.pk)
    appeal.latitude, appeal.longitude = 10, 10
    appeal.save()
    appeal_changed(appeal)
    assert client.get(URL, box).json()["total"] == 0
    appeal.latitude, appeal.longitude = 56.01, 38.01
    appeal.status = "answered"
    appeal.save()
    appeal_changed(appeal)
    assert client.get(URL, {**box, "status": "answered"}).json()["total"] == 1
    assert client.get(URL, {**box, "status": "new"}).json()["total"] == 0
    appeal.is_public = False
    appeal.save()
    appeal_changed(appeal)
    assert client.get(URL, box).json()["total"] == 0


def test_filters_apply_to_the_json(client):
    a = public_appeal(status="answered")
    public_appeal(status="registered")
    data = client.get(URL, {"bbox": "37.9,55.9,38.1,56.1", "zoom": 14, "status": "answered"}).json()
    assert [p[0] for p in data["points"]] == [a.pk]
    assert data["points"][0][3] == "answered"


@pytest.mark.parametrize(
    "bbox",
    [
        "nan,55,38,56",
        "37,55,inf,56",
        "37,-inf,38,56",
        "-181,55,38,56",
        "37,55,38,91",
        "38,55,37,56",  # west > east
        "37,56,38,55",  # south > north
        "37,55,37,56",  # empty
        "37,55,38",
        "a,b,c,d",
        "",
    ],
)
def test_bad_bbox_is_400_with_a_reason(client, bbox):
    response = client.get(URL, {"bbox": bbox, "zoom": 12})
    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize("zoom", ["", "-1", "23", "1.5", "x"])
def test_bad_zoom_is_400(client, zoom):
    response = client.get(URL, {"bbox": "37,55,38,56", "zoom": zoom})
    assert response.status_code == 400
    assert "zoom" in response.json()["error"]


def test_bad_filter_is_400(client):
    response = client.get(URL, {"bbox": "37,55,38,56", "zoom": 12, "status": "nope"})
    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_territory_filter_on_the_grid_includes_the_parts(client, monkeypatch):
    from tests.factories import TerritoryFactory

    monkeypatch.setattr(selectors, "POINTS_LIMIT", 0)  # always clusters
    district = TerritoryFactory()
    part = TerritoryFactory(parent=district, kind="microdistrict")
    elsewhere = TerritoryFactory()
    for territory in (district, part, part, elsewhere):
        public_appeal(territory=territory)
    box = {"bbox": "37.9,55.9,38.1,56.1", "zoom": 12}
    assert client.get(URL, {**box, "territory": district.pk}).json()["total"] == 3
    assert client.get(URL, {**box, "territory": part.pk}).json()["total"] == 2
    # the live path (a period added) agrees with the grid
    live = client.get(URL, {**box, "territory": district.pk, "period": "365"}).json()
    assert live["total"] == 3
