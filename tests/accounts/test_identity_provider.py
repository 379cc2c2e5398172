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


def test_R18_resident_verification_needs_a_right_and_a_document_kept_only_as_a_keyed_hash():
    from django.core.exceptions import PermissionDenied

    from edem.accounts import services

    person, clerk = UserFactory(), UserFactory()
    passport = {"document_kind": "passport", "document_number": "45 00 123456"}
    with pytest.raises(PermissionDenied):
        services.verify_resident(user=person, actor=clerk, **passport)
    admin = UserFactory(is_superuser=True)
    with pytest.raises(services.VerificationRefused) as refused:
        services.verify_resident(
            user=person, actor=admin, document_kind="passport", document_number=" - "
        )
    assert refused.value.field == "document_number"
    with pytest.raises(services.VerificationRefused) as refused:
        services.verify_resident(user=person, actor=admin, document_kind="", document_number="1")
    assert refused.value.field == "document_kind"
    services.verify_resident(user=person, actor=admin, **passport)
    person.refresh_from_db()
    assert person.verification_level == User.Verification.RESIDENT and person.verified_by == admin
    assert person.person_key and person.person_key == person.document_key
    stored = " ".join(str(v) for v in User.objects.filter(pk=person.pk).values().get().values())
    assert "123456" not in stored  # R18: never the number itself, only its keyed hash


def test_an_identity_provider_login_records_the_person_key_from_the_subject():
    person = UserFactory()
    account = SocialAccount.objects.create(
        user=person, provider="identity", uid="esia-9", extra_data={}
    )
    SocialAccountAdapter().pre_social_login(_request(), SocialLogin(account=account, user=person))
    person.refresh_from_db()
    assert person.person_key and "esia-9" not in person.person_key
    assert person.document_key is None
