"""The head's dashboard and the public statistics through the Django client."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from analytics import services
from analytics.exports import neutralise
from appeals.models import Answer, AppealEvent, Category, Rating
from cabinets.roles import Role
from tests.factories import AppealFactory, CabinetFactory, TerritoryFactory, member, square

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """Pages and the labels compared here in English."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def town():
    """A head's cabinet with a department below it, a third cabinet beside, appeals in each."""
    top = CabinetFactory(code="admin")
    below = CabinetFactory(code="roads", parent=top)
    beside = CabinetFactory(code="other")
    territory = TerritoryFactory(name="Центральный", boundary=square(37.6, 55.7, 0.05))
    TerritoryFactory(name="Северный", boundary=square(37.6, 55.8, 0.05))
    roads = Category.objects.create(name="Дороги")
    head = member(top, Role.HEAD)
    executor = member(below, Role.EXECUTOR)
    today = timezone.localdate()
    now = timezone.now()
    appeals = []
    for i, cabinet in enumerate([top, below, below, below, beside]):
        appeal = AppealFactory(
            cabinet=cabinet,
            territory=territory,
            category=roads,
            subject=f'=HYPERLINK("x") яма {i}',
            received_at=now - datetime.timedelta(days=20),
            status="in_work",
            executor=executor if cabinet == below else None,
            legal_due=today - datetime.timedelta(days=2)
            if i % 2
            else today + datetime.timedelta(days=1),
            control_due=today + datetime.timedelta(days=1),
            number=f"N-{i}",
        )
        AppealEvent.objects.create(appeal=appeal, at=appeal.received_at, action="receive")
        appeals.append(appeal)
    answered = appeals[1]
    Answer.objects.create(
        appeal=answered, text="…", drafted_by=executor, signed_at=now, on_time=True
    )
    answered.status = "answered"
    answered.save()
    Rating.objects.create(appeal=answered, stars=1)
    services.rebuild_all()
    return {
        "top": top,
        "below": below,
        "beside": beside,
        "head": head,
        "executor": executor,
        "appeals": appeals,
        "territory": territory,
    }


def test_head_sees_figures_of_the_cabinet_and_the_cabinets_below(client, town):
    client.force_login(town["head"])
    response = client.get(reverse("analytics_service:dashboard", args=["admin"]))
    assert response.status_code == 200
    body = response.content.decode()
    figures = {str(k): v for k, v in response.context["data"]["figures"].rows}
    assert figures["Received"] == 4  # 1 in the head's cabinet + 3 below; not the one beside
    assert figures["Answered"] == 1
    assert figures["Median processing days"] == 20
    assert figures["Overdue and open now"] == 1
    overdue = response.context["data"]["tables"][2]
    assert overdue.key == "overdue" and len(overdue.rows) == 1  # appeal 3 (1 is answered)
    assert reverse("appeals_service:card", args=[town["appeals"][3].pk]) in body
    assert "<svg" in body and 'role="img"' in body
    assert 'style="' not in body


def test_dashboard_filters_by_territory_in_the_url(client, town):
    client.force_login(town["head"])
    other = TerritoryFactory(name="Южный")
    response = client.get(
        reverse("analytics_service:dashboard", args=["admin"]), {"territory": other.pk}
    )
    figures = {str(k): v for k, v in response.context["data"]["figures"].rows}
    assert figures["Received"] == 0


def test_dashboard_query_count_is_bounded(client, town):
    client.force_login(town["head"])
    url = reverse("analytics_service:dashboard", args=["admin"])
    client.get(url)  # warm the session and the cabinet permissions
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) <= 15, "\n".join(q["sql"][:150] for q in queries)


@pytest.mark.parametrize("who", ["outsider", "executor", "head_beside"])
def test_others_get_404(client, town, who):
    user = {
        "outsider": lambda: member(CabinetFactory(), Role.HEAD),
        "executor": lambda: town["executor"],
        "head_beside": lambda: member(town["beside"], Role.HEAD),
    }[who]()
    client.force_login(user)
    assert client.get(reverse("analytics_service:dashboard", args=["admin"])).status_code == 404
    export = reverse("analytics_service:export", args=["admin", "figures", "csv"])
    assert client.get(export).status_code == 404


def test_exports_neutralise_formulas(client, town):
    client.force_login(town["head"])
    response = client.get(reverse("analytics_service:export", args=["admin", "overdue", "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1].startswith("'=HYPERLINK")
    response = client.get(reverse("analytics_service:export", args=["admin", "overdue", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][1].startswith("'=HYPERLINK")
    assert neutralise("-1+2") == "'-1+2" and neutralise(-3) == -3 and neutralise("@x") == "'@x"


def test_every_table_exports(client, town):
    client.force_login(town["head"])
    response = client.get(reverse("analytics_service:dashboard", args=["admin"]))
    for table in response.context["data"]["tables"]:
        for fmt in ("csv", "xlsx"):
            url = reverse("analytics_service:export", args=["admin", table.key, fmt])
            assert client.get(url).status_code == 200, (table.key, fmt)


def test_public_statistics_suppresses_small_counts(client, town):
    response = client.get(reverse("analytics:statistics"))
    assert response.status_code == 200
    body = response.content.decode()
    rows = {row["name"]: row for row in response.context["territories"]}
    assert rows["Центральный"]["total"] == "5"
    assert rows["Северный"]["total"] == "0"
    assert rows["Центральный"]["topics"] == [("Дороги", "5")]
    solved = {a["name"]: a for a in response.context["authorities"]}
    this_month = solved[town["below"].short_name]["months"][-1]
    assert this_month["answered"] == "fewer than 3" and this_month["on_time"] == "—"
    assert "<path" in body and "Центральный" in body
    assert "Петров" not in body  # no personal data
    assert 'style="' not in body and "<script>" not in body
    assert reverse("analytics:statistics") in client.get("/").content.decode()
