"""Normalised keys of the abuse limits (edem.core.net): the registrable domain of an e-mail
address and the /64 of an IPv6 address."""

from django.test import RequestFactory, override_settings

from edem.core.net import client_ip, rate_key, registrable_domain


def test_R24_an_email_domain_counts_by_the_domain_registered():
    assert registrable_domain("d@mx.corp.org") == "corp.org"
    assert registrable_domain("D@MX.Corp.ORG") == "corp.org"
    assert registrable_domain("@corp.org") == "corp.org"
    assert registrable_domain("a@x.y.example.co.uk") == "example.co.uk"
    assert registrable_domain("a@example.co.uk") == "example.co.uk"
    assert registrable_domain("a@mail.yandex.ru") == "yandex.ru"
    assert registrable_domain("a@sub.пример.рф") == "пример.рф"
    assert registrable_domain("co.uk") == "co.uk"  # a public suffix stays as it is
    assert registrable_domain("") == ""


def test_R24_two_ipv6_addresses_in_one_64_share_a_key_and_ipv4_stays_itself():
    assert rate_key("2001:db8:1:2::1") == rate_key("2001:db8:1:2:ffff:ffff:ffff:fffe")
    assert rate_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert rate_key("2001:db8:1:3::1") != rate_key("2001:db8:1:2::1")
    assert rate_key("203.0.113.7") == "203.0.113.7"
    assert rate_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert rate_key("not an address") is None and rate_key(None) is None


@override_settings(EDEM_TRUSTED_PROXIES=1)
def test_R24_the_key_is_taken_from_the_address_the_trusted_proxy_saw():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 2001:db8:5:6::99"
    )
    assert rate_key(client_ip(request)) == "2001:db8:5:6::/64"
