"""Signed-in pages from the cache (edem.core.pagecache.signed_in_page, issue 15): a page is
reused only by the session it was rendered for, a write shows at once, waiting messages are
shown, a cached page's forms post with the session's own CSRF token, a dead Redis costs nothing
but speed; and sessions are read through the cache for a bounded time (edem.core.sessions)."""

import re

import pytest
from django.conf import settings
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from appeals.workflow import Status
from cabinets.roles import Role
from edem.core import sessions
from tests.edem.test_cache_outage import portal_on, redis_server  # noqa: F401  (fixtures)
from tests.factories import AppealFactory, CabinetFactory, CitizenFactory, member
from tests.helpers import appeal_changed

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
CABINET = "/me/"


def signed_in(user, **kwargs):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", **kwargs)
    client.force_login(user)
    return client


def visit(client, path=CABINET):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


def warm(client, path=CABINET):
    """Visits until the page comes from the cache (the counters start on the first ones)."""
    for _ in range(3):
        response = visit(client, path)
    assert response["X-Page-Cache"] == "hit"
    return response


def test_the_cabinet_is_served_again_to_the_same_session_only():
    alice = CitizenFactory(first_name="Алиса", last_name="Облачная")
    bob = CitizenFactory(first_name="Борис", last_name="Грозовой")
    hers = warm(signed_in(alice))
    assert "Облачная" in hers.content.decode()
    assert reverse("accounts:cabinet") == CABINET
    his = visit(signed_in(bob))
    assert his["X-Page-Cache"] == "miss"
    assert "Грозовой" in his.content.decode()
    assert "Облачная" not in his.content.decode()
    # Her own second session is rendered for itself, not served the first one's copy.
    assert visit(signed_in(alice))["X-Page-Cache"] == "miss"


def test_a_session_without_the_second_factor_never_gets_the_officials_queue():
    cabinet = CabinetFactory(code="adm")
    head = member(cabinet, Role.HEAD)
    AppealFactory(cabinet=cabinet, status=Status.REGISTERED)
    queue = reverse("appeals_service:queue")
    warm(signed_in(head), queue)
    password_only = Client()
    password_only.force_login(head)
    session = password_only.session
    session.pop("account_authentication_methods", None)
    session.save()
    response = password_only.get(queue)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_an_authenticator_removed_closes_the_cached_queue_on_the_next_request():
    from allauth.mfa.models import Authenticator

    cabinet = CabinetFactory(code="adm")
    head = member(cabinet, Role.HEAD)
    queue = reverse("appeals_service:queue")
    client = signed_in(head)
    warm(client, queue)
    # Removed in the admin: the roles and the app are read together on every request, not kept.
    Authenticator.objects.filter(user=head).delete()
    response = client.get(queue)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_required")


def test_a_write_shows_on_the_page_at_once():
    citizen = CitizenFactory()
    client = signed_in(citizen)
    warm(client)
    response = client.post(
        reverse("accounts:profile"),
        {"last_name": "Переименованная", "first_name": "Анна", "language": "en"},
    )
    assert response.status_code == 302, response.content
    page = visit(client)
    assert page.get("X-Page-Cache") != "hit"
    assert "Переименованная" in page.content.decode()

    appeal = AppealFactory(author=citizen, subject="Скамейка у фонтана")
    mine = reverse("appeals:my_detail", args=[appeal.pk])
    warm(client, mine)
    appeal.subject = "Скамейка у пруда"
    appeal.save(update_fields=["subject"])
    appeal_changed(appeal)  # the domain event a service publishes
    page = visit(client, mine)
    assert page.get("X-Page-Cache") != "hit"
    assert "Скамейка у пруда" in page.content.decode()


def test_a_post_to_the_account_pages_renders_the_users_pages_anew():
    client = signed_in(CitizenFactory())
    warm(client)
    # Choosing a language changes no public page, but it is the user's own write.
    client.post(reverse("set_language"), {"language": "en", "next": CABINET})
    assert visit(client).get("X-Page-Cache") != "hit"


def test_waiting_messages_are_shown():
    citizen = CitizenFactory()
    client = signed_in(citizen)
    warm(client)
    response = client.post(
        reverse("accounts:profile"),
        {"last_name": citizen.last_name, "first_name": citizen.first_name, "language": "en"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == CABINET
    assert "Your profile is saved." in response.content.decode()
    assert response.get("X-Page-Cache") is None  # not from the cache, not stored


def test_a_form_on_a_cached_page_posts_with_the_sessions_own_token():
    citizen = CitizenFactory()
    client = signed_in(citizen, enforce_csrf_checks=True)
    page = warm(client)
    token = TOKEN.search(page.content.decode()).group(1)
    assert _unmask_cipher_token(token) == client.cookies[settings.CSRF_COOKIE_NAME].value
    # Another session of the same user, with a cookie of its own, is refused that token.
    other = signed_in(citizen, enforce_csrf_checks=True)
    warm(other)
    refused = other.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert refused.status_code == 403
    signed_out = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert signed_out.status_code == 302
    assert client.get(CABINET).status_code == 302  # to the sign-in page


def test_with_redis_killed_signed_in_pages_still_render(portal_on):  # noqa: F811
    citizen = CitizenFactory(last_name="Устойчивая")
    client = signed_in(citizen)
    warm(client)
    assert portal_on.keys(f"{portal_on.prefix}:1:pages:signed:*")
    portal_on.kill()
    for _ in range(3):  # still signed in: the session is in the database
        assert "Устойчивая" in visit(client).content.decode()


def test_a_cached_session_lives_a_couple_of_minutes_at_most(portal_on):  # noqa: F811
    client = signed_in(CitizenFactory())
    visit(client)
    key = f"{portal_on.prefix}:1:django.contrib.sessions.cached_db{client.session.session_key}"
    ttl = portal_on.client().ttl(key)
    assert 0 < ttl <= sessions.CACHE_LIFETIME


def test_the_card_from_the_cache_is_logged_like_any_view_and_an_action_shows_at_once():
    """R18: each view of the official's card writes an access-log line, served from the cache
    or not; the head's action renders the card afresh."""
    from appeals.models import AccessLog

    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    appeal = AppealFactory(cabinet=cabinet, status=Status.RECEIVED, subject="Яма во дворе")
    card = reverse("appeals_service:card", args=[appeal.pk])
    client = signed_in(head, enforce_csrf_checks=True)
    hit = warm(client, card)
    assert "Яма во дворе" in hit.content.decode()
    views = AccessLog.objects.filter(user=head, appeal=appeal, action=AccessLog.Action.VIEW)
    assert views.count() == 3
    assert set(views.values_list("cabinet_id", flat=True)) == {cabinet.pk}
    # Another official of the same cabinet gets a card rendered for himself.
    other = visit(signed_in(member(cabinet, Role.REGISTRAR)), card)
    assert other["X-Page-Cache"] == "miss"
    # An action posted from the cached card (its CSRF token is this session's) changes it.
    token = TOKEN.search(hit.content.decode()).group(1)
    register = reverse("appeals_service:act", args=[appeal.pk, "register"])
    assert client.post(register, {"csrfmiddlewaretoken": token}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.REGISTERED
    after = visit(client, card)  # rendered afresh, with the "registered" message
    assert after.get("X-Page-Cache") != "hit"
    assert appeal.number in after.content.decode()
    assert views.count() == 4
