"""EDMS API writes: a paper appeal entered (our number or the EDMS's), an executor assigned,
the answer drafted and signed, documents added, the status changed: each through the screens'
forms and services; a rule refused on screen is refused here with the same words (in the
client's language); Idempotency-Key replays and mismatches."""

import html
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from appeals import services, workflow
from appeals.models import Appeal, AppealEvent
from appeals.workflow import Status
from cabinets.roles import Role
from edem.documents.pdf import html_to_pdf
from integrations.api.tasks import purge_idempotency_keys
from integrations.models import ApiIdempotencyKey
from tests.appeals.matrix_fixtures import otp_now
from tests.factories import AppealFactory, CabinetFactory, classifier_code, member

from .api_helpers import assert_problem, http, register_client

pytestmark = pytest.mark.django_db
LIST = "/api/v1/appeals/"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()


def paper(cabinet, **extra):
    return {
        "cabinet": cabinet.code,
        "channel": "post",
        "received_on": timezone.localdate().isoformat(),
        "kind": "statement",
        "subject": "Ремонт крыши",
        "text": "Протекает крыша дома № 3.",
        "last_name": "Сидоров",
        "first_name": "Иван",
        "postal_address": "Демоград, ул. Лесная, д. 3",
        "answer_channel": "post",
        **extra,
    }


def action(token, appeal, name, payload=None, **headers):
    return http(token, **headers).post(
        f"/api/v1/appeals/{appeal.pk}/actions/{name}/", payload or {}, format="json"
    )


def test_R4_paper_appeal_entered_and_registered_with_our_number(django_capture_on_commit_callbacks):
    client, token = register_client(role=Role.REGISTRAR)
    cabinet = client.cabinets.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = http(token).post(LIST, paper(cabinet), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    appeal = Appeal.objects.get(pk=body["id"])
    assert response["Location"] == f"/api/v1/appeals/{appeal.pk}/"
    assert appeal.status == Status.REGISTERED and appeal.number == body["number"]
    assert appeal.channel == "post" and appeal.cabinet == cabinet
    assert [e.action for e in appeal.events.order_by("pk")] == ["receive", "register"]
    assert all(e.actor == client.acts_as for e in appeal.events.all())


def test_R4_paper_appeal_with_the_edms_number_and_a_scan():
    client, token = register_client(role=Role.REGISTRAR)
    cabinet = client.cabinets.get()
    scan = SimpleUploadedFile("scan.pdf", html_to_pdf("<p>Письмо</p>"), "application/pdf")
    response = http(token).post(
        LIST, {**paper(cabinet), "number": "СЭД-2026/15", "scans": [scan]}, format="multipart"
    )
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(pk=response.json()["id"])
    assert appeal.number == "СЭД-2026/15"
    assert [a.original_name for a in appeal.attachments.all()] == ["scan.pdf"]
    # The same number again in this cabinet: refused.
    again = http(token).post(LIST, {**paper(cabinet), "number": "СЭД-2026/15"}, format="json")
    assert_problem(again, 409)


def test_paper_appeal_invalid_input_gives_the_forms_errors_per_field():
    client, token = register_client(role=Role.REGISTRAR)
    cabinet = client.cabinets.get()
    data = paper(cabinet, last_name="", postal_address="", received_on="2999-01-01")
    body = assert_problem(http(token).post(LIST, data, format="json"), 422)
    assert {"last_name", "received_on"} <= set(body["errors"])
    body = assert_problem(http(token).post(LIST, paper(CabinetFactory()), format="json"), 422)
    assert "cabinet" in body["errors"]


def test_an_executor_cannot_enter_paper_appeals_same_reason_as_the_service():
    cabinet = CabinetFactory()
    _client, token = register_client(cabinet, role=Role.EXECUTOR)
    body = assert_problem(http(token).post(LIST, paper(cabinet), format="json"), 422)
    assert "cabinet" in body["errors"]  # the screen's form offers it no cabinet


def test_assign_draft_sign_add_documents_and_extend(django_capture_on_commit_callbacks):
    client, token = register_client(role=Role.HEAD)
    cabinet = client.cabinets.get()
    head = client.acts_as
    executor = member(cabinet, Role.EXECUTOR)
    appeal = services.register(appeal=AppealFactory(cabinet=cabinet), actor=head)

    response = action(token, appeal, "assign", {"executor": executor.pk})
    assert response.status_code == 200, response.content
    assert response.json()["executor"]["id"] == executor.pk
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_WORK and appeal.executor == executor

    response = action(
        token, appeal, "extend", {"days": 10, "reason": "exceptional", "note": "Нужна экспертиза"}
    )
    assert response.status_code == 200, response.content

    code = classifier_code()
    response = action(
        token,
        appeal,
        "draft_answer",
        {"text": "Крышу отремонтируют в мае.", "result": "supported", "classifier": code.pk},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "answer_drafted"

    with django_capture_on_commit_callbacks(execute=True):
        response = action(token, appeal, "sign_answer", {"otp_code": otp_now()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "answered"
    answer = body["answers"][0]
    assert answer["signed_at"] and answer["verification_code"]
    letter = http(token).get(answer["letter_url"])
    assert letter.status_code == 200 and b"".join(letter.streaming_content).startswith(b"%PDF")

    signed = SimpleUploadedFile("ответ-подписан.pdf", html_to_pdf("<p>ЭП</p>"), "application/pdf")
    response = http(token).post(
        f"/api/v1/appeals/{appeal.pk}/documents/",
        {"files": [signed], "note": "Подписанный ответ из СЭД"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert [d["name"] for d in response.json()] == ["ответ-подписан.pdf"]
    assert appeal.events.filter(action="add_documents", is_public=False).exists()


def test_documents_refused_for_an_observer_and_without_files():
    client, token = register_client(role=Role.OBSERVER, scopes=["read", "write"])
    appeal = AppealFactory(cabinet=client.cabinets.get())
    doc = SimpleUploadedFile("a.pdf", html_to_pdf("<p>A</p>"), "application/pdf")
    url = f"/api/v1/appeals/{appeal.pk}/documents/"
    assert_problem(http(token).post(url, {"files": [doc]}, format="multipart"), 409)
    assert_problem(http(token).post(url, {"note": "x"}, format="multipart"), 422)
    bad = SimpleUploadedFile("a.exe", b"MZ\x90\x00binary", "application/octet-stream")
    _c, head_token = register_client(client.cabinets.get(), role=Role.HEAD)
    assert_problem(http(head_token).post(url, {"files": [bad]}, format="multipart"), 422)


def test_status_change_forward_and_close_through_the_cards_actions():
    client, token = register_client(role=Role.HEAD)
    cabinet = client.cabinets.get()
    other = CabinetFactory()
    member(other, Role.REGISTRAR)
    appeal = AppealFactory(cabinet=cabinet, status="received")
    response = action(token, appeal, "forward", {"to_cabinet": other.pk, "reason": "Не наша"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["cabinet"] == other.code and body["citizen"] is None and body["actions"] == []
    assert appeal.events.filter(action="forward").exists()
    assert_problem(http(token).get(f"/api/v1/appeals/{appeal.pk}/"), 404)  # not ours now
    second = AppealFactory(cabinet=cabinet, status="received")
    response = action(
        token, second, "close_no_merits", {"ground": "unreadable", "note": "Текст не читается"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed_no_merits"
    assert_problem(action(token, second, "fly"), 422)


def test_invalid_action_input_is_422_with_field_errors():
    client, token = register_client(role=Role.HEAD)
    appeal = services.register(
        appeal=AppealFactory(cabinet=client.cabinets.get()), actor=client.acts_as
    )
    body = assert_problem(action(token, appeal, "assign", {"executor": 999999}), 422)
    assert "executor" in body["errors"]
    body = assert_problem(action(token, appeal, "extend", {"days": "many"}), 422)
    assert {"days", "reason", "note"} <= set(body["errors"])


def test_a_workflow_refusal_is_the_workflows_sentence_in_the_clients_language():
    api_client, token = register_client(role=Role.HEAD)
    head = api_client.acts_as
    appeal = services.register(appeal=AppealFactory(cabinet=api_client.cabinets.get()), actor=head)
    for language in ("en", "ru", "uk"):
        body = assert_problem(action(token, appeal, "register", HTTP_ACCEPT_LANGUAGE=language), 409)
        with translation.override(language):
            assert body["detail"] == str(workflow.refusal(appeal, head, "register"))
    assert AppealEvent.objects.filter(appeal=appeal, action="register").count() == 1


@pytest.mark.parametrize("language", ["en", "ru", "uk"])
def test_R6_refused_on_screen_is_refused_by_the_api_with_the_same_reason(client, language):
    """A complaint is never assigned to the official it is about: the card shows the reason
    beside its form; the API gives the same sentence as its problem's detail."""
    api_client, token = register_client(role=Role.HEAD)
    cabinet = api_client.cabinets.get()
    head = api_client.acts_as
    accused = member(cabinet, Role.EXECUTOR)
    appeal = services.register(
        appeal=AppealFactory(cabinet=cabinet, kind="complaint", respondent_official=accused),
        actor=head,
    )
    body = assert_problem(
        action(token, appeal, "assign", {"executor": accused.pk}, HTTP_ACCEPT_LANGUAGE=language),
        409,
    )
    client.force_login(head)
    screen = client.post(
        reverse("appeals_service:act", args=[appeal.pk, "assign"]),
        {"assign-executor": accused.pk},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert screen.status_code == 400
    assert body["detail"] in html.unescape(screen.content.decode())
    appeal.refresh_from_db()
    assert appeal.executor is None


def test_idempotency_key_replays_the_first_response_and_refuses_another_body():
    client, token = register_client(role=Role.REGISTRAR)
    cabinet = client.cabinets.get()
    api = http(token, HTTP_IDEMPOTENCY_KEY="edms-7f3a")
    first = api.post(LIST, paper(cabinet), format="json")
    assert first.status_code == 201
    again = api.post(LIST, paper(cabinet), format="json")
    assert again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert Appeal.objects.filter(cabinet=cabinet).count() == 1
    other = api.post(LIST, paper(cabinet, subject="Другое"), format="json")
    assert_problem(other, 422)
    assert Appeal.objects.filter(cabinet=cabinet).count() == 1
    # Another client may use the same key for its own request.
    _c2, token2 = register_client(cabinet, role=Role.REGISTRAR)
    assert (
        http(token2, HTTP_IDEMPOTENCY_KEY="edms-7f3a")
        .post(LIST, paper(cabinet), format="json")
        .status_code
        == 201
    )


def test_a_refused_write_leaves_its_key_usable():
    client, token = register_client(role=Role.REGISTRAR)
    cabinet = client.cabinets.get()
    api = http(token, HTTP_IDEMPOTENCY_KEY="k-1")
    assert_problem(api.post(LIST, paper(cabinet, last_name=""), format="json"), 422)
    assert not ApiIdempotencyKey.objects.exists()
    assert api.post(LIST, paper(cabinet, last_name=""), format="json").status_code == 422
    assert api.post(LIST, paper(cabinet), format="json").status_code == 201  # now it works
    assert_problem(
        http(token, HTTP_IDEMPOTENCY_KEY="x" * 300).post(LIST, paper(cabinet), format="json"), 422
    )


def test_old_idempotency_keys_are_purged(settings):
    client, _token = register_client()
    old = ApiIdempotencyKey.objects.create(client=client, key="old", fingerprint="x")
    ApiIdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.EDEM_API_IDEMPOTENCY_DAYS + 1)
    )
    ApiIdempotencyKey.objects.create(client=client, key="new", fingerprint="y")
    assert purge_idempotency_keys() == 1
    assert list(ApiIdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sends_with_one_key_write_once():
    """A retry that arrives while the first send still runs waits for it and replays it."""
    client, token = register_client(role=Role.REGISTRAR)
    cabinet = client.cabinets.get()
    barrier, results = threading.Barrier(2), []

    def send():
        try:
            api = http(token, HTTP_IDEMPOTENCY_KEY="same-letter-42")
            barrier.wait()
            response = api.post(LIST, paper(cabinet), format="json")
            results.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _id in results] == [201, 201]
    assert len({appeal_id for _status, appeal_id in results}) == 1
    assert Appeal.objects.filter(cabinet=cabinet).count() == 1
