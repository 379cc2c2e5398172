"""The service cabinet's poll pages: who may enter, creating and editing before voting opens,
moderation of proposals and free texts, early termination, CSV (formula-safe) and PDF, and the
admin."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cabinets.roles import Role
from consultations.polls import services
from consultations.polls.models import Answer, Poll, Question
from consultations.polls.workflow import Status
from tests.factories import CabinetFactory, CitizenFactory, UserFactory, member

from .factories import PollFactory, opts, question

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cabinet = CabinetFactory(code="adm")
    people = {role.value: member(cabinet, role) for role in Role}
    people["outsider_head"] = member(CabinetFactory(), Role.HEAD)
    people["citizen"] = CitizenFactory()
    people["admin"] = UserFactory(is_superuser=True, is_staff=True)
    poll = PollFactory(cabinet=cabinet, title="Опрос управления")
    return cabinet, poll, people


EXPECTED = {
    "head": 200, "registrar": 200, "executor": 200, "observer": 200,
    "outsider_head": 404, "citizen": 404, "admin": 404,
}  # fmt: skip


def test_authorisation_matrix_on_list_and_card(client, world):
    _cabinet, poll, people = world
    for who, expected in EXPECTED.items():
        client.force_login(people[who])
        card = client.get(reverse("polls_service:card", args=[poll.pk]))
        assert card.status_code == expected, who
        listing = client.get(reverse("polls_service:list"))
        if expected == 200:
            assert "Опрос управления" in listing.content.decode(), who
        elif who == "outsider_head":
            assert "Опрос управления" not in listing.content.decode(), who
    client.logout()
    assert client.get(reverse("polls_service:card", args=[poll.pk])).status_code == 302


def test_only_managers_see_actions(client, world):
    _cabinet, poll, people = world
    client.force_login(people["observer"])
    page = client.get(reverse("polls_service:card", args=[poll.pk])).content.decode()
    assert reverse("polls_service:act", args=[poll.pk, "terminate"]) not in page
    response = client.post(
        reverse("polls_service:act", args=[poll.pk, "terminate"]),
        {"terminate-reason": "no_longer_relevant", "terminate-note": "Передумали"},
    )
    assert response.status_code == 400
    poll.refresh_from_db()
    assert poll.status == Status.ACTIVE


def test_create_edit_and_questions_through_the_views(client, world):
    cabinet, _poll, people = world
    client.force_login(people["head"])
    start = timezone.localtime() + timedelta(days=2)
    data = {
        "cabinet": cabinet.pk,
        "title": "Новый опрос",
        "description": "Описание",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "results_visibility": "live",
        "eligible_verification": "resident",
    }
    response = client.post(reverse("polls_service:new"), data)
    assert response.status_code == 400 and "Новый опрос" in response.content.decode()
    data["ends_at"] = (start + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("polls_service:new"), data)
    assert response.status_code == 302
    poll = Poll.objects.get(title="Новый опрос")
    assert poll.status == Status.DRAFT and poll.initiator == people["head"]

    url = reverse("polls_service:question_new", args=[poll.pk])
    bad = {"text": "Что важнее?", "kind": "ranking", "required": "on", "options": "Одно"}
    response = client.post(url, bad)
    assert response.status_code == 400 and "Что важнее?" in response.content.decode()
    bad["options"] = "Дороги\nШколы\nПарки"
    assert client.post(url, bad).status_code == 302
    q = poll.questions.get()
    assert q.kind == Question.Kind.RANKING and q.options.count() == 3
    edit = reverse("polls_service:question_edit", args=[poll.pk, q.pk])
    assert "Дороги" in client.get(edit).content.decode()
    assert client.post(edit, {**bad, "options": "Дороги\nШколы"}).status_code == 302
    assert q.options.count() == 2

    response = client.post(reverse("polls_service:act", args=[poll.pk, "schedule"]))
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.status == Status.SCHEDULED
    services.advance_by_date(now=poll.starts_at + timedelta(seconds=1))
    poll.refresh_from_db()
    assert poll.status == Status.ACTIVE
    # R29: frozen once active, in the views as well
    response = client.post(reverse("polls_service:edit", args=[poll.pk]), data)
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.title == "Новый опрос" and poll.description == "Описание"
    response = client.post(edit, {**bad, "text": "Другое"})
    assert response.status_code == 302
    assert poll.questions.get().text == "Что важнее?"
    client.post(reverse("polls_service:question_delete", args=[poll.pk, q.pk]))
    assert poll.questions.count() == 1


def test_moderation_and_termination_through_the_views(client, world):
    cabinet, _poll, people = world
    start = timezone.now() + timedelta(days=1)
    proposal = PollFactory(
        cabinet=cabinet, status=Status.MODERATION, initiator_kind="resident",
        initiator=CitizenFactory(), starts_at=start, ends_at=start + timedelta(days=20),
    )  # fmt: skip
    question(proposal)
    client.force_login(people["registrar"])
    url = reverse("polls_service:act", args=[proposal.pk, "refuse"])
    response = client.post(url, {"refuse-reason": ""})
    assert response.status_code == 400
    response = client.post(
        reverse("polls_service:act", args=[proposal.pk, "approve"]), {"approve-note": "Ок"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.SCHEDULED

    running = PollFactory(cabinet=cabinet)
    response = client.post(
        reverse("polls_service:act", args=[running.pk, "terminate"]),
        {"terminate-reason": "technical_error", "terminate-note": ""},
    )
    assert response.status_code == 400
    response = client.post(
        reverse("polls_service:act", args=[running.pk, "terminate"]),
        {"terminate-reason": "technical_error", "terminate-note": "Сбой"},
    )
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.status == Status.TERMINATED_EARLY and running.termination_note == "Сбой"
    public = client.get(reverse("polls:detail", args=[running.pk])).content.decode()
    assert "Сбой" in public


def test_free_texts_are_moderated_in_the_cabinet(client, world):
    _cabinet, poll, people = world
    q = question(poll, Question.Kind.TEXT, options=())
    services.cast_ballot(poll=poll, voter=CitizenFactory(), answers={q.pk: "Покрасьте забор"})
    services.cast_ballot(poll=poll, voter=CitizenFactory(), answers={q.pk: "Реклама казино"})
    good, spam = Answer.objects.order_by("pk")
    client.force_login(people["head"])
    url = reverse("polls_service:texts", args=[poll.pk])
    page = client.get(url).content.decode()
    assert "Покрасьте забор" in page and "Реклама казино" in page
    client.post(url, {"answer": good.pk, "decision": "approve"})
    client.post(url, {"answer": spam.pk, "decision": "reject", "note": "Реклама"})
    good.refresh_from_db()
    spam.refresh_from_db()
    assert (good.text_status, spam.text_status) == ("approved", "rejected")
    assert spam.moderated_by == people["head"] and spam.moderation_note == "Реклама"
    other = PollFactory()
    other_answer_url = reverse("polls_service:texts", args=[other.pk])
    assert client.get(other_answer_url).status_code == 404


def test_csv_is_formula_safe_and_pdf_reads_back(client, world):
    _cabinet, poll, people = world
    q = question(poll, Question.Kind.SINGLE, ["=SUM(A1:A9)", "Сквер"])
    t = question(poll, Question.Kind.TEXT, options=(), required=False)
    services.cast_ballot(
        poll=poll, voter=CitizenFactory(), answers={q.pk: opts(q)[0], t.pk: "+cmd|' /C calc'!A0"}
    )
    services.cast_ballot(poll=poll, voter=CitizenFactory(), answers={q.pk: opts(q)[1]})
    client.force_login(people["observer"])
    response = client.get(reverse("polls_service:results_csv", args=[poll.pk]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "'=SUM(A1:A9)" in cells and "=SUM(A1:A9)" not in cells
    assert "'+cmd|' /C calc'!A0" in cells
    assert any(row[2:4] == ["Сквер", "1"] for row in rows if len(row) > 3)

    response = client.get(reverse("polls_service:results_pdf", args=[poll.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Опрос управления" in text and "Сквер" in text

    client.force_login(member(CabinetFactory(), Role.HEAD))
    assert client.get(reverse("polls_service:results_csv", args=[poll.pk])).status_code == 404


def test_service_list_has_a_constant_number_of_queries(client, world):
    cabinet, _poll, people = world
    client.force_login(people["head"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("polls_service:list")).status_code == 200
    for _ in range(10):
        PollFactory(cabinet=cabinet)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("polls_service:list")).status_code == 200
    assert len(many) == len(few)


def test_admin_lists_and_frozen_questions(client, world):
    _cabinet, poll, people = world
    q = question(poll)
    services.cast_ballot(poll=poll, voter=CitizenFactory(), answers={q.pk: opts(q)[0]})
    client.force_login(people["admin"])
    for name in ("poll", "question", "ballot", "answer", "pollevent"):
        url = reverse(f"admin:polls_{name}_changelist")
        assert client.get(url).status_code == 200, name
        assert client.get(url, {"q": "Демоград"}).status_code == 200, name
    assert (
        client.get(reverse("admin:polls_poll_changelist"), {"queue": "proposals"}).status_code
        == 200
    )
    page = client.get(reverse("admin:polls_poll_change", args=[poll.pk])).content.decode()
    assert 'name="questions-0-text_ru"' not in page  # R29: read-only once active
    draft = PollFactory(status=Status.DRAFT)
    question(draft)
    page = client.get(reverse("admin:polls_poll_change", args=[draft.pk])).content.decode()
    assert 'name="questions-0-text_ru"' in page  # in every language (issue 16)


def test_results_are_published_with_the_decision_through_the_view(client, world):
    _cabinet, poll, people = world
    q = question(poll)
    services.cast_ballot(poll=poll, voter=CitizenFactory(), answers={q.pk: opts(q)[0]})
    poll.status = Status.COMPLETED
    poll.save()
    client.force_login(people["head"])
    url = reverse("polls_service:act", args=[poll.pk, "publish_results"])
    assert client.post(url, {"publish_results-decision": ""}).status_code == 400
    response = client.post(url, {"publish_results-decision": "Сквер **благоустроим** в 2027 году."})
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.status == Status.RESULTS_PUBLISHED and poll.results_published_at
    page = client.get(reverse("polls:results", args=[poll.pk])).content.decode()
    assert "<strong>благоустроим</strong>" in page
    assert (
        client.post(reverse("polls_service:texts", args=[poll.pk]), {"answer": "x"}).status_code
        == 404
    )
