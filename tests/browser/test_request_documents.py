"""R7 in headless Chromium, through the real pages: the executor opens the appeal card, sends a
request for documents to the prosecutor's office of the directory with one of the appeal's
files, confirms it; the letter leaves by e-mail with its reply address and token; the
prosecutor's reply is filed by the gateway's own filing path (what the IMAP task calls for
each message) and the executor sees it on the card. Every page on the way is checked with
axe-core. The ORM only prepares the scene and reads what the clicks did."""

from datetime import timedelta
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import expect

from appeals import services
from appeals.models import Appeal, ExternalRequest
from cabinets.models import Cabinet, ExternalBody
from edem.accounts.models import User
from edem.documents.pdf import html_to_pdf
from integrations.gateway import inbound
from integrations.models import GatewayLetter

from .a11y import assert_accessible
from .test_appeal_journey import (
    CITIZEN,
    EXECUTOR,
    HEAD,
    REGISTRAR,
    AuthenticatorApp,
    action_form,
    sign_in_official,
)
from .test_portal import DEMO_TOTP_SECRET

pytestmark = pytest.mark.browser

PROSECUTOR = "Прокуратура Демограда"


def appeal_in_work():
    """An appeal of the demo citizen, registered and assigned to the demo executor, with a
    scan among its files."""
    citizen = User.objects.get(email=CITIZEN)
    appeal = Appeal.objects.create(
        cabinet=Cabinet.objects.get(code="adm"),
        author=citizen,
        kind=Appeal.Kind.COMPLAINT,
        last_name=citizen.last_name,
        first_name=citizen.first_name,
        email=citizen.email,
        answer_channel=Appeal.AnswerChannel.EMAIL,
        subject="Самовольная постройка во дворе дома 4",
        text="Во дворе дома 4 по ул. Лесной возвели гараж без разрешения.",
    )
    services.set_receipt_deadlines(appeal)
    appeal.save()
    appeal = services.register(appeal=appeal, actor=User.objects.get(email=REGISTRAR))
    upload = SimpleUploadedFile(
        "фото гаража.pdf", html_to_pdf("<p>Гараж</p>"), content_type="application/pdf"
    )
    scan = services.store_upload(upload=upload, actor=citizen)
    scan.appeal = appeal
    scan.save()
    executor = User.objects.get(email=EXECUTOR)
    return services.assign(appeal=appeal, actor=User.objects.get(email=HEAD), executor=executor)


def prosecutors_reply(letter):
    """The prosecutor's answer as a mail program sends it: to the reply address, with the
    token in the subject, a text part and a PDF."""
    message = MIMEMultipart()
    message["From"] = f"{PROSECUTOR} <{letter.body.email}>"
    message["To"] = letter.notification.headers["Reply-To"]
    message["Subject"] = f"Re: {letter.notification.subject}"
    message["Message-ID"] = make_msgid(domain="demograd.example")
    message.attach(MIMEText("Проверка проведена, акт прилагаем.", "plain", "koi8-r"))
    part = MIMEApplication(html_to_pdf("<p>Акт проверки</p>"), "pdf")
    part.add_header("Content-Disposition", "attachment", filename="акт.pdf")
    message.attach(part)
    return message.as_bytes()


def test_R7_the_executor_requests_documents_from_an_external_body_and_sees_its_reply(
    demo_town, new_page, settings
):
    settings.EDEM_GATEWAY_ADDRESS = "gateway@demograd.example"
    appeal = appeal_in_work()
    mail.outbox.clear()  # the citizen's registration notice
    body = ExternalBody.objects.get(name=PROSECUTOR)
    card = reverse("appeals_service:card", args=[appeal.pk])

    page = new_page()
    sign_in_official(page, EXECUTOR, AuthenticatorApp(DEMO_TOTP_SECRET))
    page.goto(card)
    form = action_form(page, "request_documents")
    expect(form).to_be_visible()
    assert_accessible(page)

    # Sent without the confirmation: refused, the input kept, the error beside the field.
    form.locator("select[name='request_documents-body']").select_option(label=PROSECUTOR)
    form.locator("input[name='request_documents-subject']").fill("Материалы проверки")
    form.locator("textarea[name='request_documents-text']").fill("Просим направить акт.")
    form.get_by_label("фото гаража.pdf").check()
    form.locator("button[type='submit']").click()
    form = action_form(page, "request_documents")
    expect(form.locator("#id_request_documents-confirm_error")).to_be_visible()
    expect(form.locator("input[name='request_documents-subject']")).to_have_value(
        "Материалы проверки"
    )
    expect(form.get_by_label("фото гаража.pdf")).to_be_checked()
    assert not ExternalRequest.objects.exists()
    assert_accessible(page)

    # Confirmed with the keyboard: sent.
    form.locator("input[name='request_documents-confirm']").focus()
    page.keyboard.press("Space")
    form.locator("button[type='submit']").press("Enter")
    expect(page.locator("main .messages")).to_be_visible()
    request = ExternalRequest.objects.get(appeal=appeal)
    assert request.body == body and request.due_on == request.sent_on + timedelta(days=15)

    # The letter left by e-mail, with a reply address and token unique to the case.
    letter = GatewayLetter.objects.get(request=request)
    [sent] = [m for m in mail.outbox if m.to == [body.email]]
    assert sent.extra_headers["Reply-To"] == f"gateway+{letter.token}@demograd.example"
    assert letter.token in sent.subject
    assert [name for name, *_rest in sent.attachments] == ["letter.pdf", "фото гаража.pdf"]
    assert not [m for m in mail.outbox if m.to == [CITIZEN]]  # the citizen is not told

    entry = page.locator(f"#request-{request.pk}")
    expect(entry).to_contain_text("Материалы проверки")
    expect(page.locator(f"#request-{request.pk}-overdue")).to_have_count(0)

    # The reply is filed by the gateway, as the IMAP task does for each message it reads.
    row = inbound.process(prosecutors_reply(letter))
    assert row.outcome == "filed"
    page.reload()
    entry = page.locator(f"#request-{request.pk}")
    expect(entry).to_contain_text("Проверка проведена, акт прилагаем.")
    expect(entry.get_by_role("link", name="акт.pdf")).to_be_visible()
    assert_accessible(page)
