"""One client address for the whole portal: X-Forwarded-For believed only through the
configured number of trusted proxies (EDEM_TRUSTED_PROXIES), used by the access log, petition
signatures, the admin and allauth's rate limits."""

import pytest
from allauth.account.adapter import get_adapter
from django.test import RequestFactory
from django.urls import reverse

from appeals.models import AccessLog
from cabinets.roles import Role
from consultations.petitions.models import Signature
from edem.core.net import client_ip
from tests.consultations.petitions.factories import CollectingPetitionFactory
from tests.factories import AppealFactory, CitizenFactory, member

PROXY = "10.0.0.2"


def request(remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        # No trusted proxy: the header is whatever the client wrote, never believed.
        (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),
        (0, "203.0.113.7", None, "203.0.113.7"),
        # One proxy (docker compose's caddy) appends the address it received from.
        (1, PROXY, "203.0.113.7", "203.0.113.7"),
        # ... and what the client forged in front of it is ignored.
        (1, PROXY, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (1, PROXY, "1.2.3.4,5.6.7.8 , 203.0.113.7", "203.0.113.7"),
        # Two proxies (a CDN, then caddy): the client is the second from the right.
        (2, PROXY, "198.51.100.1, 203.0.113.7, 192.0.2.50", "203.0.113.7"),
        # Fewer entries than proxies: all were written by trusted proxies, the leftmost first.
        (2, PROXY, "203.0.113.7", "203.0.113.7"),
        # A request that no proxy forwarded (a health check inside the network).
        (1, "127.0.0.1", None, "127.0.0.1"),
        # Ports, IPv6 and garbage.
        (1, PROXY, "203.0.113.7:51234", "203.0.113.7"),
        (1, PROXY, "[2001:db8::1]:443", "2001:db8::1"),
        (1, PROXY, "2001:DB8::1", "2001:db8::1"),
        (1, PROXY, "not-an-address", PROXY),
        (0, "", None, None),
    ],
)
def test_client_address_through_trusted_proxies_only(
    settings, trusted, remote, forwarded, expected
):
    settings.EDEM_TRUSTED_PROXIES = trusted
    assert client_ip(request(remote, forwarded)) == expected


def test_allauth_takes_the_address_from_the_same_function(settings):
    settings.EDEM_TRUSTED_PROXIES = 1
    assert get_adapter().get_client_ip(request(PROXY, "6.6.6.6, 203.0.113.7")) == "203.0.113.7"


@pytest.mark.django_db
def test_petition_signature_records_the_client_not_the_proxy(client, settings):
    settings.EDEM_TRUSTED_PROXIES = 1
    petition = CollectingPetitionFactory()
    client.force_login(CitizenFactory())
    client.post(
        reverse("petitions:sign", args=[petition.pk]),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
    )
    assert Signature.objects.get(petition=petition).ip == "203.0.113.7"


@pytest.mark.django_db
def test_access_log_records_the_client_in_the_service_cabinet_and_the_admin(
    client, admin_client, settings
):
    settings.EDEM_TRUSTED_PROXIES = 1
    appeal = AppealFactory()
    client.force_login(member(appeal.cabinet, Role.HEAD))
    forwarded = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7"}
    assert (
        client.get(reverse("appeals_service:card", args=[appeal.pk]), **forwarded).status_code
        == 200
    )
    assert (
        admin_client.get(f"/admin/appeals/appeal/{appeal.pk}/change/", **forwarded).status_code
        == 200
    )
    entries = AccessLog.objects.filter(appeal=appeal)
    assert entries.count() == 2
    assert set(entries.values_list("ip", flat=True)) == {"203.0.113.7"}
