"""A new resident's first visit in headless Chromium, through the real pages only: sign up
(the page says an identity check comes before filing), confirm the e-mail from the .eml file
the portal wrote, find the filing form closed with the two ways to get verified, get verified
through the demo identity provider (a real OpenID Connect provider inside the portal, spoken to
over HTTP by allauth's own client), file the appeal with a photo whose GPS position becomes
its place, and, once the cabinet has answered, open the link of the answer mail (in her
language) to read the answer. The whole visit is walked in Russian, Ukrainian and English, the
page switched to the language on the sign-up page (issue 16, "Done when").

Every page on the way is checked with axe-core: 0 serious or critical violations.
"""

import email
import re
from email import policy

import pytest
from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import ExifTags, Image
from playwright.sync_api import expect

from appeals.models import Appeal, Category
from appeals.services.answers import draft_answer, sign_answer
from appeals.services.registration import assign, register
from appeals.workflow import Status
from cabinets.models import Cabinet
from edem.accounts.models import User
from edem.geo.lookup import territory_for
from tests.factories import classifier_code

from .a11y import assert_accessible
from .test_portal import DEMO_TOTP_SECRET, current_totp, main_form, submit

pytestmark = pytest.mark.browser

EMAIL = "new.resident@example.org"
PASSWORD = "Tr0pinka-k-dom"  # noqa: S105
HEAD = "mayor@demo.edem"
REGISTRAR = "registrar@demo.edem"
EXECUTOR = "executor@demo.edem"
TOPIC = {"ru": "Освещение улиц", "uk": "Освітлення вулиць", "en": "Street lighting"}
SUBJECT = "Не горит фонарь у дома 3"
ANSWER = "Фонарь у дома 3 по улице Лесной заменён 5 декабря."


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
    messages = mails_to(mail_dir, EMAIL)
    assert messages, "no mail was written"
    message = messages[-1]
    body = message.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(r"https?://\S+/account/confirm-email/\S+/", body)
    assert links, f"no confirmation link in the mail:\n{body}"
    assert links[0].startswith(live + "/"), "the link does not point at the running portal"
    return links[0]


def photo_taken_in_town(path):
    """A phone photo: a small JPEG whose EXIF GPS says it was taken at 56.01 N, 38.005 E, in
    the demo town (inside one of its territories)."""
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (56.0, 0.0, 36.0)  # 56.01
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (38.0, 0.0, 18.0)  # 38.005
    Image.new("RGB", (160, 120), (120, 110, 100)).save(path, "JPEG", exif=exif)
    return path


def mails_to(mail_dir, address):
    """The messages written for ``address``, oldest first, as a mail program reads them."""
    found = []
    for path in sorted(mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if address in str(message["To"]):
            found.append(message)
    return found


def answer_officially(appeal):
    """The cabinet answers through its services, as the registrar, the head and the executor
    do from the service cabinet (tests/browser/test_appeal_journey.py clicks the same way):
    registered (if the cabinet registers by hand), assigned, drafted with the result and the
    classifier code (R16), signed by the head with a fresh code from the app (R12)."""
    head, executor = User.objects.get(email=HEAD), User.objects.get(email=EXECUTOR)
    with TestCase.captureOnCommitCallbacks(execute=True):
        if appeal.status == Status.RECEIVED:
            register(appeal=appeal, actor=User.objects.get(email=REGISTRAR))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assign(appeal=Appeal.objects.get(pk=appeal.pk), actor=head, executor=executor)
    with TestCase.captureOnCommitCallbacks(execute=True):
        draft_answer(
            appeal=Appeal.objects.get(pk=appeal.pk),
            actor=executor,
            text=ANSWER,
            result="measures",
            classifier=classifier_code(),
        )
    with TestCase.captureOnCommitCallbacks(execute=True):
        sign_answer(
            appeal=Appeal.objects.get(pk=appeal.pk),
            actor=head,
            otp_code=current_totp(DEMO_TOTP_SECRET),
        )


@pytest.mark.parametrize("lang", ["ru", "uk", "en"])
def test_R2_new_resident_signs_up_gets_verified_files_with_a_photo_and_reads_the_answer(
    portal_at_live_server, demo_town, new_page, tmp_path, lang
):
    mail_dir, live = portal_at_live_server, demo_town.url
    administration = Cabinet.objects.get(code="adm")
    topic = Category.objects.create(
        name_ru=TOPIC["ru"], name_uk=TOPIC["uk"], name_en=TOPIC["en"],
        default_cabinet=administration,
    )  # fmt: skip
    territory = territory_for(56.01, 38.005)
    assert territory is not None, "the demo town does not cover the test photo's place"
    with translation.override(lang):  # reference data in her language (modeltranslation)
        territory_name = territory.name
        office = administration.address, administration.office_hours
        follow_text = gettext("Follow your appeal in your personal cabinet:")
    page = new_page()

    # 1. Sign-up, with the page switched to her language, says plainly that filing needs an
    # identity check, and how to pass it.
    page.goto(reverse("account_signup"))
    switch = page.locator("header form:has(select[name='language'])")
    switch.locator("select[name='language']").select_option(lang)
    switch.locator("button[type='submit']").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
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
    assert_accessible(page)

    # 2. The confirmation link from the .eml file; confirming signs her in.
    page.goto(confirmation_link(mail_dir, live))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    submit(page.locator("main form"))
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:cabinet")) + "$"))
    person = User.objects.get(email=EMAIL)
    assert person.verification_level == User.Verification.EMAIL
    assert person.language == lang, "her language was not kept from the sign-up page"

    # 3. The filing form is closed, and the page shows both ways with their links.
    response = page.goto(reverse("appeals:file"))
    assert response.status == 403
    expect(page.locator("#verify-online")).to_be_visible()
    offices = page.locator("#verify-in-person address")
    expect(offices).to_contain_text(office[0])
    expect(offices).to_contain_text(office[1])
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
    expect(page.locator("html")).to_have_attribute("lang", lang)
    person.refresh_from_db()
    assert person.verification_level == User.Verification.IDENTITY
    assert person.patronymic == "Сергеевна" and person.verified_at is not None
    assert person.socialaccount_set.get().provider == "demo-identity"
    assert_accessible(page)

    # 6. She files with a photo from her phone and leaves the place empty: the form offers the
    # place where the photo was taken (inside the town), and she accepts it.
    form = main_form(page, "subject")
    form.locator("input[name='kind'][value='statement']").check()
    form.locator("select[name='cabinet']").select_option(str(administration.pk))
    form.locator("select[name='category']").select_option(str(topic.pk))
    form.locator("input[name='subject']").fill(SUBJECT)
    form.locator("textarea[name='text']").fill(
        "Третью неделю не горит фонарь у подъезда дома 3 по улице Лесной. Фото приложено."
    )
    assert form.locator("#id_latitude").input_value() == ""
    form.locator("input[type='file'][name='attachments']").set_input_files(
        str(photo_taken_in_town(tmp_path / "lamp.jpg"))
    )
    form.locator("input[name='personal_data_consent']").check()
    submit(form)
    offer = page.locator("#photo-place")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("lamp.jpg")
    expect(offer).to_contain_text(territory_name)
    assert not Appeal.objects.filter(author=person).exists()
    assert_accessible(page)
    offer.locator("#photo-place-use").click()
    expect(page.locator("main h1")).to_have_text(SUBJECT)
    appeal = Appeal.objects.get(author=person)
    assert appeal.cabinet == administration and appeal.category == topic
    assert (str(appeal.latitude), str(appeal.longitude)) == ("56.010000", "38.005000")
    assert appeal.territory == territory and appeal.attachments.count() == 1
    assert_accessible(page)

    # 7. The cabinet answers; the answer mail is in her language and its link, opened from the
    # .eml file, leads to the appeal with the answer.
    answer_officially(appeal)
    message = mails_to(mail_dir, EMAIL)[-1]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert follow_text in " ".join(body.split()), f"the answer mail is not in {lang}:\n{body}"
    assert ANSWER in " ".join(body.split()), f"the answer is not in the mail:\n{body}"
    link = live + reverse("appeals:my_detail", args=[appeal.pk])
    links = re.findall(r"https?://[^\s<>\"]+", body)
    assert link in links, f"no link to the appeal ({link}) in the answer mail: {links}"
    page.goto(link)
    expect(page).to_have_url(link)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("main section[aria-labelledby='answer-title']")).to_contain_text(ANSWER)
    assert_accessible(page)


def test_demo_provider_refuses_a_stranger_client(demo_town, page):
    response = page.goto(
        settings.EDEM_DEMO_IDP_PATH
        + "authorize/?response_type=code&scope=openid&client_id=someone-else"
        + "&redirect_uri=https%3A%2F%2Fevil.example%2Fcallback%2F"
    )
    assert response.status == 400
