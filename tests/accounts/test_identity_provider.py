"""A login through the OpenID Connect identity provider (ESIA- or id.gov.ua-style) verifies the
person. The provider itself is a third party we cannot reach, so the provider's answer is built
here; everything after it is the real allauth and edem code."""

import pytest
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.test import RequestFactory

from edem.accounts.adapters import SocialAccountAdapter
from edem.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _request():
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/account/oidc/identity/login/callback/")
    request.session = SessionStore()
    return request


def test_new_user_from_the_identity_provider_gets_identity_level_and_patronymic():
    claims = {
        "sub": "esia-42",
        "email": "o.p@example.org",
        "given_name": "Ольга",
        "family_name": "Попова",
        "middle_name": "Игоревна",
    }
    account = SocialAccount(provider="identity", uid="esia-42", extra_data=claims)
    sociallogin = SocialLogin(account=account, user=User(email=claims["email"]))
    adapter = SocialAccountAdapter()
    request = _request()
    adapter.populate_user(
        request,
        sociallogin,
        {"email": claims["email"], "first_name": "Ольга", "last_name": "Попова"},
    )
    user = adapter.save_user(request, sociallogin)
    user.refresh_from_db()
    assert user.verification_level == User.Verification.IDENTITY
    assert (user.last_name, user.first_name, user.patronymic) == ("Попова", "Ольга", "Игоревна")
    assert "identity" in user.verification_note and user.verified_at is not None


def test_existing_connected_user_is_upgraded_on_login():
    person = UserFactory()
    account = SocialAccount.objects.create(
        user=person, provider="identity", uid="esia-7", extra_data={}
    )
    sociallogin = SocialLogin(account=account, user=person)
    SocialAccountAdapter().pre_social_login(_request(), sociallogin)
    person.refresh_from_db()
    assert person.verification_level == User.Verification.IDENTITY


def test_resident_verification_by_an_official_needs_a_note_and_a_right():
    from django.core.exceptions import PermissionDenied

    from edem.accounts import services

    person, clerk = UserFactory(), UserFactory()
    with pytest.raises(PermissionDenied):
        services.verify_resident(user=person, actor=clerk, note="паспорт")
    admin = UserFactory(is_superuser=True)
    with pytest.raises(ValueError):
        services.verify_resident(user=person, actor=admin, note=" ")
    services.verify_resident(user=person, actor=admin, note="паспорт 45 00 123456")
    person.refresh_from_db()
    assert person.verification_level == User.Verification.RESIDENT and person.verified_by == admin
