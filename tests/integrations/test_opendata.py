"""Open data: the nightly dump read back in every format, small counts hidden, no personal
data, the /open-data/ page and the paginated JSON."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation

from analytics.models import AppealDay
from appeals.problems.models import PublicProblem
from consultations.budgets.workflow import ProjectStatus
from consultations.polls.models import Answer, Ballot
from consultations.polls.workflow import Status as PollStatus
from integrations import opendata
from integrations.models import OpenDataFile
from tests.appeals.problems.helpers import personal_appeal, personal_values, public_appeal
from tests.consultations.budgets.factories import BudgetCycleFactory, ProjectFactory
from tests.consultations.petitions.factories import CollectingPetitionFactory
from tests.consultations.polls.factories import PollFactory, opts, question
from tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def read(name, fmt):
    record = OpenDataFile.objects.get(dataset=name, format=fmt)
    with default_storage.open(record.path, "rb") as handle:
        body = handle.read().decode("utf-8")
    assert record.size == len(body.encode("utf-8"))
    return record, body


@pytest.fixture
def world():
    secret = personal_appeal(status="answered")
    PublicProblem.objects.filter(pk=secret.pk).update(
        answer_text="Яма заделана.", answer_signer_name="Глава", answer_signed_at=timezone.now()
    )
    plain = public_appeal(status="in_work")
    PublicProblem.objects.filter(pk=plain.pk).update(lat=None, lon=None)
    petition = CollectingPetitionFactory(signature_count=7)
    # A poll whose results are public: 1 ballot in a hamlet, 5 in town.
    poll = PollFactory(status=PollStatus.COMPLETED)
    q = question(poll)
    yes, no = opts(q)
    hamlet, town = TerritoryFactory(name="Хутор"), TerritoryFactory(name="Город")
    for i, (territory, option) in enumerate([(hamlet, yes)] + [(town, yes)] * 3 + [(town, no)] * 2):
        ballot = Ballot.objects.create(poll=poll, voter_key=f"k{i}", territory=territory)
        Answer.objects.create(ballot=ballot, question=q, option_id=option)
    PollFactory(status=PollStatus.ACTIVE)  # results only after closing: not published
    cycle = BudgetCycleFactory(results_published_at=timezone.now(), status="winners_published")
    ProjectFactory(cycle=cycle, status=ProjectStatus.SELECTED, final_votes=9, rank=1)
    AppealDay.objects.create(
        cabinet=secret.cabinet,
        day=date(2026, 11, 3),
        channel="portal",
        kind="statement",
        received=1,
        registered=5,
        answered=0,
    )
    AppealDay.objects.create(
        cabinet=secret.cabinet,
        day=date(2026, 11, 20),
        channel="portal",
        kind="statement",
        received=1,
        registered=1,
    )
    return {"secret": secret, "plain": plain, "petition": petition, "poll": poll}


def test_dump_reads_back_in_every_format_without_personal_data(world):
    written = opendata.dump_all(force=True)
    assert {(f.dataset, f.format) for f in written} == {
        (d.name, fmt) for d in opendata.DATASETS.values() for fmt in d.formats
    }
    secrets = personal_values(world["secret"]) + [world["petition"].author_name]
    for record in OpenDataFile.objects.all():
        _record, body = read(record.dataset, record.format)
        for secret in secrets:
            assert secret not in body, (record, secret)

    _r, body = read("problems", "csv")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {int(r["id"]) for r in rows} == {world["secret"].pk, world["plain"].pk}
    assert list(rows[0]) == [f.name for f in opendata.DATASETS["problems"].fields]

    _r, body = read("problems", "json")
    data = json.loads(body)
    assert data["licence"]["code"] == "CC-BY-4.0" and len(data["rows"]) == 2

    _r, body = read("problems", "geojson")
    geo = json.loads(body)
    assert geo["type"] == "FeatureCollection"
    by_id = {f["id"]: f for f in geo["features"]}
    assert by_id[world["secret"].pk]["geometry"]["type"] == "Point"
    assert by_id[world["plain"].pk]["geometry"] is None

    _r, body = read("answers", "json")
    (answer,) = json.loads(body)["rows"]
    assert answer["problem_id"] == world["secret"].pk and answer["answer"] == "Яма заделана."

    _r, body = read("petitions", "csv")
    (petition,) = csv.DictReader(io.StringIO(body))
    assert petition["signatures"] == "7" and "author" not in body

    _r, body = read("budgets", "json")
    (project,) = json.loads(body)["rows"]
    assert project["votes"] == 9 and project["selected"] is True

    dictionary = json.loads(read("dictionary", "json")[1])
    assert {d["name"] for d in dictionary["datasets"]} == set(opendata.DATASETS)


def test_R18_dumped_poll_results_and_statistics_hide_small_counts(world):
    opendata.dump_all(force=True)
    rows = json.loads(read("polls", "json")[1])["rows"]
    assert {r["poll_id"] for r in rows} == {world["poll"].pk}  # the active poll is not there
    ballots = {r["territory"]: r for r in rows if r["question_id"] is None}
    assert ballots["Хутор"]["count"] is None and ballots["Хутор"]["count_hidden"] == "small"
    # the town's 5 would give the hamlet's 1 away (6 ballots are published): hidden too
    assert ballots["Город"]["count"] is None and ballots["Город"]["count_hidden"] == "other"
    overall = [r for r in rows if r["question_id"] and not r["territory"]]
    assert sorted(r["count"] for r in overall) == [2, 4]  # as the public page shows them
    in_hamlet = [r for r in rows if r["question_id"] and r["territory"] == "Хутор"]
    assert in_hamlet and all(r["count"] is None for r in in_hamlet)

    (month,) = json.loads(read("appeal_statistics", "json")[1])["rows"]
    assert month["received"] is None and month["registered"] == 6 and month["answered"] == 0
    assert month["hidden"] == "received"
    (line,) = csv.DictReader(io.StringIO(read("appeal_statistics", "csv")[1]))
    assert line["received"] == "" and line["registered"] == "6"


def test_dump_runs_once_a_day_and_replaces_its_files(world):
    assert opendata.dump_all()
    assert opendata.dump_all() == []  # the same local day: nothing to do
    first = OpenDataFile.objects.get(dataset="problems", format="csv")
    public_appeal(status="registered")
    opendata.dump_all(force=True)
    again = OpenDataFile.objects.get(dataset="problems", format="csv")
    assert again.path == first.path and again.rows == first.rows + 1
    assert not default_storage.exists(first.path + "_")  # no renamed copies pile up
    names = default_storage.listdir(opendata.PREFIX)[1]
    assert sorted(names) == sorted(set(names)) and len(names) == OpenDataFile.objects.count()


def test_task_is_on_the_beat_schedule():
    from edem.celery import BEAT_SCHEDULE

    assert ("integrations.opendata_tasks.dump_open_data", 3600) in BEAT_SCHEDULE.values()


def test_open_data_page_and_paginated_json(client, world, monkeypatch):
    empty = client.get(reverse("opendata:index"))
    assert empty.status_code == 200
    opendata.dump_all(force=True)
    page = client.get(reverse("opendata:index"))
    html = page.content.decode()
    assert 'id="problems"' in html and 'rel="license"' in html
    assert reverse("opendata:file", args=["problems", "geojson"]) in html
    download = client.get(reverse("opendata:file", args=["problems", "csv"]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"id,number,")
    assert client.get(reverse("opendata:file", args=["nothing", "csv"])).status_code == 404

    monkeypatch.setattr(opendata, "PAGE_SIZE", 1)
    first = client.get(reverse("opendata:api", args=["problems"])).json()
    assert len(first["rows"]) == 1 and first["next"].endswith("?page=2")
    second = client.get(reverse("opendata:api", args=["problems"]), {"page": 2}).json()
    assert second["next"] is None and second["rows"][0]["id"] != first["rows"][0]["id"]
    assert client.get(reverse("opendata:api", args=["problems"]), {"page": 0}).status_code == 400
    assert client.get(reverse("opendata:api", args=["nothing"])).status_code == 404
    body = json.dumps(
        client.get(reverse("opendata:api", args=["polls"])).json(), ensure_ascii=False
    )
    for secret in personal_values(world["secret"]):
        assert secret not in body


def test_licence_is_a_setting(settings):
    settings.EDEM_OPEN_DATA_LICENCE = "CC0-1.0"
    assert opendata.licence()["url"].startswith("https://creativecommons.org/publicdomain/")
    assert Decimal("1.50") == Decimal(opendata._default(Decimal("1.50")))


@pytest.mark.parametrize("zone", ["Europe/Moscow", "America/St_Johns"])
def test_database_built_dumps_are_the_python_dumps_byte_for_byte(world, monkeypatch, zone):
    """On PostgreSQL the big datasets are formatted by the database (for speed); every byte is
    the same as the Python path's: quoting, escapes, floats, booleans, times and their zone."""
    tricky = public_appeal(lat=55.0, lon=-0.0001, status="answered", number="01-2/3")
    PublicProblem.objects.filter(pk=tricky.pk).update(
        subject='Кавычки "ёлочки", запятая; и \\ слэш',
        text="строка 1\nстрока 2\r\nтаб\tи \x01 и 🚧 и '' и %s",
        place="",
        answered_on_time=False,
        answered_at=timezone.now().replace(month=7, microsecond=987654),
        answer_text='Ответ "с кавычками",\nи строкой',
        answer_signer_name="",
        answer_signed_at=timezone.now().replace(month=1),
    )
    PublicProblem.objects.filter(pk=world["plain"].pk).update(answered_on_time=True)
    generated_at, bodies = timezone.now(), {}
    with timezone.override(zone):
        for name in ("problems", "answers"):
            dataset = opendata.DATASETS[name]
            assert opendata._sql_ready(dataset)
            for fmt in dataset.formats:
                opendata.dump_dataset(dataset, fmt, generated_at)
                record, by_sql = read(name, fmt)
                with monkeypatch.context() as m:
                    m.setattr(opendata, "_sql_ready", lambda dataset: False)
                    opendata.dump_dataset(dataset, fmt, generated_at)
                python_record, by_python = read(name, fmt)
                assert by_sql == by_python, (name, fmt)
                assert record.rows == python_record.rows
                bodies[name, fmt] = by_sql
    assert '"строка 1\\nстрока 2\\r\\nтаб\\tи \\u0001 и 🚧' in bodies["problems", "geojson"]
    assert '"Ответ ""с кавычками"",\nи строкой"' in bodies["answers", "csv"]
    assert bodies["problems", "csv"].count("\r\n") == 5  # the header, 3 rows, 1 in a text
