"""EDMS API authentication and limits: the bearer token (unknown, revoked, rotated), the
client's allowed addresses, its scopes, its rate (429 with Retry-After, open when the cache is
down), the access log of every call (R18), ``last_used_at``."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from appeals.models import AccessLog
from integrations.api import throttling
from integrations.models import ApiClient
from tests.factories import AppealFactory

from .api_helpers import assert_problem, http, register_client

pytestmark = pytest.mark.django_db
LIST = "/api/v1/appeals/"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()


def test_no_token_is_401_with_bearer_challenge():
    response = http().get(LIST)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer edem_wrong", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer"]
)
def test_wrong_token_is_401(header):
    register_client()
    response = http(HTTP_AUTHORIZATION=header).get(LIST)
    assert_problem(response, 401)


def test_revoked_and_inactive_tokens_are_refused():
    client, token = register_client()
    assert http(token).get(LIST).status_code == 200
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
    assert_problem(http(token).get(LIST), 401)
    client2, token2 = register_client()
    ApiClient.objects.filter(pk=client2.pk).update(revoked_at="2026-01-01T00:00:00Z")
    assert_problem(http(token2).get(LIST), 401)


def test_rotated_token_old_one_refused_new_one_works():
    client, old = register_client()
    new = client.new_token()
    client.save()
    assert_problem(http(old).get(LIST), 401)
    assert http(new).get(LIST).status_code == 200


def test_address_outside_allowed_networks_is_403(settings):
    _client, token = register_client(allowed_ips="10.0.0.0/8\n192.0.2.7")
    response = http(token, REMOTE_ADDR="203.0.113.9", HTTP_ACCEPT_LANGUAGE="en").get(LIST)
    body = assert_problem(response, 403)
    assert "address" in body["detail"]
    assert http(token, REMOTE_ADDR="10.1.2.3").get(LIST).status_code == 200
    assert http(token, REMOTE_ADDR="192.0.2.7").get(LIST).status_code == 200


def test_forwarded_address_counts_only_through_trusted_proxies(settings):
    _client, token = register_client(allowed_ips="198.51.100.0/24")
    forged = http(token, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    settings.EDEM_TRUSTED_PROXIES = 0
    assert forged.get(LIST).status_code == 403
    settings.EDEM_TRUSTED_PROXIES = 1
    assert forged.get(LIST).status_code == 200  # the proxy said so


def test_missing_scope_is_403():
    _client, token = register_client(scopes=["read"])
    appeal = AppealFactory()
    response = http(token).post(f"/api/v1/appeals/{appeal.pk}/actions/register/", {}, format="json")
    body = assert_problem(response, 403)
    assert "write" in body["detail"]
    _client, token = register_client(scopes=["webhooks"])
    assert_problem(http(token).get(LIST), 403)


def test_rate_limit_429_with_retry_after():
    _client, token = register_client(rate_limit=3)
    api = http(token)
    for _ in range(3):
        assert api.get(LIST).status_code == 200
    response = api.get(LIST)
    assert_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 61
    # Another client has its own count.
    _other, other_token = register_client(rate_limit=3)
    assert http(other_token).get(LIST).status_code == 200


def test_rate_limit_fails_open_when_the_cache_is_down(settings, monkeypatch):
    """A cache that does not answer must not refuse calls (the limit is fairness, not a
    dependency): Redis pointed at a closed port."""
    from django.core.cache.backends.redis import RedisCache

    down = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    monkeypatch.setattr(throttling, "cache", down)
    _client, token = register_client(rate_limit=1)
    api = http(token)
    assert [api.get(LIST).status_code for _ in range(3)] == [200, 200, 200]


def test_every_call_is_logged_and_last_used_noted():
    client, token = register_client()
    appeal = AppealFactory(cabinet=client.cabinets.get())
    assert client.last_used_at is None
    http(token).get(LIST)
    http(token).get(f"/api/v1/appeals/{appeal.pk}/")
    http(token).get("/api/v1/appeals/999999/")
    logs = list(AccessLog.objects.filter(user=client.acts_as).order_by("pk"))
    assert [(log.action, log.appeal_id, log.details["status"]) for log in logs] == [
        ("export", None, 200),
        ("view", appeal.pk, 200),
        ("view", None, 404),
    ]
    assert all(log.details["api_client"] == client.pk for log in logs)
    client.refresh_from_db()
    assert client.last_used_at is not None


def test_reference_and_schema_are_public_and_csp_clean(client):
    schema = client.get(reverse("api:schema"))
    assert schema.status_code == 200
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html and "<style>" not in html  # no inline code (CSP)
    assert "cdn" not in html.lower()
    assert "swagger-ui-bundle.js" in html
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert reverse("api:docs") in client.get("/open-data/").content.decode()
