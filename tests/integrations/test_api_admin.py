"""The administrator's API clients: made with scopes as checkboxes, the token shown once in a
message and only its hash kept; rotated (the old token refused, the new one shown once) and
revoked from the list."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.urls import reverse

from cabinets.roles import Role
from integrations.models import ApiClient
from integrations.models.opendata import hash_key
from tests.factories import CabinetFactory, member

from .api_helpers import http, register_client

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"edem_[A-Za-z0-9_-]{20,}")


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()


def _token_in(response):
    """The one token the response's page shows; never in a message (its cookie would carry
    it) nor cacheable."""
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert not any(TOKEN.search(str(m)) for m in get_messages(response.wsgi_request))
    found = TOKEN.findall(response.content.decode())
    assert len(set(found)) == 1, found
    return found[0]


def test_create_shows_the_token_once_and_keeps_its_hash(admin_client):
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    add = reverse("admin:integrations_apiclient_add")
    page = admin_client.get(add).content.decode()
    assert 'type="checkbox" name="scopes" value="read"' in page
    response = admin_client.post(
        add,
        {
            "name": "СЭД «Дело»",
            "cabinets": [cabinet.pk],
            "acts_as": head.pk,
            "scopes": ["read", "write"],
            "allowed_ips": "10.0.0.0/8",
            "rate_limit": 600,
            "is_active": "on",
        },
    )
    token = _token_in(response)
    client = ApiClient.objects.get()
    assert client.scopes == ["read", "write"]
    assert client.token_hash == hash_key(token)
    assert token.startswith(client.token_prefix)
    listing = admin_client.get(reverse("admin:integrations_apiclient_changelist")).content.decode()
    assert client.token_prefix in listing and token not in listing
    change = admin_client.get(reverse("admin:integrations_apiclient_change", args=[client.pk]))
    assert token not in change.content.decode()
    assert http(token, REMOTE_ADDR="10.0.0.5").get("/api/v1/appeals/").status_code == 200


def test_bad_networks_are_refused_beside_the_field(admin_client):
    cabinet = CabinetFactory()
    response = admin_client.post(
        reverse("admin:integrations_apiclient_add"),
        {
            "name": "x",
            "cabinets": [cabinet.pk],
            "acts_as": member(cabinet, Role.HEAD).pk,
            "scopes": ["read"],
            "allowed_ips": "10.0.0.0/8\nnot-a-network",
            "rate_limit": 600,
        },
    )
    assert response.status_code == 200
    assert "not-a-network" in response.content.decode()
    assert not ApiClient.objects.exists()


def test_rotate_and_revoke_from_the_list(admin_client):
    client, old = register_client()
    changelist = reverse("admin:integrations_apiclient_changelist")
    response = admin_client.post(
        changelist,
        {"action": "rotate_token", "_selected_action": [client.pk]},
    )
    new = _token_in(response)
    assert new != old
    assert http(old).get("/api/v1/appeals/").status_code == 401
    assert http(new).get("/api/v1/appeals/").status_code == 200
    admin_client.post(changelist, {"action": "revoke", "_selected_action": [client.pk]})
    client.refresh_from_db()
    assert client.revoked_at is not None and not client.is_active
    assert http(new).get("/api/v1/appeals/").status_code == 401
