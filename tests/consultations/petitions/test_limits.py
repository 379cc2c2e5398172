"""The abuse limits of signing count normalised keys (R24): an e-mail domain by the domain
registered (Public Suffix List), an IPv6 address by its /64, the address as the trusted proxy
saw it."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from consultations.petitions import signing
from consultations.petitions.models import PetitionSettings, Signature
from tests.factories import CitizenFactory

from .factories import CollectingPetitionFactory

pytestmark = pytest.mark.django_db


def _limits(per_ip=1000, per_domain=1000, unlimited=""):
    settings_ = PetitionSettings.load()
    settings_.signatures_per_ip_per_hour = per_ip
    settings_.signatures_per_domain_per_hour = per_domain
    settings_.unlimited_domains = unlimited
    settings_.save()


def _sign(petition, email, ip):
    return signing.sign(petition=petition, user=CitizenFactory(email=email), ip=ip)


def test_R24_a_subdomain_counts_against_the_limit_of_its_registered_domain():
    _limits(per_domain=2)
    petition = CollectingPetitionFactory()
    _sign(petition, "a@corp.org", "192.0.2.1")
    _sign(petition, "b@corp.org", "192.0.2.2")
    with translation.override("en"), pytest.raises(signing.SigningRefused, match="corp.org"):
        _sign(petition, "d@mx.corp.org", "192.0.2.3")
    _sign(petition, "e@other.org", "192.0.2.4")  # another domain is not held back
    assert set(Signature.objects.values_list("email_domain", flat=True)) == {
        "corp.org",
        "other.org",
    }


def test_R24_a_two_level_public_suffix_like_co_uk_is_not_one_domain():
    _limits(per_domain=2)
    petition = CollectingPetitionFactory()
    _sign(petition, "a@mail.example.co.uk", "192.0.2.11")
    _sign(petition, "b@example.co.uk", "192.0.2.12")
    with pytest.raises(signing.SigningRefused):
        _sign(petition, "c@x.y.example.co.uk", "192.0.2.13")
    _sign(petition, "d@another.co.uk", "192.0.2.14")  # co.uk itself is no one's domain


def test_R24_an_exempt_domain_is_exempt_with_its_subdomains():
    _limits(per_domain=1, unlimited="Mail.Example.co.uk\n")
    petition = CollectingPetitionFactory()
    _sign(petition, "p0@example.co.uk", "192.0.2.20")
    _sign(petition, "p1@example.co.uk", "192.0.2.21")
    _sign(petition, "p2@smtp.example.co.uk", "192.0.2.22")
    assert Signature.objects.filter(petition=petition).count() == 3
    _sign(petition, "q0@other.test", "192.0.2.23")
    with pytest.raises(signing.SigningRefused):  # the limit itself still holds elsewhere
        _sign(petition, "q1@mail.other.test", "192.0.2.24")


def test_R24_two_ipv6_addresses_in_one_64_share_the_address_limit():
    _limits(per_ip=2)
    petition = CollectingPetitionFactory()
    _sign(petition, "a@one.test", "2001:db8:10:20::1")
    _sign(petition, "b@two.test", "2001:db8:10:20::2")
    with translation.override("en"), pytest.raises(signing.SigningRefused, match="network"):
        _sign(petition, "c@three.test", "2001:db8:10:20:dead:beef:0:1")
    _sign(petition, "d@four.test", "2001:db8:10:21::1")  # the next /64 is someone else
    assert Signature.objects.filter(petition=petition).count() == 3


@override_settings(EDEM_TRUSTED_PROXIES=1)
def test_R24_the_limit_counts_the_client_address_the_trusted_proxy_reports(client):
    _limits(per_ip=1)
    petition = CollectingPetitionFactory()
    url = reverse("petitions:sign", args=[petition.pk])
    client.force_login(CitizenFactory(email="first@a.test"))
    response = client.post(
        url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.1, 2001:db8:7:7::1"
    )
    assert response.status_code == 302
    client.force_login(CitizenFactory(email="second@b.test"))
    response = client.post(  # a forged entry on the left changes nothing
        url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9, 2001:db8:7:7::abcd"
    )
    assert response.status_code == 400
    client.force_login(CitizenFactory(email="third@c.test"))
    response = client.post(url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8:7:8::1")
    assert response.status_code == 302
    assert Signature.objects.filter(petition=petition).count() == 2
