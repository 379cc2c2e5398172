"""The path to "verified" a newcomer can walk: what sign-up and the closed filing form say, the
verification page, the demo OpenID Connect provider (its protocol, through Django's test
client), and what connecting an identity provider does to the account.

The demo provider is exercised end to end, over real HTTP with allauth's own client, by
tests/browser/test_first_visit.py; a real provider (ESIA, Diia) is a third party, so here its
answer is built by hand and everything after it is the real allauth and edem code."""

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from edem.accounts.models import User
from edem.demo_idp.views import client as demo_client
from tests.factories import CabinetFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CALLBACK = "http://testserver" + reverse(
    "openid_connect_callback", kwargs={"provider_id": "demo-identity"}
)
IDP = settings.EDEM_DEMO_IDP_PATH


def _pkce():
    verifier = "v" * 64
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _authorize(client, challenge, **extra):
    params = {
        "response_type": "code",
        "client_id": "edem-demo",
        "redirect_uri": CALLBACK,
        "scope": "openid profile",
        "state": "s-1",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return client.post(
        IDP + "authorize/",
        {
            **params,
            "last_name": "Новикова",
            "first_name": "Анна",
            "patronymic": "Сергеевна",
            "birth_date": "1990-04-05",
            "confirm": "1",
            **extra,
        },
    )


def _token(client, code, verifier, secret=None):
    return client.post(
        IDP + "token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": "edem-demo",
            "client_secret": secret or demo_client()["secret"],
            "code_verifier": verifier,
        },
    )


# --- What the newcomer is told ---------------------------------------------------------


def test_signup_page_says_filing_needs_identity_and_links_to_the_ways(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="signup-verification-note"' in html
    assert f'href="{reverse("accounts:verify")}"' in html


def test_R2_closed_filing_form_shows_both_ways_with_links(client, settings):
    settings.EDEM_JURISDICTION = "ru"
    office = CabinetFactory(
        kind="administration", address="пл. Ленина, 1", office_hours="Пн–Пт 9:00–18:00"
    )
    person = UserFactory(verification_level=User.Verification.EMAIL)
    client.force_login(person)
    response = client.get(reverse("appeals:file"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="verify-online"' in html and 'id="verify-in-person"' in html
    assert office.address in html and office.office_hours in html
    connect = reverse("openid_connect_login", kwargs={"provider_id": "demo-identity"})
    assert f'href="{connect}?process=connect&amp;next=%2Fappeals%2Fnew%2F"' in html


def test_verification_page_for_anonymous_verified_and_unverified(client):
    CabinetFactory(kind="administration", address="пл. Ленина, 1")
    response = client.get(reverse("accounts:verify"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("account_signup") in html and "пл. Ленина, 1" in html
    assert "process=connect" not in html  # nothing to connect before signing in

    client.force_login(UserFactory(verification_level=User.Verification.EMAIL))
    html = client.get(reverse("accounts:verify") + "?next=https://evil.example/").content.decode()
    assert "process=connect&amp;next=%2Fme%2F" in html  # not to another site

    client.force_login(UserFactory(verification_level=User.Verification.IDENTITY))
    html = client.get(reverse("accounts:verify")).content.decode()
    assert 'id="verified-already"' in html and "process=connect" not in html


def test_demo_provider_is_named_after_the_jurisdictions_real_one():
    with translation.override("en"):
        assert str(demo_client()["name"]) in ("ESIA (demo)", "Diia (demo)")


# --- The demo provider speaks OpenID Connect -----------------------------------------


def test_demo_provider_discovery_names_its_endpoints(client):
    config = client.get(IDP + ".well-known/openid-configuration").json()
    assert config["issuer"] == "http://testserver" + IDP.rstrip("/")
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert config[key].startswith("http://testserver" + IDP)
    assert "S256" in config["code_challenge_methods_supported"]


def test_demo_provider_page_is_prefilled_from_the_signed_in_profile(client):
    person = UserFactory(last_name="Орлова", first_name="Вера")
    client.force_login(person)
    _verifier, challenge = _pkce()
    response = client.get(
        IDP + "authorize/",
        {
            "response_type": "code",
            "client_id": "edem-demo",
            "redirect_uri": CALLBACK,
            "scope": "openid",
            "state": "s",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 200
    assert 'value="Орлова"' in response.content.decode()


def test_demo_provider_code_flow_with_pkce_gives_id_token_and_userinfo(client):
    verifier, challenge = _pkce()
    response = _authorize(client, challenge)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    query = parse_qs(location.query)
    assert query["state"] == ["s-1"]

    tokens = _token(client, query["code"][0], verifier)
    assert tokens.status_code == 200, tokens.content
    data = tokens.json()
    claims = jwt.decode(
        data["id_token"],
        demo_client()["secret"],
        algorithms=["HS256"],
        audience="edem-demo",
        issuer="http://testserver" + IDP.rstrip("/"),
    )
    assert claims["nonce"] == "n-1" and claims["sub"].startswith("demo-")
    assert (claims["family_name"], claims["middle_name"]) == ("Новикова", "Сергеевна")
    info = client.get(IDP + "userinfo/", HTTP_AUTHORIZATION=f"Bearer {data['access_token']}")
    assert info.json()["sub"] == claims["sub"] and info.json()["birthdate"] == "1990-04-05"


def test_demo_provider_gives_the_same_person_the_same_subject(client):
    verifier, challenge = _pkce()
    subjects = set()
    for _ in range(2):
        code = parse_qs(urlsplit(_authorize(client, challenge)["Location"]).query)["code"][0]
        subjects.add(jwt.decode(_token(client, code, verifier).json()["id_token"], options={"verify_signature": False})["sub"])  # fmt: skip
    assert len(subjects) == 1


def test_demo_provider_refuses_reused_codes_wrong_verifier_and_wrong_secret(client):
    verifier, challenge = _pkce()
    code = parse_qs(urlsplit(_authorize(client, challenge)["Location"]).query)["code"][0]
    assert _token(client, code, verifier, secret="wrong").status_code == 401
    assert _token(client, code, "w" * 64).json()["error"] == "invalid_grant"
    assert _token(client, code, verifier).status_code == 200
    assert _token(client, code, verifier).json()["error"] == "invalid_grant"  # used once only
    assert client.get(IDP + "userinfo/", HTTP_AUTHORIZATION="Bearer forged").status_code == 401


def test_demo_provider_refuses_foreign_redirects_and_reports_a_cancel(client):
    _verifier, challenge = _pkce()
    response = _authorize(client, challenge, redirect_uri="https://evil.example/callback/")
    assert response.status_code == 400
    response = _authorize(client, challenge, redirect_uri=CALLBACK.replace("testserver", "evil.example"))  # fmt: skip
    assert response.status_code == 400  # the right path on a stranger's host
    response = _authorize(client, challenge, cancel="1")
    assert parse_qs(urlsplit(response["Location"]).query)["error"] == ["access_denied"]


def test_demo_provider_page_requires_a_name(client):
    _verifier, challenge = _pkce()
    response = _authorize(client, challenge, last_name="")
    assert response.status_code == 200  # the form again, with the error beside the field
    assert response.context["form"].errors["last_name"]


# --- Connecting the provider verifies the account -------------------------------------


def test_connecting_the_identity_provider_verifies_and_takes_the_confirmed_name():
    person = UserFactory(last_name="Новикова", first_name="Аня", patronymic="")
    claims = {
        "sub": "esia-100",
        "family_name": "Новикова",
        "given_name": "Анна",
        "middle_name": "Сергеевна",
        "birthdate": "1990-04-05",
    }
    account = SocialAccount(
        provider="demo-identity", uid="esia-100", extra_data={"userinfo": claims}
    )
    request = RequestFactory().get("/account/oidc/demo-identity/login/callback/")
    request.session = SessionStore()
    request.user = person
    SocialLogin(account=account, user=person).connect(request, person)
    person.refresh_from_db()
    assert person.verification_level == User.Verification.IDENTITY
    assert (person.first_name, person.patronymic) == ("Анна", "Сергеевна")
    assert person.birth_date.isoformat() == "1990-04-05"
    assert "demo-identity" in person.verification_note


# --- Never in production --------------------------------------------------------------

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3y-" + "a1B2c3D4e5F6g7H8i9J0" * 3,
    "ALLOWED_HOSTS": "edem.example.org",
}
SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.EDEM_DEMO_IDP, [a['provider_id'] for a in "
    "s.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS']])"
)


def _settings_run(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "EDEM_DEMO_IDP")
        and not k.startswith("EDEM_OIDC")
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "edem.settings", "EDEM_ENV_FILE": ""}, **env)
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_demo_provider_is_off_in_production_and_refused_if_asked_for():
    result = _settings_run(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "[]"]
    refused = _settings_run(**PRODUCTION, EDEM_DEMO_IDP="1")
    assert refused.returncode != 0 and "EDEM_DEMO_IDP" in refused.stderr


def test_a_real_provider_replaces_the_demo_one():
    result = _settings_run(EDEM_OIDC_SERVER_URL="https://esia.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "['identity']"]
