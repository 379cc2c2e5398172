"""Every link in every mail points to the configured site (``SITE_URL``), whatever host the
request that caused the mail used (issue 16: links to http://localhost:8000 from a portal
running elsewhere)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from appeals.letters import verification_url
from edem.notifications.models import Notification
from edem.notifications.services import render
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SITE = "http://portal.edem-test.example:8765"
MAIL_DIR = Path(settings.BASE_DIR) / "templates" / "mail"
TRIOS = sorted(
    str(p.relative_to(MAIL_DIR))[: -len(".subject.txt")] for p in MAIL_DIR.rglob("*.subject.txt")
)
# Allauth's messages (our overrides and its own) rendered with the account adapter's context.
ALLAUTH_MESSAGES = sorted(
    {
        f"{kind}/email/{p.name}"
        for kind in ("account", "mfa", "socialaccount")
        for root in (
            Path(settings.BASE_DIR) / "templates",
            Path(__import__("allauth").__file__).parent / "templates",
        )
        for p in (root / kind / "email").glob("*_message.txt")
    }
)

# A representative context: every path-like variable a mail template uses, with a list of each
# kind of item, so every link is rendered.
CONTEXT = {
    "title": "Title",
    "count": 2,
    "more": 1,
    "cabinet": "Housing",
    "days": 3,
    "subject": "Subject",
    "number": "A-1",
    "path": "/x/1/",
    "queue_path": "/service/appeals/",
    "alerts_path": "/me/alerts/",
    "cabinet_path": "/me/",
    "unsubscribe_path": "/unsubscribe/abc/",
    "unsubscribe_all_path": "/unsubscribe/abc/all/",
    "problems": [{"path": "/problems/1/", "subject": "Pothole", "category": "Roads"}],
    "items": [{"path": "/service/appeals/1/", "number": "A-2", "subject": "S", "due": "x"}],
    "activate_url": SITE + "/account/confirm-email/key/",
    "password_reset_url": SITE + "/account/password/reset/key/1-key/",
}

URL = re.compile(r"""https?://[^\s"'<>]+""")
HREF = re.compile(r"""href="([^"]*)\"""")


def assert_links_on_site(text, where):
    links = URL.findall(text) + [h for h in HREF.findall(text) if not h.startswith("mailto:")]
    assert links, f"{where}: no link at all"
    for link in (link.rstrip(".,;:)") for link in links):
        assert link == SITE or link.startswith(SITE + "/"), f"{where}: {link!r} is not on {SITE}"
    assert "localhost:8000" not in text, where


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def test_the_mail_templates_are_found():
    assert {"appeals/status", "petitions/confirm_signature", "accounts/resident_verified"} <= set(
        TRIOS
    )
    assert "account/email/email_confirmation_message.txt" in ALLAUTH_MESSAGES


@pytest.mark.parametrize("language", ["ru", "uk", "en"])
@pytest.mark.parametrize("template", TRIOS)
def test_every_link_in_every_mail_is_on_the_configured_site(template, language):
    for event in ("", "proposed", "results"):
        notification = Notification(
            template=template,
            email="a@example.org",
            language=language,
            context={**CONTEXT, "event": event},
        )
        subject, text, html = render(notification)
        assert_links_on_site(text, f"{template}.txt")
        assert_links_on_site(html, f"{template}.html")


@pytest.mark.parametrize("template", ALLAUTH_MESSAGES)
def test_every_link_in_allauth_mail_is_on_the_configured_site(template):
    user = UserFactory()
    context = {
        **CONTEXT,
        "user": user,
        "email": user.email,
        "site_url": SITE,
        "portal_name": "edem",
        "ip": "127.0.0.1",
        "user_agent": "Chromium",
        "code": "",
    }
    with translation.override("ru"):
        text = render_to_string(template, context)
    assert_links_on_site(text, template)


def test_sign_up_mail_links_to_the_site_and_reads_well(client, django_capture_on_commit_callbacks):
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
            HTTP_HOST="localhost:8000",  # the request's host must not leak into the mail
            follow=True,
        )
    assert response.status_code == 200
    page = response.content.decode()
    [sentences] = re.findall(r"<p[^>]*>([^<]*(?:Спам|spam)[^<]*)</p>", page)
    # A space after each sentence and each closing quote (a quote may close before the stop).
    assert not re.search(r"[.!?][^\s»\"]|[»\"][^\s.,;:!?»\"]", sentences.strip()), sentences
    [message] = mail.outbox
    assert_links_on_site(message.body, "sign-up mail")
    assert f"на сайте {SITE}" in message.body
    assert f"{SITE}/account/confirm-email/" in message.body


def test_password_reset_mail_links_to_the_site(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="forgetful@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_reset_password"),
            {"email": user.email},
            HTTP_HOST="localhost:8000",
        )
    [message] = mail.outbox
    assert_links_on_site(message.body, "password reset mail")
    assert f"{SITE}/account/password/reset/key/" in message.body
    assert DEFAULT_PASSWORD not in message.body


def test_the_letter_verification_link_is_on_the_configured_site():
    url = verification_url("AAAA-BBBB-CCCC")
    assert url == SITE + reverse("appeals:verify_letter", args=["AAAA-BBBB-CCCC"])


def test_migrate_keeps_the_sites_record_in_step_with_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    call_command("migrate", "core", verbosity=0)
    assert Site.objects.get(pk=settings.SITE_ID).domain == "127.0.0.1:8123"
