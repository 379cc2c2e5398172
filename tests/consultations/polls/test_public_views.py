"""Public and personal pages of polls: list with filters, the ballot on the detail page (no JS,
errors keep input, refusals show the reason), results by visibility, PDF, "my votes",
proposals."""

import io
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from consultations.polls import services
from consultations.polls.models import Ballot, InitiatorKind, Poll, Question, ResultsVisibility
from consultations.polls.workflow import Status
from tests.factories import CabinetFactory, CitizenFactory, TerritoryFactory, UserFactory

from .factories import PollFactory, opts, question

pytestmark = pytest.mark.django_db


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_list_filters_hide_drafts_and_show_an_empty_state(client):
    cabinet, other = CabinetFactory(), CabinetFactory()
    town = TerritoryFactory(name="Заречье")
    shown = PollFactory(cabinet=cabinet, title="Сквер у реки", eligible_territory=town)
    PollFactory(cabinet=cabinet, title="Черновик", status=Status.DRAFT)
    PollFactory(cabinet=cabinet, title="На модерации", status=Status.MODERATION)
    PollFactory(cabinet=other, title="Другой", status=Status.COMPLETED)
    page = client.get(reverse("polls:list")).content.decode()
    assert "Сквер у реки" in page and "Другой" in page
    assert "Черновик" not in page and "На модерации" not in page
    page = client.get(reverse("polls:list"), {"cabinet": cabinet.pk}).content.decode()
    assert "Сквер у реки" in page and "Другой" not in page
    page = client.get(reverse("polls:list"), {"status": "completed"}).content.decode()
    assert "Сквер у реки" not in page and "Другой" in page
    page = client.get(
        reverse("polls:list"), {"territory": TerritoryFactory().pk, "status": "active"}
    ).content.decode()
    assert "Сквер у реки" not in page and 'class="empty-state"' in page
    archive = client.get(reverse("polls:archive")).content.decode()
    assert "Другой" in archive and "Сквер у реки" not in archive
    assert shown.get_status_display() in client.get(reverse("polls:list")).content.decode()


def test_list_paginates_with_a_constant_number_of_queries(client):
    for _ in range(3):
        PollFactory()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("polls:list")).status_code == 200
    for _ in range(25):
        PollFactory()
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("polls:list"))
    assert len(many) == len(few)
    assert 'rel="next"' in response.content.decode()
    assert client.get(reverse("polls:list"), {"page": 2}).status_code == 200


def test_vote_through_the_page_without_javascript(client):
    poll = PollFactory(title="Благоустройство")
    q = question(poll, Question.Kind.SINGLE, ["Парк", "Сквер"])
    voter = CitizenFactory()
    url = reverse("polls:detail", args=[poll.pk])
    anonymous = client.get(url).content.decode()
    assert "Sign in" in anonymous or "Войдите" in anonymous or "account/login" in anonymous
    client.force_login(voter)
    page = client.get(url).content.decode()
    assert f'name="q{q.pk}"' in page
    response = client.post(url, {f"q{q.pk}": opts(q)[1]})
    assert response.status_code == 302
    ballot = Ballot.objects.get(poll=poll)
    assert ballot.voter == voter and ballot.answers.get().option.text == "Сквер"
    # not changeable: the page says so, and no form is shown
    page = client.get(url).content.decode()
    assert f'name="q{q.pk}"' not in page
    assert client.post(url, {f"q{q.pk}": opts(q)[0]}).status_code == 400
    assert Ballot.objects.get(poll=poll).answers.get().option.text == "Сквер"
    mine = client.get(reverse("polls:my_votes")).content.decode()
    assert "Благоустройство" in mine


def test_a_ballot_with_errors_comes_back_as_typed(client):
    poll = PollFactory(ballots_changeable=True)
    multiple = question(poll, Question.Kind.MULTIPLE, ["А", "Б", "В"], min_choices=1, max_choices=2)
    text = question(poll, Question.Kind.TEXT, options=(), required=False)
    client.force_login(CitizenFactory())
    a, b, c = opts(multiple)
    with translation.override("en"):
        response = client.post(
            reverse("polls:detail", args=[poll.pk]),
            {f"q{multiple.pk}": [a, b, c], f"q{text.pk}": "Мой текст"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Мой текст" in page
    assert page.count("checked") >= 3
    assert f'id="q{multiple.pk}-error"' in page
    assert not Ballot.objects.exists()


def test_an_ineligible_user_is_refused_with_the_reason(client):
    town = TerritoryFactory(name="Заречье")
    poll = PollFactory(eligible_territory=town)
    q = question(poll)
    client.force_login(CitizenFactory(territory=TerritoryFactory(name="Другой")))
    url = reverse("polls:detail", args=[poll.pk])
    page = client.get(url).content.decode()
    assert "Заречье" in page and 'id="eligibility-refusal"' in page
    response = client.post(url, {f"q{q.pk}": opts(q)[0]})
    assert response.status_code == 403
    assert "Заречье" in response.content.decode()
    assert not Ballot.objects.exists()


def test_changeable_ballot_is_prefilled_and_replaced(client):
    poll = PollFactory(ballots_changeable=True)
    q = question(poll, Question.Kind.SCALE, options=())
    voter = CitizenFactory()
    services.cast_ballot(poll=poll, voter=voter, answers={q.pk: 2})
    client.force_login(voter)
    url = reverse("polls:detail", args=[poll.pk])
    page = client.get(url).content.decode()
    assert re.search(rf'name="q{q.pk}" value="2"[^>]*checked', page)
    assert not re.search(rf'name="q{q.pk}" value="5"[^>]*checked', page)
    assert client.post(url, {f"q{q.pk}": 5}).status_code == 302
    assert Ballot.objects.get().answers.get().value == 5


def test_results_follow_the_visibility_setting_and_have_accessible_charts(client):
    after = PollFactory(results_visibility=ResultsVisibility.AFTER_CLOSE)
    live = PollFactory(results_visibility=ResultsVisibility.LIVE, title="Живой опрос")
    for poll in (after, live):
        q = question(poll, Question.Kind.SINGLE, ["Парк", "Сквер"])
        services.cast_ballot(poll=poll, voter=CitizenFactory(), answers={q.pk: opts(q)[0]})
    hidden = client.get(reverse("polls:results", args=[after.pk])).content.decode()
    assert "<svg" not in hidden
    assert client.get(reverse("polls:results_pdf", args=[after.pk])).status_code == 404
    page = client.get(reverse("polls:results", args=[live.pk])).content.decode()
    assert (
        "<svg" in page and 'role="img"' in page and "<title" in page and "aria-labelledby" in page
    )
    assert "<td>1</td>" in page  # the same numbers in a table
    response = client.get(reverse("polls:results_pdf", args=[live.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Живой опрос" in text and "Парк" in text and "Сквер" in text


def test_drafts_are_not_public(client):
    draft = PollFactory(status=Status.DRAFT)
    assert client.get(reverse("polls:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("polls:results", args=[draft.pk])).status_code == 404


def test_resident_proposes_a_poll_and_the_form_keeps_input(client):
    cabinet = CabinetFactory()
    client.force_login(UserFactory())  # e-mail only: must verify first
    assert client.get(reverse("polls:propose")).status_code == 403
    resident = CitizenFactory()
    client.force_login(resident)
    assert client.get(reverse("polls:propose")).status_code == 200
    start = timezone.localtime() + timedelta(days=3)
    data = {
        "initiator_kind": InitiatorKind.RESIDENT,
        "cabinet": cabinet.pk,
        "title": "Новая остановка",
        "description": "Нужна остановка у школы",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),  # too short
        "question_text": "Где?",
        "question_kind": "single",
        "options": "У школы\nУ рынка",
    }
    response = client.post(reverse("polls:propose"), data)
    assert response.status_code == 400
    assert "Новая остановка" in response.content.decode()
    assert not Poll.objects.exists()
    data["ends_at"] = (start + timedelta(days=21)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("polls:propose"), data)
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert poll.status == Status.MODERATION and poll.initiator == resident
    assert list(poll.questions.get().options.values_list("text", flat=True)) == [
        "У школы",
        "У рынка",
    ]
    mine = client.get(reverse("polls:my_votes")).content.decode()
    assert "Новая остановка" in mine


def test_personal_section_lists_the_latest_votes():
    poll = PollFactory(title="Опрос для кабинета")
    q = question(poll)
    voter = CitizenFactory(birth_date=date(1990, 1, 1))
    services.cast_ballot(poll=poll, voter=voter, answers={q.pk: opts(q)[0]})
    request = RequestFactory().get("/me/")
    request.user = voter
    html = render_to_string("polls/_personal_section.html", {"user": voter}, request=request)
    assert "Опрос для кабинета" in html and reverse("polls:my_votes") in html


def test_my_votes_needs_sign_in(client):
    assert client.get(reverse("polls:my_votes")).status_code == 302


def test_my_votes_has_a_constant_number_of_queries(client):
    voter = CitizenFactory()
    client.force_login(voter)

    def vote_in_a_new_poll():
        poll = PollFactory()
        q = question(poll)
        services.cast_ballot(poll=poll, voter=voter, answers={q.pk: opts(q)[0]})

    vote_in_a_new_poll()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("polls:my_votes")).status_code == 200
    for _ in range(5):
        vote_in_a_new_poll()
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("polls:my_votes")).status_code == 200
    assert len(many) == len(few)
