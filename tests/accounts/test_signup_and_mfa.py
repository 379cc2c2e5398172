import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.urls import reverse

from edem.accounts.models import User
from edem.notifications.models import Notification
from tests.factories import DEFAULT_PASSWORD, TOTP_SECRET, UserFactory, member

pytestmark = pytest.mark.django_db


def current_code(secret=TOTP_SECRET):
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_sign_up_sends_verification_mail_through_the_outbox_then_login_works(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "new.resident@example.org",
                "password1": "a-long-Pass-phrase-42",
                "password2": "a-long-Pass-phrase-42",
                "last_name": "Соколова",
                "first_name": "Вера",
                "patronymic": "",
            },
            HTTP_ACCEPT_LANGUAGE="ru",
        )
    assert response.status_code == 302
    user = User.objects.get(email="new.resident@example.org")
    assert (user.last_name, user.first_name, user.verification_level) == (
        "Соколова",
        "Вера",
        "email",
    )

    notification = Notification.objects.get(email="new.resident@example.org")
    assert notification.status == Notification.Status.SENT  # delivered by the outbox task
    assert len(mail.outbox) == 1
    link = re.search(
        r"https?://[^/\s]+(/account/confirm-email/[^\s]+/)", mail.outbox[0].body
    ).group(1)

    # Not verified yet: login is held back until the address is confirmed.
    client.logout()
    client.post(
        reverse("account_login"), {"login": user.email, "password": "a-long-Pass-phrase-42"}
    )
    assert "_auth_user_id" not in client.session

    assert client.get(link).status_code == 200
    client.post(link)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "a-long-Pass-phrase-42"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_with_errors_keeps_what_was_typed(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "not-an-address",
            "password1": "x",
            "password2": "y",
            "last_name": "Орлова",
            "first_name": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="not-an-address"' in html
    assert 'value="Орлова"' in html
    assert not User.objects.filter(last_name="Орлова").exists()


def test_cabinet_member_without_mfa_cannot_open_the_service_cabinet(client):
    official = member(mfa=False)
    client.force_login(official)
    response = client.get(reverse("service:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_required")
    page = client.get(response["Location"])
    assert reverse("mfa_activate_totp") in page.content.decode()


def test_cabinet_member_with_totp_logs_in_with_the_code_and_opens_the_service_cabinet(client):
    official = member()
    response = client.post(
        reverse("account_login"), {"login": official.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone is not enough

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session

    client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert client.session["_auth_user_id"] == str(official.pk)
    assert client.get(reverse("service:home")).status_code == 200


def test_citizen_without_membership_gets_404_from_the_service_cabinet(client):
    client.force_login(UserFactory())
    assert client.get(reverse("service:home")).status_code == 404


def test_anonymous_is_sent_to_login_from_the_service_cabinet(client):
    response = client.get(reverse("service:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_language_switch_is_remembered_on_the_account(client):
    person = UserFactory(language="ru")
    client.force_login(person)
    client.post(reverse("set_language"), {"language": "uk", "next": "/"})
    person.refresh_from_db()
    assert person.language == "uk"
    assert '<html lang="uk">' in client.get("/").content.decode()


def test_profile_form_keeps_input_and_shows_errors_beside_fields(client):
    person = UserFactory()
    client.force_login(person)
    response = client.post(
        reverse("accounts:profile"),
        {
            "last_name": "",
            "first_name": "Олег",
            "postal_address": "ул. Лесная, 7",
            "language": "ru",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "ул. Лесная, 7" in html and 'value="Олег"' in html
    assert 'aria-invalid="true"' in html
