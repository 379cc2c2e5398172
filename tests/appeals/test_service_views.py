"""The service cabinet's appeal views: the authorisation matrix, the happy path through the
views, errors that keep input, filters, CSV, and a constant number of queries."""

import csv
import io
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from django.utils import timezone

from appeals import services
from appeals.models import AccessLog
from appeals.workflow import Status
from cabinets.roles import Role
from tests.factories import (
    TOTP_SECRET,
    AppealFactory,
    CabinetFactory,
    CitizenFactory,
    UserFactory,
    classifier_code,
    member,
)
from tests.helpers import read_streaming

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cabinet = CabinetFactory(code="adm")
    people = {role.value: member(cabinet, role) for role in Role}
    people["other_executor"] = member(cabinet, Role.EXECUTOR)
    people["outsider_head"] = member(CabinetFactory(), Role.HEAD)
    people["citizen"] = CitizenFactory()
    people["admin"] = UserFactory(is_superuser=True, is_staff=True)
    appeal = services.register(appeal=AppealFactory(cabinet=cabinet), actor=people["registrar"])
    appeal = services.assign(appeal=appeal, actor=people["head"], executor=people["executor"])
    people["author"] = appeal.author
    return cabinet, appeal, people


EXPECTED = {
    "head": 200, "registrar": 200, "observer": 200, "executor": 200,
    "other_executor": 404, "outsider_head": 404, "citizen": 404, "author": 404, "admin": 404,
}  # fmt: skip


def test_authorisation_matrix_on_queue_and_card(client, world):
    _cabinet, appeal, people = world
    for who, expected in EXPECTED.items():
        client.force_login(people[who])
        card = client.get(reverse("appeals_service:card", args=[appeal.pk]))
        assert card.status_code == expected, who
        queue = client.get(reverse("appeals_service:queue"))
        if expected == 200:
            assert appeal.subject in queue.content.decode(), who
        elif who in ("other_executor", "outsider_head"):
            assert appeal.subject not in queue.content.decode(), who
        else:
            assert queue.status_code == 404, who
    client.logout()
    response = client.get(reverse("appeals_service:card", args=[appeal.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_outsiders_cannot_act(client, world):
    _cabinet, appeal, people = world
    for who in ("citizen", "author", "outsider_head", "other_executor"):
        client.force_login(people[who])
        response = client.post(
            reverse("appeals_service:act", args=[appeal.pk, "draft_answer"]),
            {"draft_answer-text": "x"},
        )
        assert response.status_code == 404, who
    assert appeal.answers.count() == 0


def test_previous_cabinet_sees_a_forwarded_appeal_read_only(client, world):
    cabinet, appeal, people = world
    fresh = services.register(appeal=AppealFactory(cabinet=cabinet), actor=people["registrar"])
    other = CabinetFactory()
    services.forward(
        appeal=fresh, actor=people["registrar"], to_cabinet=other, reason="По компетенции"
    )
    client.force_login(people["head"])
    page = client.get(reverse("appeals_service:card", args=[fresh.pk]))
    assert page.status_code == 200
    assert "read-only" in page.content.decode() or "только для чтения" in page.content.decode()
    assert reverse("appeals_service:act", args=[fresh.pk, "assign"]) not in page.content.decode()
    client.force_login(people["executor"])
    assert client.get(reverse("appeals_service:card", args=[fresh.pk])).status_code == 404


def test_happy_path_through_the_views(client, world):
    cabinet, _appeal, people = world
    appeal = AppealFactory(cabinet=cabinet)
    client.force_login(people["registrar"])
    assert (
        client.post(reverse("appeals_service:act", args=[appeal.pk, "register"])).status_code == 302
    )
    client.force_login(people["head"])
    client.post(
        reverse("appeals_service:act", args=[appeal.pk, "assign"]),
        {"assign-executor": people["executor"].pk},
    )
    client.force_login(people["executor"])
    client.post(
        reverse("appeals_service:act", args=[appeal.pk, "draft_answer"]),
        {
            "draft_answer-text": "Яма заделана.",
            "draft_answer-result": "explained",
            "draft_answer-classifier": classifier_code().pk,
        },
    )
    client.force_login(people["head"])
    code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
    response = client.post(
        reverse("appeals_service:act", args=[appeal.pk, "sign_answer"]),
        {"sign_answer-otp_code": code},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED
    answer = appeal.answers.get()
    letter = client.get(reverse("appeals_service:letter", args=[appeal.pk, answer.pk]))
    assert read_streaming(letter).startswith(b"%PDF")
    assert AccessLog.objects.filter(appeal=appeal, action="letter", user=people["head"]).exists()


def test_error_keeps_the_input_beside_the_form(client, world):
    _cabinet, appeal, people = world
    client.force_login(people["head"])
    response = client.post(
        reverse("appeals_service:act", args=[appeal.pk, "extend"]),
        {"extend-days": "31", "extend-reason": "exceptional", "extend-note": "Нужна экспертиза"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Нужна экспертиза" in html and 'aria-invalid="true"' in html
    appeal.refresh_from_db()
    assert appeal.original_due is None


def test_viewing_a_card_is_logged(client, world):
    _cabinet, appeal, people = world
    client.force_login(people["observer"])
    client.get(reverse("appeals_service:card", args=[appeal.pk]))
    assert AccessLog.objects.filter(user=people["observer"], appeal=appeal, action="view").exists()


def test_filters_search_and_csv(client, world):
    cabinet, appeal, people = world
    AppealFactory(
        cabinet=cabinet,
        status=Status.IN_WORK,
        subject='=HYPERLINK("x")',
        legal_due=timezone.localdate() - timezone.timedelta(days=2),
    )
    AppealFactory(
        cabinet=cabinet,
        status=Status.IN_WORK,
        subject="Скоро срок",
        legal_due=timezone.localdate() + timezone.timedelta(days=2),
        control_due=timezone.localdate() + timezone.timedelta(days=2),
    )
    client.force_login(people["head"])
    url = reverse("appeals_service:queue")
    overdue = client.get(url, {"overdue": "on"}).content.decode()
    assert "HYPERLINK" in overdue and "Скоро срок" not in overdue
    assert '<span class="overdue">' in overdue  # marked in colour and in words
    due_soon = client.get(url, {"due_soon": "on"}).content.decode()
    assert "Скоро срок" in due_soon and "HYPERLINK" not in due_soon
    assert '<span class="due-soon">' in due_soon
    by_status = client.get(url, {"status": "registered"}).content.decode()
    assert "Скоро срок" not in by_status
    found = client.get(url, {"q": "Скоро"}).content.decode()
    assert "Скоро срок" in found and appeal.subject not in found
    response = client.get(url, {"format": "csv", "overdue": "on"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][1].startswith("'=")
    assert AccessLog.objects.filter(action="export").exists()


@pytest.mark.parametrize("extra", [3, 30])
def test_queue_query_count_is_constant(client, world, django_assert_max_num_queries, extra):
    cabinet, _appeal, people = world
    for _ in range(extra):
        AppealFactory(cabinet=cabinet, status=Status.REGISTERED, executor=people["executor"])
    client.force_login(people["head"])
    # Session, user, roles, second factor, deadline policy, status counts, the three filter
    # choices and the page itself: whatever the number of appeals (issue #3: at most 10).
    with django_assert_max_num_queries(10):
        assert client.get(reverse("appeals_service:queue")).status_code == 200


def test_queue_shows_open_appeals_by_default_and_forwarded_ones_on_request(client, world):
    cabinet, appeal, people = world
    closed = AppealFactory(cabinet=cabinet, status=Status.ANSWERED, subject="Давно отвечено")
    passed = services.register(
        appeal=AppealFactory(cabinet=cabinet, subject="Передано дальше"),
        actor=people["registrar"],
    )
    services.forward(
        appeal=passed, actor=people["registrar"], to_cabinet=CabinetFactory(), reason="Не наше"
    )
    client.force_login(people["head"])
    url = reverse("appeals_service:queue")
    default = client.get(url).content.decode()
    assert appeal.subject in default
    assert closed.subject not in default and passed.subject not in default
    everything = client.get(url, {"status": ""}).content.decode()
    assert closed.subject in everything and passed.subject not in everything
    forwarded = client.get(url, {"scope": "passed", "status": ""}).content.decode()
    assert passed.subject in forwarded and appeal.subject not in forwarded


def test_status_counts_follow_every_change_at_once(
    client, world, django_capture_on_commit_callbacks
):
    """The sidebar counts are cached, but every change through a service refreshes the counts
    of the cabinets involved once it commits (the old cabinet's too, after forwarding)."""
    cabinet, appeal, people = world
    client.force_login(people["head"])
    url = reverse("appeals_service:queue")

    def count_of(status):
        page = client.get(url).content.decode()
        label = dict(Status.choices)[status]
        return int(page.split(f"{label}</a>: ")[1].split("<")[0])

    waiting = AppealFactory(cabinet=cabinet, status=Status.RECEIVED)
    assert count_of(Status.IN_WORK) == 1 and count_of(Status.RECEIVED) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.register(appeal=waiting, actor=people["registrar"])
    assert count_of(Status.RECEIVED) == 0 and count_of(Status.REGISTERED) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.forward(
            appeal=waiting, actor=people["registrar"], to_cabinet=CabinetFactory(), reason="Не наше"
        )
    assert count_of(Status.REGISTERED) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.file_appeal(
            author=CitizenFactory(),
            cabinet=cabinet,
            kind="statement",
            subject="Новое",
            text="Текст обращения",
            last_name="Иванова",
            first_name="Мария",
            email="ivanova@example.org",
            answer_channel="email",
        )
    assert count_of(Status.REGISTERED) == 1


def test_queue_filters_by_registration_date(client, world):
    cabinet, appeal, people = world
    old = AppealFactory(cabinet=cabinet, status=Status.REGISTERED, subject="Старое обращение")
    old.registered_at = timezone.now() - timezone.timedelta(days=60)
    old.save()
    client.force_login(people["head"])
    since = (timezone.localdate() - timezone.timedelta(days=7)).isoformat()
    page = client.get(reverse("appeals_service:queue"), {"registered_from": since}).content
    assert appeal.subject in page.decode() and "Старое обращение" not in page.decode()
