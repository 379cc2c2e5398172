"""Each role lands where its work is and every main-menu entry leads somewhere useful
(issue 16): officials to the service cabinet and their queue, citizens to /me/."""

import re

import pytest
from django.urls import reverse

from cabinets.roles import Role
from tests.accounts.test_signup_and_mfa import current_code
from tests.factories import DEFAULT_PASSWORD, CitizenFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def menu(client):
    html = client.get(reverse("home")).content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return {
        re.sub(r"<[^>]+>", "", text).strip(): href
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', nav, re.S)
    }


def test_a_citizen_lands_on_the_personal_cabinet(client):
    citizen = CitizenFactory()
    response = client.post(
        reverse("account_login"), {"login": citizen.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:cabinet")


@pytest.mark.parametrize("role", [Role.REGISTRAR, Role.HEAD, Role.EXECUTOR])
def test_an_official_lands_on_the_service_cabinet(client, role):
    official = member(role=role)
    client.post(reverse("account_login"), {"login": official.email, "password": DEFAULT_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert response.status_code == 302
    assert response["Location"] == reverse("service:home")
    assert client.get(response["Location"]).status_code == 200


def test_an_explicit_next_still_wins_for_an_official(client):
    official = member(role=Role.HEAD)
    client.post(
        reverse("account_login") + "?next=" + reverse("map:index"),
        {"login": official.email, "password": DEFAULT_PASSWORD, "next": reverse("map:index")},
    )
    response = client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert response["Location"] == reverse("map:index")


ROLES = {
    "anonymous": lambda: None,
    "citizen": CitizenFactory,
    "unverified": UserFactory,
    "registrar": lambda: member(role=Role.REGISTRAR),
    "head": lambda: member(role=Role.HEAD),
}
APPEALS = {
    "anonymous": "appeals:file",
    "citizen": "appeals:my_list",
    "unverified": "appeals:my_list",
    "registrar": "appeals_service:queue",
    "head": "appeals_service:queue",
}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_menu_entry_leads_somewhere_useful(client, role):
    user = ROLES[role]()
    if user:
        client.force_login(user)
    entries = menu(client)
    assert entries["Обращения"] == reverse(APPEALS[role])
    for label, href in entries.items():
        response = client.get(href, follow=True)
        assert response.status_code == 200, (role, label, href, response.status_code)
        if user:  # signed-in people are not sent back to the sign-in page
            assert response.request["PATH_INFO"] != reverse("account_login"), (role, label)
    if role in ("registrar", "head"):
        assert "Служебный кабинет" in entries
        queue = client.get(entries["Обращения"])
        assert 'aria-current="page"' in queue.content.decode()
