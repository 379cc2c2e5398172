"""Whole anonymous pages from the cache (edem.core.pagecache, issue 15): a hit is the same
page, a write shows on the next visit, each language has its own copy, signed-in visitors and
messages are never served from it, the forms on a cached page post with the visitor's own CSRF
token, and a dead Redis costs nothing but speed."""

import re

import pytest
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.test import Client
from django.urls import reverse

from edem.core import pagecache
from tests.appeals.community.factories import PublicAppealFactory
from tests.edem.test_cache_outage import portal_on, redis_server  # noqa: F401  (fixtures)
from tests.factories import CabinetFactory, CitizenFactory
from tests.helpers import appeal_changed

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
PAGE = "/consultations/"


def visit(client, path=PAGE, **meta):
    response = client.get(path, **meta)
    assert response.status_code == 200, (path, response.status_code)
    return response


def without_tokens(content):
    return TOKEN.sub("", content.decode())


def test_an_anonymous_page_is_served_again_from_the_cache():
    first = visit(Client())  # no version yet: rendered, the counter starts
    second = visit(Client())
    third = visit(Client())
    assert first["X-Page-Cache"] == second["X-Page-Cache"] == "miss"
    assert third["X-Page-Cache"] == "hit"
    assert without_tokens(third.content) == without_tokens(second.content)
    vary = {v.strip() for v in third["Vary"].split(",")}
    assert {"Cookie", "Accept-Language"} <= vary


def test_a_write_shows_on_the_next_visit(django_capture_on_commit_callbacks):
    CabinetFactory(code="adm", kind="administration")
    for _ in range(3):
        before = visit(Client(), "/problems/")
    assert before["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        appeal = PublicAppealFactory(subject="Сломана скамейка у фонтана")
        appeal_changed(appeal)  # the domain event a service publishes
    after = visit(Client(), "/problems/")
    assert after.get("X-Page-Cache") != "hit"
    assert "Сломана скамейка у фонтана" in after.content.decode()


def test_each_language_has_its_own_copy():
    for _ in range(2):
        visit(Client(), HTTP_ACCEPT_LANGUAGE="ru")
        visit(Client(), HTTP_ACCEPT_LANGUAGE="uk")
    ru = visit(Client(), HTTP_ACCEPT_LANGUAGE="ru")
    uk = visit(Client(), HTTP_ACCEPT_LANGUAGE="uk")
    assert ru["X-Page-Cache"] == uk["X-Page-Cache"] == "hit"
    assert '<html lang="ru">' in ru.content.decode()
    assert '<html lang="uk">' in uk.content.decode()
    by_cookie = Client()
    by_cookie.cookies["django_language"] = "uk"
    assert '<html lang="uk">' in visit(by_cookie, HTTP_ACCEPT_LANGUAGE="ru").content.decode()


def test_signed_in_visitors_are_never_served_from_the_cache():
    for _ in range(3):
        visit(Client())
    citizen = Client()
    citizen.force_login(CitizenFactory())
    for _ in range(3):
        response = visit(citizen)
        assert response.get("X-Page-Cache") is None
    assert reverse("account_logout") in response.content.decode()


def test_a_visitor_with_messages_waiting_is_rendered():
    for _ in range(3):
        visit(Client())
    client = Client()
    client.cookies["messages"] = "anything"
    assert visit(client).get("X-Page-Cache") is None


def test_a_form_on_a_cached_page_posts_with_the_visitors_own_token():
    for _ in range(2):
        visit(Client(enforce_csrf_checks=True))
    first = Client(enforce_csrf_checks=True)
    second = Client(enforce_csrf_checks=True)
    page_one, page_two = visit(first), visit(second)
    assert page_one["X-Page-Cache"] == page_two["X-Page-Cache"] == "hit"
    token_one = TOKEN.search(page_one.content.decode()).group(1)
    token_two = TOKEN.search(page_two.content.decode()).group(1)
    # Each visitor's page carries a token of their own CSRF cookie, not another visitor's.
    secret_one = first.cookies["csrftoken"].value
    secret_two = second.cookies["csrftoken"].value
    assert secret_one != secret_two
    assert _unmask_cipher_token(token_one) == secret_one
    assert _unmask_cipher_token(token_two) == secret_two
    switch = reverse("set_language")
    posted = second.post(switch, {"language": "uk", "next": PAGE, "csrfmiddlewaretoken": token_two})
    assert posted.status_code == 302
    # Another visitor's token is refused, as without the cache.
    third = Client(enforce_csrf_checks=True)
    visit(third)
    refused = third.post(switch, {"language": "uk", "next": PAGE, "csrfmiddlewaretoken": token_one})
    assert refused.status_code == 403


def test_a_page_showing_the_token_outside_a_form_is_not_stored(rf):
    request = rf.get(PAGE)
    token = get_token(request)
    response = HttpResponse(f'<meta name="csrf" content="{token}">'.encode())
    assert pagecache.storable(request, response) is None
    response = HttpResponse(f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">')
    headers, content = pagecache.storable(request, response)
    assert token.encode() not in content


def test_with_redis_killed_pages_still_render(portal_on):  # noqa: F811
    for _ in range(3):
        visit(Client())
    assert portal_on.keys(f"{portal_on.prefix}:1:pages:")
    portal_on.kill()
    for _ in range(3):
        assert visit(Client()).status_code == 200
    pagecache.bump()  # a write during the outage does not fail either
    client = Client()
    client.force_login(CitizenFactory())
    assert visit(client).status_code == 200
