"""Sign-in under attack: allauth's limits per account and per address (the client's address,
through the trusted proxies), a known device that keeps its owner in, and the second factor
for staff and superusers, in the Django admin too."""

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from edem.accounts.mfa import requires_second_factor
from tests.factories import DEFAULT_PASSWORD, TOTP_SECRET, UserFactory, member

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ATTACKER = "6.6.6.6"
RESIDENT = "203.0.113.7"
PER_ADDRESS = 20  # ACCOUNT_RATE_LIMITS["login_failed"]: 20/10m/ip
PER_ACCOUNT = 5  # ... and 5/5m/key


@pytest.fixture(autouse=True)
def _behind_the_proxy(settings):
    settings.EDEM_TRUSTED_PROXIES = 1


def sign_in(client, email, password=DEFAULT_PASSWORD, address=RESIDENT):
    """POST the sign-in form as a client at ``address`` behind the proxy; True when it let
    the person in (or on to the second factor)."""
    response = client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 302


def too_many(client, email, address):
    response = client.post(
        reverse("account_login"),
        {"login": email, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )
    if response.status_code != 200:
        return False
    return any(
        error.code == "too_many_login_attempts"
        for errors in response.context["form"].errors.as_data().values()
        for error in errors
    )


def current_code():
    import time

    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))


def test_failures_of_one_address_behind_the_proxy_do_not_lock_out_another(settings):
    resident = UserFactory()
    attacker = Client()
    for n in range(PER_ADDRESS + 2):
        assert not sign_in(attacker, f"nobody{n}@example.org", "wrong", address=ATTACKER)
    assert too_many(attacker, resident.email, ATTACKER)  # that address is held back ...
    assert sign_in(Client(), resident.email, address=RESIDENT)  # ... the town is not


def test_a_known_device_keeps_its_owner_in_behind_a_shared_address():
    resident = UserFactory()
    own_browser = Client()
    assert sign_in(own_browser, resident.email, address=RESIDENT)
    assert "edem_device" in own_browser.cookies
    own_browser.post(reverse("account_logout"))

    # Someone on the same network (a school's NAT) fails on many other accounts.
    neighbour = Client()
    for n in range(PER_ADDRESS + 2):
        sign_in(neighbour, f"nobody{n}@example.org", "wrong", address=RESIDENT)
    assert too_many(Client(), resident.email, RESIDENT)  # a new browser from there: held back
    assert sign_in(own_browser, resident.email, address=RESIDENT)  # the owner's: not


def test_per_account_limit_holds_for_every_address_but_not_for_the_owners_device():
    resident = UserFactory()
    own_browser = Client()
    assert sign_in(own_browser, resident.email)
    own_browser.post(reverse("account_logout"))

    for n in range(PER_ACCOUNT):
        assert not sign_in(Client(), resident.email, "wrong", address=f"198.51.100.{n + 1}")
    # The account is now held back, with the right password, from any new address ...
    assert too_many(Client(), resident.email, "192.0.2.99")
    # ... but not on the browser its owner signed in with before.
    assert sign_in(own_browser, resident.email)


def test_a_known_device_still_has_its_own_limit_and_cannot_be_forged_or_reused():
    resident, other = UserFactory(), UserFactory()
    own_browser = Client()
    assert sign_in(own_browser, resident.email)
    own_browser.post(reverse("account_logout"))
    for _ in range(PER_ACCOUNT):
        assert not sign_in(own_browser, resident.email, "wrong")
    assert too_many(own_browser, resident.email, RESIDENT)  # guessing on the device: held back

    # The device cookie names its account: it does not lift the limits of another one.
    for n in range(PER_ACCOUNT):
        sign_in(Client(), other.email, "wrong", address=f"198.51.100.{n + 1}")
    assert too_many(own_browser, other.email, RESIDENT)
    # A forged cookie is no device.
    forged = Client()
    forged.cookies["edem_device"] = own_browser.cookies["edem_device"].value[:-2] + "xx"
    assert too_many(forged, other.email, RESIDENT)


def test_superusers_and_staff_need_a_second_factor_like_officials():
    assert requires_second_factor(UserFactory(is_superuser=True, is_staff=True, mfa=False))
    assert requires_second_factor(UserFactory(is_staff=True, mfa=False))
    assert requires_second_factor(member(mfa=False))
    assert not requires_second_factor(UserFactory())


@pytest.mark.parametrize("flags", [{"is_superuser": True, "is_staff": True}, {"is_staff": True}])
def test_admin_without_an_authenticator_app_is_sent_to_set_one_up(client, flags):
    client.force_login(UserFactory(mfa=False, **flags))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_required")


def test_superuser_password_alone_never_opens_the_admin(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    response = client.post(
        reverse("account_login"), {"login": admin.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    # Not signed in yet: the admin's sign-in is the portal's (secure_admin_login).
    assert client.get("/admin/")["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("admin:login"))["Location"].startswith(reverse("account_login"))

    client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert client.session["_auth_user_id"] == str(admin.pk)
    assert client.get("/admin/").status_code == 200


def test_a_session_that_skipped_the_code_is_asked_for_it_before_the_admin(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    # A session signed in without the code (e.g. by another way in): the admin asks for it.
    client.force_login(admin)
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": 0}]
    session.save()
    response = client.get("/admin/geo/territory/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert "next=%2Fadmin%2Fgeo%2Fterritory%2F" in response["Location"]
