"""An appeal's whole life in headless Chromium, through the real pages only: a citizen of the
demo town files it (with a photo and a point on the map, after one failed try), the registrar
registers it, the head assigns it, the executor drafts the answer, the head signs it with a
fresh TOTP code (R12), and the citizen reads the answer and downloads the signed PDF letter.

The ORM only prepares the scene (manual registration in the administration, a topic, an
answer template) and checks what the clicks did. Every page on the way is checked with
axe-core: 0 serious or critical violations.
"""

import io
import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from PIL import ExifTags, Image
from playwright.sync_api import expect
from pypdf import PdfReader

from appeals.models import AnswerTemplate, Appeal, CabinetAppealSettings, Category
from appeals.workflow import Status
from cabinets.models import Cabinet
from tests.factories import classifier_code

from .a11y import assert_accessible
from .test_portal import DEMO_PASSWORD, DEMO_TOTP_SECRET, main_form, sign_in, submit

pytestmark = pytest.mark.browser

# From fixtures/demo_town.json.
CITIZEN = "ivanova@demo.edem"
REGISTRAR = "registrar@demo.edem"
HEAD = "mayor@demo.edem"
EXECUTOR = "executor@demo.edem"
EXECUTOR_NAME = "Крылов Денис Андреевич"
ADMINISTRATION = "Администрация города Демограда"

TOPIC = "Благоустройство дворов"
SUBJECT = "Яма во дворе дома 12 по улице Садовой"
TEXT = (
    "Во дворе дома 12 по улице Садовой третий месяц стоит яма глубиной около полуметра.\n"
    "Прошу засыпать её и восстановить асфальт до наступления холодов."
)
PLACE = "Демоград, ул. Садовая, д. 12, двор"
PHOTO_NAME = "yama-vo-dvore.jpg"
ANSWER = (
    "Яма во дворе дома 12 по улице Садовой будет засыпана, а асфальтовое покрытие "
    "восстановлено подрядной организацией до 15 декабря."
)


class AuthenticatorApp:
    """The demo officials' authenticator app (they share one TOTP secret). allauth accepts a
    code only in its own 30-second step and only once per user, and the head uses it twice
    (to sign in, and again to sign the answer), so a user never gets the code of a step they
    have already used: the app waits for the next step instead."""

    def __init__(self, secret):
        self.secret = secret
        self.used_steps = {}

    def code(self, email):
        while True:
            now = time.time()
            step, left = int(now // 30), 30 - now % 30
            if left < 3 or self.used_steps.get(email) == step:
                time.sleep(left + 0.2)
                continue
            self.used_steps[email] = step
            return format_hotp_value(hotp_value(self.secret, step))


def sign_in_official(page, email, app):
    sign_in(page, email, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_authenticate")) + "$"))
    form = main_form(page, "code")
    form.locator("input[name='code']").fill(app.code(email))
    submit(form)
    expect(page, f"{email}: the TOTP code was not accepted").not_to_have_url(
        re.compile(re.escape(reverse("mfa_authenticate")))
    )


def photo_with_gps(path):
    """A small real JPEG whose EXIF says where it was taken (a phone camera's habit)."""
    image = Image.new("RGB", (320, 240), (120, 110, 100))
    for x in range(100, 220):
        for y in range(90, 160):
            image.putpixel((x, y), (40, 35, 30))
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (56.0, 0.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (38.0, 0.0, 18.0)
    image.save(path, "JPEG", exif=exif)
    with Image.open(path) as check:
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo has no GPS EXIF"
    return path


def field_group(page, field_id):
    """The <div> that Django's ``as_field_group`` puts around a field's label, help, errors
    and widget."""
    return page.locator(f"main form div:has(> #{field_id})")


def action_form(page, action):
    return page.locator(f"main form[action$='/{action}/']")


def squash(text):
    return " ".join(text.split())


def test_R4_R12_appeal_journey_from_filing_to_the_signed_letter(demo_town, new_page, tmp_path):
    live = demo_town.url
    code = classifier_code()  # R16: the classifier is there before any page offers it
    administration = Cabinet.objects.get(code="adm")
    CabinetAppealSettings.objects.update_or_create(  # R4: registered by a registrar
        cabinet=administration,
        defaults={"registration": CabinetAppealSettings.Registration.MANUAL},
    )
    Category.objects.create(name=TOPIC, default_cabinet=administration)
    AnswerTemplate.objects.create(
        title="Благоустройство: ответ по существу",
        cabinet=administration,
        body="Уважаемая {name}! Ваше обращение № {number} рассмотрено.",
    )
    photo = photo_with_gps(tmp_path / PHOTO_NAME)
    app = AuthenticatorApp(DEMO_TOTP_SECRET)

    # 1. The citizen signs in and opens the filing form; the map picker is there.
    citizen = new_page()
    sign_in(citizen, CITIZEN, DEMO_PASSWORD)
    expect(citizen).not_to_have_url(re.compile(re.escape(reverse("account_login"))))
    citizen.goto(reverse("appeals:file"))
    expect(citizen.locator("h1")).to_have_count(1)
    place_map = citizen.locator("#place-map")
    expect(place_map, "the map picker did not start").to_be_visible()
    assert_accessible(citizen)

    # She fills everything but the subject, marks the place on the map, attaches a photo.
    form = main_form(citizen, "subject")
    form.locator("input[name='kind'][value='statement']").check()
    form.locator("select[name='cabinet']").select_option(label=ADMINISTRATION)
    form.locator("select[name='category']").select_option(label=TOPIC)
    form.locator("textarea[name='text']").fill(TEXT)
    form.locator("input[name='place']").fill(PLACE)
    latitude, longitude = form.locator("#id_latitude"), form.locator("#id_longitude")
    assert latitude.input_value() == "" and longitude.input_value() == ""
    box = place_map.bounding_box()
    place_map.click(position={"x": box["width"] * 0.6, "y": box["height"] * 0.4})
    expect(latitude, "a click on the map did not set the latitude").not_to_have_value("")
    expect(longitude).not_to_have_value("")
    marked = float(latitude.input_value()), float(longitude.input_value())
    assert -90 <= marked[0] <= 90 and -180 <= marked[1] <= 180
    form.locator("input[type='file'][name='attachments']").set_input_files(str(photo))
    form.locator("input[name='personal_data_consent']").check()
    submit(form)

    # The form comes back: the error is beside the subject, and nothing typed is lost.
    expect(citizen.locator("#form-errors")).to_be_visible()
    subject_group = field_group(citizen, "id_subject")
    expect(subject_group.locator(".errorlist")).to_have_count(1)
    expect(citizen.locator("#id_subject")).to_have_attribute("aria-invalid", "true")
    expect(citizen.locator(".errorlist")).to_have_count(1)  # only the subject is wrong
    # The summary at the top links to the field, and the link takes the focus there.
    summary_link = citizen.locator("#form-errors a[href='#id_subject']")
    expect(summary_link).to_have_count(1)
    summary_link.click()
    expect(citizen.locator("#id_subject")).to_be_focused()
    form = main_form(citizen, "subject")
    expect(form.locator("textarea[name='text']")).to_have_value(TEXT)
    expect(form.locator("input[name='place']")).to_have_value(PLACE)
    expect(form.locator("select[name='category'] option:checked")).to_have_text(TOPIC)
    expect(form.locator("select[name='cabinet'] option:checked")).to_have_text(ADMINISTRATION)
    expect(form.locator("input[name='kind'][value='statement']")).to_be_checked()
    expect(form.locator("input[name='personal_data_consent']")).to_be_checked()
    expect(form.locator("#id_latitude")).to_have_value(f"{marked[0]:.6f}")
    expect(form.locator("#id_longitude")).to_have_value(f"{marked[1]:.6f}")
    expect(form.locator("input[name='remove_attachment']"), "the photo was not kept").to_have_count(
        1
    )
    expect(form).to_contain_text(PHOTO_NAME)
    assert not Appeal.objects.exists()
    assert_accessible(citizen)

    form.locator("input[name='subject']").fill(SUBJECT)
    submit(form)
    expect(citizen.locator("main h1")).to_have_text(SUBJECT)
    expect(citizen.locator("main .messages")).to_be_visible()
    appeal = Appeal.objects.get()
    # (the browser keeps the #id_subject of the summary link across the redirect)
    assert citizen.url.split("#")[0] == live + reverse("appeals:my_detail", args=[appeal.pk])
    assert appeal.status == Status.RECEIVED and appeal.number == ""  # R4: manual registration
    assert appeal.cabinet == administration and appeal.category.name == TOPIC
    assert appeal.kind == Appeal.Kind.STATEMENT
    # A browser sends a textarea's line breaks as CRLF (HTML's form encoding).
    assert (appeal.subject, appeal.text.replace("\r\n", "\n"), appeal.place) == (
        SUBJECT,
        TEXT,
        PLACE,
    )
    assert (float(appeal.latitude), float(appeal.longitude)) == pytest.approx(marked, abs=1e-6)
    assert appeal.personal_data_consent_at is not None
    (attachment,) = appeal.attachments.all()
    assert attachment.original_name == PHOTO_NAME and attachment.content_type == "image/jpeg"
    with attachment.file.open("rb") as stored, Image.open(io.BytesIO(stored.read())) as image:
        assert image.format == "JPEG" and image.size == (320, 240)
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo), "GPS EXIF was kept"
    expect(citizen.locator(f"main img[alt='{PHOTO_NAME}']")).to_have_count(1)
    assert_accessible(citizen)

    citizen.locator(f"main a[href='{reverse('appeals:my_list')}']").click()
    expect(citizen).to_have_url(live + reverse("appeals:my_list"))
    expect(citizen.locator("main table")).to_contain_text(SUBJECT)
    assert_accessible(citizen)

    # 2. The registrar finds it in the work queue, opens the card and registers it (R4).
    registrar = new_page()
    sign_in_official(registrar, REGISTRAR, app)
    registrar.goto(reverse("appeals_service:queue"))
    row = registrar.locator("main tbody tr", has_text=SUBJECT)
    expect(
        row.locator("td").nth(1), "the queue does not say when to register it by"
    ).to_contain_text(appeal.registration_due.strftime("%d.%m.%Y"))
    assert_accessible(registrar)
    registrar.locator("main table").get_by_role("link", name=SUBJECT).click()
    card_url = live + reverse("appeals_service:card", args=[appeal.pk])
    expect(registrar).to_have_url(card_url)
    expect(action_form(registrar, "register")).to_have_count(1)
    assert_accessible(registrar)
    action_form(registrar, "register").locator("button[type='submit']").click()
    expect(registrar.locator("main .messages")).to_be_visible()
    appeal.refresh_from_db()
    assert appeal.status == Status.REGISTERED and appeal.number and appeal.legal_due
    number = appeal.number
    expect(registrar.locator("main dl")).to_contain_text(number)
    expect(action_form(registrar, "register")).to_have_count(0)
    assert_accessible(registrar)

    # 3. The head finds it by its number and assigns the executor.
    head = new_page()
    sign_in_official(head, HEAD, app)
    head.goto(reverse("appeals_service:queue"))
    filters = head.get_by_role("search")
    filters.locator("input[name='q']").fill(number)
    filters.locator("button[type='submit']").click()
    expect(head.locator("main tbody tr")).to_have_count(1)
    assert_accessible(head)
    head.locator("main tbody").get_by_role("link", name=SUBJECT).click()
    expect(head).to_have_url(card_url)
    assert_accessible(head)
    assign = action_form(head, "assign")
    assign.locator("select[name='assign-executor']").select_option(label=EXECUTOR_NAME)
    assign.locator("button[type='submit']").click()
    expect(head.locator("main .messages")).to_be_visible()
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_WORK and appeal.executor.email == EXECUTOR
    expect(head.locator("main dl")).to_contain_text(EXECUTOR_NAME)
    assert_accessible(head)

    # 4. The executor sees it in their queue and drafts the answer from the template.
    executor = new_page()
    sign_in_official(executor, EXECUTOR, app)
    executor.goto(reverse("appeals_service:queue"))
    expect(executor.locator("main tbody tr")).to_have_count(1)
    assert_accessible(executor)
    executor.locator("main tbody").get_by_role("link", name=SUBJECT).click()
    expect(executor).to_have_url(card_url)
    assert_accessible(executor)
    draft = action_form(executor, "draft_answer").locator("textarea[name='draft_answer-text']")
    expect(draft, "the answer template was not offered").to_have_value(
        f"Уважаемая Мария Петровна! Ваше обращение № {number} рассмотрено."
    )
    draft.fill(draft.input_value() + "\n\n" + ANSWER)
    # R16: the result of the consideration and the question's classifier code.
    action_form(executor, "draft_answer").locator(
        "select[name='draft_answer-result']"
    ).select_option("measures")
    action_form(executor, "draft_answer").locator(
        "select[name='draft_answer-classifier']"
    ).select_option(str(code.pk))
    action_form(executor, "draft_answer").locator("button[type='submit']").click()
    expect(executor.locator("main .messages")).to_be_visible()
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWER_DRAFTED
    expect(executor.locator("main")).to_contain_text(ANSWER)
    expect(action_form(executor, "sign_answer"), "an executor may not sign").to_have_count(0)
    assert_accessible(executor)

    # 5. The head signs the answer, confirming with a fresh code from the app (R12); a stale
    # code is refused first, with the reason inside the signing form.
    head.goto(reverse("appeals_service:card", args=[appeal.pk]))
    assert_accessible(head)
    sign = action_form(head, "sign_answer")
    stale = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time() // 30) - 10))
    sign.locator("input[name='sign_answer-otp_code']").fill(stale)
    sign.locator("button[type='submit']").click()
    expect(sign.locator(".errorlist")).to_have_count(1)
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWER_DRAFTED and not appeal.answers.get().signed_at
    assert_accessible(head)
    sign.locator("input[name='sign_answer-otp_code']").fill(app.code(HEAD))
    sign.locator("button[type='submit']").click()
    expect(head.locator("main .messages")).to_be_visible()
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED
    answer = appeal.answers.get()
    assert answer.signed_by.email == HEAD and answer.letter and answer.verification_code
    expect(head.locator("main")).to_contain_text(answer.verification_code)
    assert_accessible(head)

    # 6. The citizen reads the answer and downloads the signed letter.
    citizen.goto(reverse("appeals:my_detail", args=[appeal.pk]))
    section = citizen.locator("main section[aria-labelledby='answer-title']")
    expect(section).to_contain_text(ANSWER)
    expect(citizen.locator("main dl")).to_contain_text(number)
    assert_accessible(citizen)
    with citizen.expect_download() as download_info:
        section.locator(f"a[href='{reverse('appeals:my_letter', args=[appeal.pk])}']").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as letter:
        pdf = letter.read()
    assert pdf.startswith(b"%PDF-")
    text = squash(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert number in text, f"the number {number} is not in the letter: {text[:500]}"
    assert squash(ANSWER) in text, f"the answer is not in the letter: {text[:1500]}"
    assert answer.verification_code in text
