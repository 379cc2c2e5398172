"""The effectiveness rating (its formula, its edges) and the monitoring indicators (entry,
import, the public series with the residents' problems beside it)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from openpyxl import Workbook

from analytics import indicators, rating
from analytics.models import (
    AppealDay,
    AppealMonth,
    Indicator,
    IndicatorValue,
    ProcessingDays,
    ProcessingMonth,
)
from appeals.models import Category
from cabinets.roles import Role
from tests.factories import CabinetFactory, TerritoryFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def _day(cabinet, day=None, **figures):
    """A day's row of the rollup and its month's (the monthly tables are the daily ones summed:
    what a rebuild or a fold would write)."""
    day = day or timezone.localdate() - datetime.timedelta(days=10)
    cell = {"cabinet": cabinet, "channel": "portal", "kind": "statement", **figures}
    month, _created = AppealMonth.objects.get_or_create(
        month=day.replace(day=1), cabinet=cabinet, channel="portal", kind="statement"
    )
    AppealMonth.objects.filter(pk=month.pk).update(
        **{name: F(name) + n for name, n in figures.items()}
    )
    return AppealDay.objects.create(day=day, **cell)


def _histogram(cabinet, *pairs):
    day = timezone.localdate() - datetime.timedelta(days=10)
    for days, answers in pairs:
        ProcessingDays.objects.create(
            cabinet=cabinet,
            day=day,
            channel="portal",
            kind="statement",
            days=days,
            answers=answers,
        )
        ProcessingMonth.objects.create(
            cabinet=cabinet, month=day.replace(day=1), days=days, answers=answers
        )


# --- the rating ---------------------------------------------------------------------------


def test_score_follows_the_published_formula():
    cabinet = CabinetFactory(code="roads", short_name="Roads")
    # 20 answers, 15 on time, 5 closed without an answer on the merits, 2 reopened,
    # 4 ratings of 4 stars, a median of 15 days.
    _day(
        cabinet,
        answered=20,
        answered_on_time=15,
        no_merits=5,
        reopened=2,
        rating_sum=16,
        rating_count=4,
    )
    _histogram(cabinet, (10, 9), (15, 2), (40, 9))
    [row] = [r for r in rating.effectiveness() if r.cabinet_id == cabinet.pk]
    parts = {"on_time": 15 / 20, "resolution": 20 / 25, "rating": 3 / 4, "not_reopened": 0.9}
    parts["speed"] = 1 - 15 / 30
    weights = {k: w for k, w, _n, _h in rating.INDICATORS}
    expected = 100 * sum(weights[k] * v for k, v in parts.items()) / sum(weights.values())
    assert row.median_days == 15
    assert row.score == round(expected, 1)
    assert row.place == 1


def test_missing_indicators_leave_their_weight_out():
    """No ratings yet (fewer than 3): the other four carry the score in proportion."""
    cabinet = CabinetFactory()
    _day(cabinet, answered=10, answered_on_time=10, rating_sum=2, rating_count=2)
    _histogram(cabinet, (0, 10))
    [row] = [r for r in rating.effectiveness() if r.cabinet_id == cabinet.pk]
    assert row.components()["rating"] is None
    assert row.score == 100.0


@pytest.mark.parametrize(("answered", "rated"), [(9, False), (10, True)])
def test_too_few_answers_are_listed_without_a_score(answered, rated):
    cabinet = CabinetFactory()
    _day(cabinet, answered=answered, answered_on_time=answered)
    [row] = [r for r in rating.effectiveness() if r.cabinet_id == cabinet.pk]
    assert row.rated is rated
    assert (row.score is None) is not rated
    assert (row.place is None) is not rated


def test_speed_is_never_negative_and_late_answers_count_against():
    cabinet = CabinetFactory()
    _day(cabinet, answered=10, answered_on_time=0, reopened=20)
    _histogram(cabinet, (90, 10))
    [row] = [r for r in rating.effectiveness() if r.cabinet_id == cabinet.pk]
    assert row.components()["speed"] == 0.0
    assert row.components()["not_reopened"] == 0.0
    # only "answered on the merits" (all of them) scores: 20 of the 80 weights (no ratings)
    assert row.score == 25.0


def test_equal_scores_share_a_place_and_older_days_do_not_count():
    a, b, c = (CabinetFactory(short_name=n) for n in ("A", "B", "C"))
    for cabinet in (a, b):
        _day(cabinet, answered=10, answered_on_time=10)
    _day(c, answered=10, answered_on_time=5)
    _day(c, day=timezone.localdate() - datetime.timedelta(days=400), answered=100)
    rows = {r.cabinet_id: r for r in rating.effectiveness()}
    assert rows[a.pk].place == rows[b.pk].place == 1
    assert rows[c.pk].place == 3
    assert rows[c.pk].answered == 10


def test_rating_page_prints_the_formula_and_exports(client):
    cabinet = CabinetFactory(code="roads", short_name="Roads")
    _day(cabinet, answered=12, answered_on_time=12)
    CabinetFactory(code="quiet", short_name="Quiet")
    response = client.get(reverse("analytics:rating"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "How the score is computed" in body
    for _key, weight, name, how in rating.INDICATORS:
        assert escape(str(name)) in body and f"{weight} %" in body and escape(str(how)) in body
    assert "Not rated" in body  # the quiet cabinet
    assert reverse("analytics:authority", args=["roads"]) in body
    response = client.get(reverse("analytics:rating_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Place", "Authority", "Score"]
    assert rows[1][:3] == ["1", "Roads", "100.0"]
    assert client.get("/statistics/rating.pdf").status_code == 404


def test_authority_page_shows_its_record(client):
    cabinet = CabinetFactory(code="roads", short_name="Roads")
    _day(cabinet, answered=12, answered_on_time=6, received=2)
    Indicator.objects.create(code="km", name="Roads repaired", unit="km", cabinet=cabinet)
    Indicator.objects.create(
        code="secret", name="Draft figure", unit="x", cabinet=cabinet, is_published=False
    )
    response = client.get(reverse("analytics:authority", args=["roads"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "place 1 of 1" in body
    assert "Roads repaired" in body and "Draft figure" not in body
    assert "fewer than 3" in body  # two appeals received in the month
    assert client.get(reverse("analytics:authority", args=["none"])).status_code == 404


# --- indicators: parsing ------------------------------------------------------------------


@pytest.fixture
def keeper():
    cabinet = CabinetFactory(code="econ")
    return {
        "cabinet": cabinet,
        "registrar": member(cabinet, Role.REGISTRAR),
        "executor": member(cabinet, Role.EXECUTOR),
        "monthly": Indicator.objects.create(
            code="jobless", name="Unemployment", unit="%", cabinet=cabinet, target=Decimal("1.2")
        ),
        "quarterly": Indicator.objects.create(
            code="builds",
            name="Houses built",
            unit="pcs",
            cabinet=cabinet,
            frequency=Indicator.Frequency.QUARTER,
        ),
    }


@pytest.mark.parametrize(
    ("text", "monthly", "quarterly"),
    [
        ("2026", "2026-01-01", "2026-01-01"),
        ("2026-05", "2026-05-01", "2026-04-01"),
        ("2026-05-17", "2026-05-01", "2026-04-01"),
        ("2026-Q3", "2026-07-01", "2026-07-01"),
        (datetime.date(2026, 12, 31), "2026-12-01", "2026-10-01"),
    ],
)
def test_periods_move_to_the_first_day_of_their_period(keeper, text, monthly, quarterly):
    assert indicators.parse_period(keeper["monthly"], text).isoformat() == monthly
    assert indicators.parse_period(keeper["quarterly"], text).isoformat() == quarterly


@pytest.mark.parametrize("text", ["", "May", "2026-13", "2026-02-30", "2026-Q5", "26-05", "0001"])
def test_bad_periods_are_refused(keeper, text):
    with pytest.raises(ValidationError):
        indicators.parse_period(keeper["monthly"], text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,5", "1.500"), ("12 345.6", "12345.600"), ("-3", "-3.000"), (2.25, "2.250")],
)
def test_values_are_read_as_people_write_them(text, value):
    assert indicators.parse_value(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "NaN", "inf", "1e20", "1,2,3", None, True])
def test_bad_values_are_refused(text):
    with pytest.raises(ValidationError):
        indicators.parse_value(text)


# --- indicators: entry and import -----------------------------------------------------------


def test_only_the_keepers_publishers_enter_values(keeper):
    indicator = keeper["monthly"]
    day = datetime.date(2026, 3, 14)
    with pytest.raises(PermissionDenied):
        indicators.record_value(
            indicator=indicator, period=day, value="1", actor=keeper["executor"]
        )
    other = member(CabinetFactory(), Role.HEAD)
    with pytest.raises(PermissionDenied):
        indicators.record_value(indicator=indicator, period=day, value="1", actor=other)
    indicators.record_value(indicator=indicator, period=day, value="1,5", actor=keeper["registrar"])
    indicators.record_value(indicator=indicator, period=day, value="1.4", actor=keeper["registrar"])
    [row] = IndicatorValue.objects.all()
    assert row.period == datetime.date(2026, 3, 1) and row.value == Decimal("1.4")
    assert row.entered_by == keeper["registrar"]


def _csv(text, name="values.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_import_of_csv_and_xlsx(keeper):
    rows = indicators.read_rows(
        _csv("code;period;value;note\njobless;2026-01;1,9;Stat office\nbuilds;2026-Q1;12;\n")
    )
    result = indicators.import_values(
        cabinet=keeper["cabinet"], rows=rows, actor=keeper["registrar"]
    )
    assert (result.created, result.updated) == (2, 0)
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "period", "value"])
    sheet.append(["jobless", datetime.datetime(2026, 1, 20), 1.8])
    sheet.append(["jobless", "2026-02", 1.7])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("v.xlsx", out.getvalue())
    result = indicators.import_values(
        cabinet=keeper["cabinet"], rows=indicators.read_rows(upload), actor=keeper["registrar"]
    )
    assert (result.created, result.updated) == (1, 1)
    values = dict(keeper["monthly"].values.values_list("period", "value"))
    assert values == {
        datetime.date(2026, 1, 1): Decimal("1.8"),
        datetime.date(2026, 2, 1): Decimal("1.7"),
    }
    assert keeper["monthly"].values.get(period="2026-01-01").note == ""


def test_one_bad_row_imports_nothing_and_names_every_line(keeper):
    text = (
        "code,period,value\n"
        "jobless,2026-01,1.9\n"
        "nosuch,2026-01,1\n"
        "jobless,2026-13,1\n"
        "jobless,2026-02,many\n"
        "jobless,2026-01-15,2\n"
    )
    with pytest.raises(ValidationError) as error:
        indicators.import_values(
            cabinet=keeper["cabinet"],
            rows=indicators.read_rows(_csv(text)),
            actor=keeper["registrar"],
        )
    messages = error.value.messages
    assert [m.split(":")[0] for m in messages] == ["Line 3", "Line 4", "Line 5", "Line 6"]
    assert not IndicatorValue.objects.exists()


def test_import_refuses_other_cabinets_indicators_and_strangers(keeper):
    other = CabinetFactory()
    Indicator.objects.create(code="theirs", name="Theirs", unit="x", cabinet=other)
    with pytest.raises(ValidationError):
        indicators.import_values(
            cabinet=keeper["cabinet"],
            rows=[["theirs", "2026-01", "1"]],
            actor=keeper["registrar"],
        )
    with pytest.raises(PermissionDenied):
        indicators.import_values(
            cabinet=keeper["cabinet"], rows=[["jobless", "2026-01", "1"]], actor=keeper["executor"]
        )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("values.txt", b"code,period,value\n"),
        ("values.csv", "code\njobless".encode("cp1251") + b"\xff\xfe"),
        ("values.xlsx", b"not a workbook"),
        ("values.csv", b"code,period,value\n"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(keeper, name, data):
    with pytest.raises(ValidationError):
        rows = indicators.read_rows(SimpleUploadedFile(name, data))
        indicators.import_values(cabinet=keeper["cabinet"], rows=rows, actor=keeper["registrar"])


# --- indicators: screens ------------------------------------------------------------------


def test_service_screens_enter_and_import(client, keeper):
    cabinet = keeper["cabinet"]
    client.force_login(keeper["executor"])
    assert client.get(reverse("analytics_service:indicators", args=["econ"])).status_code == 404
    client.force_login(keeper["registrar"])
    listing = client.get(reverse("analytics_service:indicators", args=["econ"]))
    assert listing.status_code == 200 and b"Unemployment" in listing.content
    url = reverse("analytics_service:indicator", args=[cabinet.code, "jobless"])
    response = client.post(url, {"period": "2026-13", "value": "1,25", "note": "typed"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="1,25"' in body and 'value="typed"' in body  # what was typed is kept
    assert "There is no such date." in body
    response = client.post(url, {"period": "2026-04", "value": "1,25"})
    assert response.status_code == 302
    assert keeper["monthly"].values.get().value == Decimal("1.25")
    upload = _csv("code,period,value\nbuilds,2026-Q2,7\n")
    response = client.post(
        reverse("analytics_service:indicators", args=["econ"]), {"file": upload}, follow=True
    )
    assert b"Imported: 1 new values, 0 corrected." in response.content
    bad = _csv("code,period,value\nbuilds,2026-Q9,7\n")
    response = client.post(reverse("analytics_service:indicators", args=["econ"]), {"file": bad})
    assert response.status_code == 200 and b"Line 2:" in response.content


def test_public_series_shows_values_target_and_problems_beside(client, keeper):
    territory = TerritoryFactory(name="North")
    roads = Category.objects.create(name="Roads")
    indicator = keeper["monthly"]
    indicator.territory, indicator.category = territory, roads
    indicator.save()
    month = timezone.localdate().replace(day=1)
    IndicatorValue.objects.create(indicator=indicator, period=month, value=Decimal("1.5"))
    AppealDay.objects.create(
        cabinet=keeper["cabinet"],
        territory=territory,
        category=roads,
        day=month,
        channel="portal",
        kind="statement",
        received=2,
    )
    response = client.get(reverse("analytics:indicator", args=["jobless"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "stroke-dasharray" in body  # the target line
    assert "fewer than 3" in body  # two appeals: not shown as a number
    assert 'style="' not in body
    listing = client.get(reverse("analytics:indicators"), {"territory": territory.pk})
    assert b"Unemployment" in listing.content and b"Houses built" not in listing.content
    indicator.is_published = False
    indicator.save()
    assert client.get(reverse("analytics:indicator", args=["jobless"])).status_code == 404


def test_indicator_pages_without_values_have_empty_states(client, keeper):
    response = client.get(reverse("analytics:indicator", args=["builds"]))
    assert response.status_code == 200 and b"No values yet." in response.content
    Indicator.objects.all().delete()
    assert b"No indicators published yet." in client.get(reverse("analytics:indicators")).content


# --- the published figures are cached under the rollup's version ---------------------------


def test_rating_page_reads_one_row_while_the_rollup_is_unchanged(
    client, django_assert_num_queries, settings
):
    from analytics import services
    from analytics.models import RollupState

    settings.EDEM_PAGE_CACHE = False  # the rating's own cache is measured, not the whole page's

    cabinet = CabinetFactory(short_name="Roads")
    services.rebuild_all()  # the rollup has a version now
    _day(cabinet, answered=30, answered_on_time=30)
    _histogram(cabinet, (5, 30))
    RollupState.objects.update(last_run_at=timezone.now())  # as a refresh leaves it
    first = client.get(reverse("analytics:rating"))
    assert first.status_code == 200
    assert [row.answered for row in first.context["rows"]] == [30]
    with django_assert_num_queries(1):  # the version; the rows come from the cache
        again = client.get(reverse("analytics:rating"))
    assert [row.answered for row in again.context["rows"]] == [30]

    # The next refresh is a new version: the page computes the figures again.
    _day(cabinet, answered=10, answered_on_time=0)
    RollupState.objects.update(last_run_at=timezone.now() + datetime.timedelta(seconds=1))
    fresh = client.get(reverse("analytics:rating"))
    assert [row.answered for row in fresh.context["rows"]] == [40]


def test_statistics_are_cached_but_the_initiatives_are_counted_live(client):
    from analytics import services
    from appeals.initiatives.models import Initiative
    from tests.factories import CitizenFactory

    services.rebuild_all()
    assert client.get(reverse("analytics:statistics")).context["initiatives"]["total"] == 0
    Initiative.objects.create(title="Сквер", summary="…", initiator=CitizenFactory())
    assert client.get(reverse("analytics:statistics")).context["initiatives"]["total"] == 1
