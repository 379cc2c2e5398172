"""The admin shows who verified a person and when (the verification itself is made with the
document seen, in the service cabinet); an administrator's and an official's first sign-in
goes straight to the second-factor setup."""

import pytest
from django.urls import reverse

from edem.accounts.models import User
from tests.factories import UserFactory, add_totp
from tests.helpers import record_second_factor

pytestmark = pytest.mark.django_db


def test_the_admin_shows_who_verified_and_when_but_never_changes_the_level(admin_client):
    """A verification records the identity document seen (its keyed hash, R18, R30), so it is
    made on the registrar's screen in the service cabinet; the admin shows the record."""
    official = UserFactory(last_name="Регистратова")
    person = UserFactory(
        verification_level=User.Verification.RESIDENT,
        verified_by=official,
        verification_note="Проверено в администрации.",
    )
    body = admin_client.get(reverse("admin:accounts_user_change", args=[person.pk])).content
    body = body.decode()
    assert 'name="verification_level"' not in body
    assert "Регистратова" in body and "Проверено в администрации." in body
    changelist = admin_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "verify_as_resident" not in changelist


def test_createsuperusers_address_counts_as_confirmed_so_the_first_sign_in_goes_on(client):
    from allauth.account.models import EmailAddress

    admin = User.objects.create_superuser(email="it@example.org", password="Pass-phrase-2026")
    address = EmailAddress.objects.get(user=admin)
    assert address.verified and address.primary
    response = client.post(
        reverse("account_login"), {"login": "it@example.org", "password": "Pass-phrase-2026"}
    )
    assert response.status_code == 302 and "confirm" not in response["Location"]
    assert client.session.get("_auth_user_id") == str(admin.pk)


def test_a_fresh_sign_in_sets_up_the_first_app_without_a_second_password_but_not_another(
    client,
):
    """allauth asks for the password again before any change of the second factor; right
    after signing in, the first authenticator app is set up without it (an official sent to
    set it up is not asked twice in a row), but removing one still asks."""
    person = UserFactory(is_staff=True, mfa=False)
    client.force_login(person)
    record_second_factor(client, person)
    first = client.get(reverse("mfa_activate_totp"))
    assert first.status_code == 200  # no re-authentication before the first app
    add_totp(person)
    removal = client.get(reverse("mfa_deactivate_totp"))
    assert removal.status_code == 302 and "reauthenticate" in removal["Location"]
