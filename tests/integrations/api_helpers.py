"""Shared set-up of the EDMS API tests: a client registered for a cabinet, acting as an
official with a role there, and a DRF test client that sends its token."""

from rest_framework.test import APIClient

from cabinets.roles import Role
from integrations.models import ApiClient
from tests.factories import CabinetFactory, member

ALL_SCOPES = ["read", "write"]


def register_client(cabinet=None, role=Role.HEAD, scopes=ALL_SCOPES, acts_as=None, **fields):
    """(the ApiClient, its token) for ``cabinet``, acting as a new ``role`` of it."""
    cabinet = cabinet or CabinetFactory()
    acts_as = acts_as or member(cabinet, role)
    client = ApiClient(name="СЭД", acts_as=acts_as, scopes=list(scopes), **fields)
    token = client.new_token()
    client.save()
    client.cabinets.add(cabinet)
    return client, token


def http(token=None, **headers):
    """A test client sending ``token`` as the bearer (and any extra headers)."""
    api = APIClient()
    if token:
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", **headers)
    elif headers:
        api.credentials(**headers)
    return api


def assert_problem(response, status):
    """``response`` is an RFC 9457 problem with ``status``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert body["detail"]
    return body
