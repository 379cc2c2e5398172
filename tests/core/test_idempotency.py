"""Exactly once where the user acts once (issue 11, point 3): a double-submitted form creates one
object and every copy of the request lands on it.

The concurrent tests send 6 identical POSTs at once from 6 threads to a live server (a thread and
a database connection of its own per request, on the real PostgreSQL), the way a double click or
an impatient reload does."""

import re
import threading

import pytest
import requests
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from appeals.community.models import Comment
from appeals.models import Appeal
from consultations.budgets.models import Vote
from consultations.budgets.workflow import Phase
from consultations.petitions.models import Signature
from consultations.polls.models import Ballot, Question
from edem.core import idempotency
from edem.core.models import IdempotencyKey
from tests.appeals.community.factories import PublicAppealFactory
from tests.consultations.budgets.factories import ProjectFactory, VoterFactory, cycle_in
from tests.consultations.petitions.factories import CollectingPetitionFactory
from tests.consultations.polls.factories import PollFactory, opts, question
from tests.factories import CabinetFactory, CitizenFactory

COPIES = 6
APPEAL_FORM = 'class="appeal-form"'

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
)

FILING = {
    "kind": "statement",
    "cabinet": "",
    "subject": "Не вывозят мусор",
    "text": "Контейнеры во дворе дома 5 переполнены вторую неделю.",
    "place": "ул. Садовая, 5",
    "latitude": "",
    "longitude": "",
    "last_name": "Иванова",
    "first_name": "Мария",
    "patronymic": "",
    "answer_channel": "email",
    "email": "ivanova@example.org",
    "postal_address": "",
    "phone": "",
    "personal_data_consent": "on",
}


def browser_of(client, live_server, user):
    """A ``requests`` session signed in as ``user`` against the live server."""
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    return session


def form_of(session, url, marker):
    """The CSRF token and the idempotency token of the form on ``url`` whose opening tag holds
    ``marker`` (its action or class)."""
    response = session.get(url, timeout=30)
    assert response.status_code == 200, response.status_code
    form = re.search(rf"<form[^>]*{re.escape(marker)}[^>]*>(.*?)</form>", response.text, re.S)
    assert form, "the form is on the page"
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(1)).group(1)
    token = re.search(r'name="idempotency_token" value="([^"]+)"', form.group(1))
    assert token, "the form carries an idempotency token"
    return {"csrfmiddlewaretoken": csrf, "idempotency_token": token.group(1)}


def post_at_once(session, url, data, copies=COPIES):
    """``copies`` identical POSTs released together; returns the responses."""
    barrier = threading.Barrier(copies)
    responses = [None] * copies

    def send(i):
        barrier.wait()
        responses[i] = session.post(url, data=data, allow_redirects=False, timeout=60)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def assert_all_land_on(responses, location):
    assert [r.status_code for r in responses] == [302] * len(responses)
    assert {r.headers["Location"] for r in responses} == {location}


@needs_postgres
def test_six_identical_filings_at_once_create_one_appeal(client, live_server):
    CabinetFactory(code="adm", kind="administration")
    citizen = CitizenFactory()
    session = browser_of(client, live_server, citizen)
    url = live_server.url + reverse("appeals:file")
    data = {**FILING, **form_of(session, url, APPEAL_FORM)}
    responses = post_at_once(session, url, data)
    appeal = Appeal.objects.get(author=citizen)
    assert_all_land_on(responses, reverse("appeals:my_detail", args=[appeal.pk]))
    assert IdempotencyKey.objects.get(token=data["idempotency_token"]).result == appeal
    # the same form sent once more, later, lands there too
    again = session.post(url, data=data, allow_redirects=False, timeout=30)
    assert again.headers["Location"] == reverse("appeals:my_detail", args=[appeal.pk])
    assert Appeal.objects.filter(author=citizen).count() == 1


@needs_postgres
def test_six_identical_comments_at_once_create_one_comment(client, live_server):
    appeal = PublicAppealFactory()
    person = CitizenFactory()
    session = browser_of(client, live_server, person)
    action = reverse("community:comments", args=[appeal.pk])
    data = {
        "text": "Здесь всё ещё яма",
        **form_of(session, live_server.url + action, f'action="{action}"'),
    }
    responses = post_at_once(session, live_server.url + action, data)
    assert Comment.objects.filter(appeal=appeal, author=person).count() == 1
    assert len({r.headers["Location"] for r in responses}) == 1
    assert [r.status_code for r in responses] == [302] * COPIES


@needs_postgres
def test_six_identical_signatures_at_once_make_one_signature_and_one_mail(client, live_server):
    petition = CollectingPetitionFactory(signature_threshold=5)
    person = CitizenFactory()
    session = browser_of(client, live_server, person)
    page = reverse("petitions:detail", args=[petition.pk])
    action = reverse("petitions:sign", args=[petition.pk])
    data = form_of(session, live_server.url + page, f'action="{action}"')
    mail.outbox.clear()
    responses = post_at_once(session, live_server.url + action, data)
    assert_all_land_on(responses, page)
    assert Signature.objects.filter(petition=petition).count() == 1
    # one confirmation link went out, not one per copy of the request
    assert [m.to for m in mail.outbox] == [[person.email]]


@needs_postgres
def test_a_token_used_by_someone_else_is_refused_and_shows_nothing_of_theirs(client, live_server):
    CabinetFactory(code="adm", kind="administration")
    first, second = CitizenFactory(), CitizenFactory()
    session = browser_of(client, live_server, first)
    url = live_server.url + reverse("appeals:file")
    data = {**FILING, **form_of(session, url, APPEAL_FORM)}
    landed = session.post(url, data=data, allow_redirects=False, timeout=30)
    appeal = Appeal.objects.get(author=first)
    assert landed.headers["Location"] == reverse("appeals:my_detail", args=[appeal.pk])

    other = browser_of(client, live_server, second)
    stolen = {**data, **form_of(other, url, APPEAL_FORM)}
    stolen["idempotency_token"] = data["idempotency_token"]
    response = other.post(url, data=stolen, allow_redirects=False, timeout=30)
    assert response.status_code == 400
    assert reverse("appeals:my_detail", args=[appeal.pk]) not in response.text
    assert not Appeal.objects.filter(author=second).exists()
    # the refused form comes back with a fresh token: sending it files the second appeal
    fresh = re.search(r'name="idempotency_token" value="([^"]+)"', response.text).group(1)
    assert fresh != data["idempotency_token"]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
    retry = other.post(
        url,
        data={**stolen, "idempotency_token": fresh, "csrfmiddlewaretoken": csrf},
        allow_redirects=False,
        timeout=30,
    )
    assert retry.status_code == 302
    assert Appeal.objects.filter(author=second).count() == 1


@pytest.mark.django_db
def test_a_refused_creation_releases_the_token(client):
    """A service that refuses rolls its claim back: the same form, corrected, still works."""
    appeal = PublicAppealFactory()
    person = CitizenFactory()
    token = idempotency.new_token()

    def refuse():
        raise ValueError("refused")

    with pytest.raises(ValueError):
        idempotency.once(token=token, scope="test", user=person, create=refuse)
    assert not IdempotencyKey.objects.filter(token=token).exists()
    done = idempotency.once(
        token=token,
        scope="test",
        user=person,
        create=lambda: Comment.objects.create(appeal=appeal, author=person, text="x"),
    )
    assert not done.repeated
    again = idempotency.once(token=token, scope="test", user=person, create=pytest.fail)
    assert again.repeated and again.result == done.result
    with pytest.raises(idempotency.TokenAlreadyUsed):
        idempotency.once(token=token, scope="other", user=person, create=pytest.fail)


@pytest.mark.django_db
def test_a_form_without_a_token_or_with_a_malformed_one_still_works(client):
    assert idempotency.token_from({"idempotency_token": "<script>"}) == ""
    assert idempotency.token_from({}) == ""
    person = CitizenFactory()
    calls = []
    idempotency.once(token="", scope="test", user=person, create=lambda: calls.append(1))
    idempotency.once(token="", scope="test", user=person, create=lambda: calls.append(1))
    assert calls == [1, 1]


def token_in(page):
    return re.search(r'name="idempotency_token" value="([^"]+)"', page).group(1)


@pytest.mark.django_db
def test_a_ballot_sent_twice_is_counted_once_and_the_second_send_lands_on_the_poll(client):
    poll = PollFactory(ballots_changeable=False)
    q = question(poll, Question.Kind.SINGLE, ["Парк", "Сквер"])
    client.force_login(CitizenFactory())
    url = reverse("polls:detail", args=[poll.pk])
    data = {f"q{q.pk}": opts(q)[0], "idempotency_token": token_in(client.get(url).content.decode())}
    first = client.post(url, data)
    again = client.post(url, data)  # without the token this second send is refused (400)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == url
    assert Ballot.objects.filter(poll=poll).count() == 1


@pytest.mark.django_db
def test_a_budget_ballot_sent_twice_lands_on_the_ballot_with_the_votes_counted_once(client):
    cycle = cycle_in(Phase.VOTING, votes_per_voter=2)
    project = ProjectFactory(cycle=cycle, status="accepted", number=1)
    client.force_login(VoterFactory())
    url = reverse("budgets:vote", args=[cycle.pk])
    data = {
        "projects": [project.pk],
        "idempotency_token": token_in(client.get(url).content.decode()),
    }
    first = client.post(url, data)
    again = client.post(url, data)  # without the token: "not a valid choice" (400)
    assert first.status_code == again.status_code == 302
    assert Vote.objects.filter(project=project).count() == 1
