"""A new resident's first visit in headless Chromium, through the real pages only: sign up
(the page says an identity check comes before filing), confirm the e-mail from the .eml file
the portal wrote, find the filing form closed with the two ways to get verified, get verified
through the demo identity provider (a real OpenID Connect provider inside the portal, spoken to
over HTTP by allauth's own client), and file the appeal.

Every page on the way is checked with axe-core: 0 serious or critical violations.
"""

import email
import re
from email import policy

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from appeals.models import Appeal, Category
from cabinets.models import Cabinet
from edem.accounts.models import User

from .a11y import assert_accessible
from .test_portal import main_form, submit

pytestmark = pytest.mark.browser

EMAIL = "new.resident@example.org"
PASSWORD = "Tr0pinka-k-dom"  # noqa: S105
ADMINISTRATION = "Администрация города Демограда"
TOPIC = "Освещение улиц"


@pytest.fixture
def portal_at_live_server(settings, demo_town, tmp_path):
    """The portal as `make run` starts it: its address (SITE_URL) is where it runs, the demo
    identity provider answers on the same server, and mail goes to .eml files."""
    settings.SITE_URL = demo_town.url
    providers = {**settings.SOCIALACCOUNT_PROVIDERS}
    apps = []
    for app in providers["openid_connect"]["APPS"]:
        if app["provider_id"] == "demo-identity":
            app = {
                **app,
                "settings": {
                    **app["settings"],
                    "server_url": demo_town.url + settings.EDEM_DEMO_IDP_PATH.rstrip("/"),
                },
            }
        apps.append(app)
    providers["openid_connect"] = {**providers["openid_connect"], "APPS": apps}
    settings.SOCIALACCOUNT_PROVIDERS = providers
    settings.EMAIL_BACKEND = "edem.notifications.backends.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def confirmation_link(mail_dir, live):
    """The link in the sign-up mail, read from the .eml file as a person's mail program would."""
    files = sorted(mail_dir.glob("*.eml"))
    assert files, "no mail was written"
    message = email.message_from_bytes(files[-1].read_bytes(), policy=policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(r"https?://\S+/account/confirm-email/\S+/", body)
    assert links, f"no confirmation link in the mail:\n{body}"
    assert links[0].startswith(live + "/"), "the link does not point at the running portal"
    return links[0]


def test_R2_new_resident_signs_up_gets_verified_through_the_demo_provider_and_files(
    portal_at_live_server, demo_town, new_page
):
    mail_dir, live = portal_at_live_server, demo_town.url
    administration = Cabinet.objects.get(code="adm")
    Category.objects.create(name=TOPIC, default_cabinet=administration)
    page = new_page()

    # 1. Sign-up says plainly that filing needs an identity check, and how to pass it.
    page.goto(reverse("account_signup"))
    note = page.locator("#signup-verification-note")
    expect(note).to_be_visible()
    expect(note.locator(f"a[href='{reverse('accounts:verify')}']")).to_have_count(1)
    assert_accessible(page)
    form = main_form(page, "password1")
    form.locator("input[name='email']").fill(EMAIL)
    form.locator("input[name='last_name']").fill("Новикова")
    form.locator("input[name='first_name']").fill("Анна")
    form.locator("input[name='password1']").fill(PASSWORD)
    form.locator("input[name='password2']").fill(PASSWORD)
    submit(form)
    expect(page).to_have_url(re.compile(re.escape(reverse("account_email_verification_sent"))))

    # 2. The confirmation link from the .eml file; confirming signs her in.
    page.goto(confirmation_link(mail_dir, live))
    submit(page.locator("main form"))
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:cabinet")) + "$"))
    person = User.objects.get(email=EMAIL)
    assert person.verification_level == User.Verification.EMAIL

    # 3. The filing form is closed, and the page shows both ways with their links.
    response = page.goto(reverse("appeals:file"))
    assert response.status == 403
    expect(page.locator("#verify-online")).to_be_visible()
    offices = page.locator("#verify-in-person address")
    expect(offices).to_contain_text(administration.address)
    expect(offices).to_contain_text(administration.office_hours)
    assert_accessible(page)
    page.locator("#verify-online a[data-provider='demo-identity']").click()

    # 4. allauth asks to continue to the provider; the provider's own page asks who she is.
    submit(page.locator("main form"))
    expect(page).to_have_url(re.compile(re.escape(settings.EDEM_DEMO_IDP_PATH) + "authorize/"))
    idp = page.locator("#demo-idp-form")
    expect(idp.locator("input[name='last_name']")).to_have_value("Новикова")
    assert_accessible(page)
    idp.locator("input[name='patronymic']").fill("Сергеевна")
    idp.locator("button[name='confirm']").click()

    # 5. Back on the portal, verified, on the filing form she was going to.
    expect(page).to_have_url(re.compile(re.escape(reverse("appeals:file")) + "$"))
    person.refresh_from_db()
    assert person.verification_level == User.Verification.IDENTITY
    assert person.patronymic == "Сергеевна" and person.verified_at is not None
    assert person.socialaccount_set.get().provider == "demo-identity"

    # 6. She files.
    form = main_form(page, "subject")
    form.locator("input[name='kind'][value='statement']").check()
    form.locator("select[name='cabinet']").select_option(label=ADMINISTRATION)
    form.locator("select[name='category']").select_option(label=TOPIC)
    form.locator("input[name='subject']").fill("Не горит фонарь у дома 3")
    form.locator("textarea[name='text']").fill(
        "Третью неделю не горит фонарь у подъезда дома 3 по улице Лесной. Прошу починить."
    )
    form.locator("input[name='personal_data_consent']").check()
    submit(form)
    expect(page.locator("main h1")).to_have_text("Не горит фонарь у дома 3")
    appeal = Appeal.objects.get(author=person)
    assert appeal.cabinet == administration
    assert_accessible(page)


def test_demo_provider_refuses_a_stranger_client(demo_town, page):
    response = page.goto(
        settings.EDEM_DEMO_IDP_PATH
        + "authorize/?response_type=code&scope=openid&client_id=someone-else"
        + "&redirect_uri=https%3A%2F%2Fevil.example%2Fcallback%2F"
    )
    assert response.status == 400
