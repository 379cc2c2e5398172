"""EDMS API reads: the list of the client's cabinets' appeals (filters, cursor pages that do
not shift, ≤ 5 queries for 100), one appeal with its history, files and answers, files and the
registration card through the card's checks, problem+json for bad input."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone

from appeals import services
from appeals.models import AccessLog, Appeal, AppealEvent, Attachment
from cabinets.roles import Role
from tests.factories import AppealFactory, CabinetFactory, member

from .api_helpers import assert_problem, http, register_client

pytestmark = pytest.mark.django_db
LIST = "/api/v1/appeals/"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()


def _register(appeal, actor):
    return services.register(appeal=appeal, actor=actor)


def test_list_shows_only_the_clients_cabinets_with_personal_data():
    client, token = register_client()
    cabinet = client.cabinets.get()
    mine = AppealFactory(cabinet=cabinet, status="received")
    AppealFactory(cabinet=CabinetFactory())  # another cabinet's
    body = http(token).get(LIST).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    row = body["results"][0]
    assert row["cabinet"] == cabinet.code
    assert row["citizen"]["last_name"] == mine.last_name
    assert row["url"] == f"/api/v1/appeals/{mine.pk}/"
    assert set(body) >= {"next", "previous", "results"}


def test_observer_account_reads_without_personal_data():
    client, token = register_client(role=Role.OBSERVER)
    appeal = AppealFactory(cabinet=client.cabinets.get())
    row = http(token).get(LIST).json()["results"][0]
    assert row["citizen"] is None
    detail = http(token).get(f"/api/v1/appeals/{appeal.pk}/").json()
    assert detail["citizen"] is None and detail["attachments"] == []


def test_executor_account_sees_only_its_assigned_appeals():
    cabinet = CabinetFactory()
    executor = member(cabinet, Role.EXECUTOR)
    client, token = register_client(cabinet, acts_as=executor)
    assigned = AppealFactory(cabinet=cabinet, status="in_work", executor=executor)
    AppealFactory(cabinet=cabinet, status="in_work")
    assert [r["id"] for r in http(token).get(LIST).json()["results"]] == [assigned.pk]


def test_filters_status_dates_changed_since():
    client, token = register_client()
    cabinet = client.cabinets.get()
    now = timezone.now()
    old = AppealFactory(cabinet=cabinet, status="answered", received_at=now - timedelta(days=40))
    new = AppealFactory(cabinet=cabinet, status="received", received_at=now - timedelta(days=1))
    services.add_note(appeal=old, actor=client.acts_as, text="no history line: not a change")
    AppealEvent.objects.create(appeal=old, action="rate", at=now - timedelta(days=30))
    AppealEvent.objects.create(appeal=new, action="receive", at=now - timedelta(hours=1))
    api = http(token)

    def ids(**params):
        return {r["id"] for r in api.get(LIST, params).json()["results"]}

    assert ids(status="answered") == {old.pk}
    assert ids(status="open") == {new.pk}
    assert ids(received_from=(now - timedelta(days=5)).date().isoformat()) == {new.pk}
    assert ids(received_to=(now - timedelta(days=5)).date().isoformat()) == {old.pk}
    assert ids(changed_since=(now - timedelta(days=2)).isoformat()) == {new.pk}
    body = assert_problem(api.get(LIST, {"status": "nonsense", "received_from": "yesterday"}), 422)
    assert set(body["errors"]) == {"status", "received_from"}


def test_cursor_pages_are_stable_while_appeals_arrive():
    client, token = register_client()
    cabinet = client.cabinets.get()
    first = [AppealFactory(cabinet=cabinet).pk for _ in range(7)]
    api = http(token)
    page = api.get(LIST, {"page_size": 3}).json()
    seen = [r["id"] for r in page["results"]]
    AppealFactory(cabinet=cabinet)  # arrives between pages: on top, not in the next pages
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [r["id"] for r in page["results"]]
    assert seen == sorted(first, reverse=True)
    assert_problem(api.get(LIST, {"cursor": "garbage"}), 404)


def test_list_of_100_takes_at_most_5_queries(django_assert_max_num_queries):
    client, token = register_client()
    cabinet = client.cabinets.get()
    executor = member(cabinet, Role.EXECUTOR)
    Appeal.objects.bulk_create(
        [
            Appeal(
                cabinet=cabinet,
                kind="statement",
                last_name=f"Петров{i}",
                first_name="Пётр",
                subject="Яма",
                text="Яма во дворе",
                executor=executor if i % 2 else None,
                status="in_work" if i % 2 else "received",
            )
            for i in range(120)
        ]
    )
    api = http(token)
    api.get(LIST)  # the process's first request reads the municipality's settings once
    with django_assert_max_num_queries(5):
        response = api.get(LIST)
    assert len(response.json()["results"]) == 100


def test_detail_with_history_attachments_answers_and_actions():
    client, token = register_client()
    cabinet = client.cabinets.get()
    appeal = AppealFactory(cabinet=cabinet, status="received")
    _register(appeal, client.acts_as)
    Attachment.objects.create(
        appeal=appeal,
        file=ContentFile(b"%PDF-1.4 scan", name="scan.pdf"),
        original_name="scan.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )
    body = http(token).get(f"/api/v1/appeals/{appeal.pk}/").json()
    assert body["status"] == "registered" and body["number"]
    assert [e["action"] for e in body["history"]] == ["register"]
    assert body["attachments"][0]["name"] == "scan.pdf"
    assert "assign" in body["actions"] and "register" not in body["actions"]
    assert body["registration_card_url"] == f"/api/v1/appeals/{appeal.pk}/registration-card.pdf"
    assert body["answers"] == []


def test_other_cabinets_appeal_is_404_not_403():
    _client, token = register_client()
    other = AppealFactory(cabinet=CabinetFactory())
    assert_problem(http(token).get(f"/api/v1/appeals/{other.pk}/"), 404)
    assert_problem(http(token).get("/api/v1/appeals/abc/"), 404)


def test_file_download_through_the_cards_checks():
    client, token = register_client(role=Role.REGISTRAR)
    cabinet = client.cabinets.get()
    appeal = AppealFactory(cabinet=cabinet)
    item = Attachment.objects.create(
        appeal=appeal,
        file=ContentFile(b"%PDF-1.4 scan", name="scan.pdf"),
        original_name="scan.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )
    url = f"/api/v1/appeals/{appeal.pk}/attachments/{item.pk}/"
    response = http(token).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 scan"
    assert AccessLog.objects.filter(action="file", appeal=appeal).count() == 1
    # An observer (no personal data), another cabinet's client, a wrong file: 404.
    _obs, observer_token = register_client(cabinet, role=Role.OBSERVER)
    assert_problem(http(observer_token).get(url), 404)
    _other, other_token = register_client()
    assert_problem(http(other_token).get(url), 404)
    other_item = Attachment.objects.create(
        appeal=AppealFactory(cabinet=cabinet),
        file=ContentFile(b"x", name="x.pdf"),
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    assert_problem(
        http(token).get(f"/api/v1/appeals/{appeal.pk}/attachments/{other_item.pk}/"), 404
    )


def test_registration_card_pdf_for_registrars_only():
    client, token = register_client(role=Role.REGISTRAR)
    cabinet = client.cabinets.get()
    appeal = AppealFactory(cabinet=cabinet, status="registered", number="01-01/7")
    response = http(token).get(f"/api/v1/appeals/{appeal.pk}/registration-card.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    _exec, executor_token = register_client(cabinet, role=Role.OBSERVER)
    assert_problem(
        http(executor_token).get(f"/api/v1/appeals/{appeal.pk}/registration-card.pdf"), 404
    )
    unregistered = AppealFactory(cabinet=cabinet, status="received", number="")
    assert_problem(http(token).get(f"/api/v1/appeals/{unregistered.pk}/registration-card.pdf"), 404)
