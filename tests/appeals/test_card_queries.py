"""The official's appeal card (issue 15): a bounded number of queries for a new appeal and for
a busy open one, for the head and for an executor, whatever the cabinet's lists; the lists its
forms offer are kept per data version, so a change shows on the next card, and the card is
right with the cache server gone."""

import pytest
from django.test import override_settings
from django.urls import reverse

from appeals import services
from appeals.models import AnswerTemplate, Category
from cabinets.models import ExternalBody
from cabinets.roles import Role
from tests.factories import AppealFactory, CabinetFactory, classifier_code, member

from .community.factories import LAT, LON

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10  # issue 15


@pytest.fixture
def town():
    cabinet = CabinetFactory(code="adm")
    other = CabinetFactory()
    head, executor = member(cabinet, Role.HEAD), member(cabinet, Role.EXECUTOR)
    for _ in range(5):  # lists to choose from: more staff, cabinets and bodies cost no query
        member(cabinet, Role.EXECUTOR)
        CabinetFactory()
    for n in range(5):
        ExternalBody.objects.create(name=f"Орган {n}", email=f"body{n}@example.org")
    roads = Category.objects.create(name="Дороги")
    AnswerTemplate.objects.create(title="Дороги", category=roads, body="Ответ по дорогам {number}")
    # New: just received, on the map and public (its likely duplicates are looked for).
    new = AppealFactory(
        cabinet=cabinet, category=roads, is_public=True, latitude=LAT, longitude=LON
    )
    # Busy: filed elsewhere, forwarded here, registered, assigned, the answer drafted.
    other_head = member(other, Role.HEAD)
    busy = services.register(
        appeal=AppealFactory(
            cabinet=other, category=roads, is_public=True, latitude=LAT, longitude=LON
        ),
        actor=other_head,
    )
    busy = services.forward(
        appeal=busy, actor=other_head, to_cabinet=cabinet, reason="По компетенции"
    )
    busy = services.register(appeal=busy, actor=head)
    busy = services.assign(appeal=busy, actor=head, executor=executor)
    services.draft_answer(
        appeal=busy,
        actor=executor,
        text="Проект ответа",
        result="supported",
        classifier=classifier_code(),
    )
    busy.refresh_from_db()
    # The executor's new one: registered and assigned, nothing more.
    assigned = services.assign(
        appeal=services.register(appeal=AppealFactory(cabinet=cabinet), actor=head),
        actor=head,
        executor=executor,
    )
    return {
        "cabinet": cabinet,
        "head": head,
        "executor": executor,
        "new": new,
        "busy": busy,
        "assigned": assigned,
    }


def _card(client, appeal):
    return client.get(reverse("appeals_service:card", args=[appeal.pk]))


@pytest.mark.parametrize(
    ("who", "which"),
    [("head", "new"), ("head", "busy"), ("executor", "assigned"), ("executor", "busy")],
)
def test_card_queries_are_bounded(client, town, django_assert_max_num_queries, who, which):
    client.force_login(town[who])
    assert _card(client, town[which]).status_code == 200  # the lists are read once
    # Session, user, roles, second factor, the appeal, its history, the answers, the access
    # log; the likely duplicates, and the citizen's other appeals where a form offers them.
    with django_assert_max_num_queries(MAX_QUERIES):
        response = _card(client, town[which])
    assert response.status_code == 200
    assert town[which].subject in response.content.decode()


def _forms(response):
    return {action.name: form for action, form in response.context["action_forms"]}


def _offered(form, name):
    return {str(label) for value, label in form.fields[name].choices if value != ""}


def test_a_change_shows_on_the_next_card(client, town, settings):
    # The lists' own versions are under test: the whole-page copy (which an admin's save,
    # a POST, would make out of date) is off, since these changes are made in the ORM.
    settings.EDEM_PAGE_CACHE = False
    head, executor, new = town["head"], town["executor"], town["new"]
    client.force_login(head)
    forward = _forms(_card(client, new))["forward"]
    assert "Новый орган" not in _offered(forward, "to_body")
    ExternalBody.objects.create(name="Новый орган", email="new@example.org")
    newcomer = member(town["cabinet"], Role.EXECUTOR, last_name="Новенький")
    late = CabinetFactory(name="Новый кабинет")
    forms = _forms(_card(client, new))
    assert "Новый орган" in _offered(forms["forward"], "to_body")
    assert "Новый кабинет" in _offered(forms["forward"], "to_cabinet")
    registered = services.register(appeal=new, actor=head)
    forms = _forms(_card(client, registered))
    assert str(newcomer) in _offered(forms["assign"], "executor")
    assert str(late) in _offered(forms["forward"], "to_cabinet")
    # An answer template of the topic fills the draft of an appeal without one.
    services.assign(appeal=registered, actor=head, executor=executor)
    client.force_login(executor)
    draft = _forms(_card(client, registered))["draft_answer"]
    assert draft.initial["text"] == "Ответ по дорогам " + registered.number
    AnswerTemplate.objects.filter(category=registered.category).update(is_active=False)
    AnswerTemplate.objects.create(
        title="Новый", category=registered.category, body="Новый шаблон {number}"
    )
    draft = _forms(_card(client, registered))["draft_answer"]
    assert draft.initial["text"] == "Новый шаблон " + registered.number


DEAD_CACHE = {
    "default": {
        "BACKEND": "edem.core.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_the_card_is_right_without_the_cache_server(client, town):
    head, new = town["head"], town["new"]
    client.force_login(head)
    with override_settings(CACHES=DEAD_CACHE):
        response = _card(client, new)
        assert response.status_code == 200
        forward = _forms(response)["forward"]
        assert "Орган 0" in _offered(forward, "to_body")
        ExternalBody.objects.create(name="Орган при сбое", email="down@example.org")
        forward = _forms(_card(client, new))["forward"]
        assert "Орган при сбое" in _offered(forward, "to_body")
