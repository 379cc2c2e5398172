"""R12 delivery in headless Chromium, through the real pages. By e-mail: the head signs the
answer to a citizen who chose e-mail, and the test reads the .eml the portal sent back (the
file backend writes what SMTP would have carried): the full answer text, and the signed letter
as a PDF that WeasyPrint rendered. By post: the registrar opens the outgoing mail from the
service cabinet, forms a batch, downloads its register of postal items and marks the batch as
sent. The case history records each delivery. Every page on the way is checked with axe-core.

The ORM only prepares the scene (an appeal registered, assigned and drafted) and checks what
the clicks did."""

import email
import email.policy
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from appeals import services
from appeals.models import Appeal
from appeals.workflow import Status
from cabinets.models import Cabinet
from edem.accounts.models import User
from tests.factories import classifier_code

from .a11y import assert_accessible
from .test_appeal_journey import (
    CITIZEN,
    EXECUTOR,
    HEAD,
    REGISTRAR,
    AuthenticatorApp,
    action_form,
    sign_in_official,
    squash,
)
from .test_portal import DEMO_TOTP_SECRET

pytestmark = pytest.mark.browser

ANSWER = (
    "Уважаемая Мария Петровна!\n\n"
    "Фонари на улице Речной от дома 3 до дома 15 починены 2 декабря. Подрядчику поручено "
    "проверять линию освещения еженедельно до конца зимы.\n\n"
    "Благодарим за обращение."
)


def drafted(*, answer_channel, subject, **fields):
    """An appeal of the demo citizen to the administration, registered, assigned to the
    executor and with the answer drafted: what the head signs next."""
    administration = Cabinet.objects.get(code="adm")
    citizen = User.objects.get(email=CITIZEN)
    appeal = Appeal.objects.create(
        cabinet=administration,
        author=citizen,
        kind=Appeal.Kind.STATEMENT,
        last_name=citizen.last_name,
        first_name=citizen.first_name,
        patronymic=citizen.patronymic,
        email=citizen.email,
        answer_channel=answer_channel,
        subject=subject,
        text="На улице Речной не горят фонари. Прошу починить.",
        **fields,
    )
    services.set_receipt_deadlines(appeal)
    appeal.save()
    appeal = services.register(appeal=appeal, actor=User.objects.get(email=REGISTRAR))
    executor = User.objects.get(email=EXECUTOR)
    appeal = services.assign(appeal=appeal, actor=User.objects.get(email=HEAD), executor=executor)
    services.draft_answer(
        appeal=appeal, actor=executor, text=ANSWER, result="explained", classifier=classifier_code()
    )
    return appeal


def pdf_text(data):
    return squash(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def sent_mail(folder, to):
    """The messages the file backend wrote to ``folder`` for ``to``, parsed back."""
    messages = []
    for path in sorted(Path(folder).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if to in message["To"]:
            messages.append(message)
    return messages


def test_R12_an_answer_by_email_arrives_with_its_full_text_and_the_signed_pdf(
    demo_town, new_page, settings, tmp_path
):
    settings.EMAIL_BACKEND = "edem.notifications.backends.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    appeal = drafted(answer_channel=Appeal.AnswerChannel.EMAIL, subject="Фонари на ул. Речной")
    app = AuthenticatorApp(DEMO_TOTP_SECRET)

    # The head signs the answer on the card with a fresh code from the app.
    head = new_page()
    sign_in_official(head, HEAD, app)
    head.goto(reverse("appeals_service:card", args=[appeal.pk]))
    assert_accessible(head)
    sign = action_form(head, "sign_answer")
    sign.locator("input[name='sign_answer-otp_code']").fill(app.code(HEAD))
    sign.locator("button[type='submit']").click()
    expect(head.locator("main .messages")).to_be_visible()
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED
    answer = appeal.answers.get()

    # The .eml the citizen received (the one of the answer: the registration notice went to
    # her too): the full answer, the signed letter attached as a PDF.
    [message] = [m for m in sent_mail(tmp_path / "mail", CITIZEN) if any(m.iter_attachments())]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert squash(ANSWER) in squash(body), body
    [letter] = list(message.iter_attachments())
    assert letter.get_content_type() == "application/pdf"
    assert letter.get_filename().endswith("-answer.pdf")
    pdf = letter.get_content()
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert appeal.number in text and answer.verification_code in text
    assert squash(ANSWER.split("\n\n")[1]) in text, text[:1500]
    assert "WeasyPrint" in (PdfReader(io.BytesIO(pdf)).metadata.producer or "")
    with answer.letter.open("rb") as stored:
        assert stored.read() == pdf  # the very letter that was signed

    # The case records the delivery: the e-mail, to whom and when, shown on the card.
    answer.refresh_from_db()
    assert answer.delivery_channel == "email" and answer.delivery.status == "sent"
    assert answer.delivery.email == CITIZEN
    assert appeal.events.get(action="sign_answer").data["delivery"] == "email"
    head.reload()
    delivery = head.locator(f"#delivery-{answer.pk}")
    expect(delivery).to_contain_text(
        timezone.localtime(answer.delivery.sent_at).strftime("%d.%m.%Y")
    )
    assert_accessible(head)


def test_R12_registrar_forms_a_mail_batch_prints_its_register_and_marks_it_sent(
    demo_town, new_page
):
    app = AuthenticatorApp(DEMO_TOTP_SECRET)
    appeal = drafted(
        answer_channel=Appeal.AnswerChannel.POST,
        subject="Фонари на ул. Речной, ответ почтой",
        postal_address="171000, Демоград, ул. Речная, д. 7, кв. 3",
    )
    services.sign_answer(appeal=appeal, actor=User.objects.get(email=HEAD), otp_code=app.code(HEAD))
    appeal.refresh_from_db()
    answer = appeal.answers.get()
    assert answer.mail_batch.is_open

    registrar = new_page()
    sign_in_official(registrar, REGISTRAR, app)
    registrar.goto(reverse("service:home"))
    registrar.locator(f"main a[href='{reverse('appeals_service:mail')}']").click()
    expect(registrar).to_have_url(re.compile(re.escape(reverse("appeals_service:mail")) + "$"))
    waiting = registrar.locator("#mail-form-batch")
    expect(waiting.locator(f"input[name='answer'][value='{answer.pk}']")).to_be_checked()
    expect(waiting).to_contain_text(appeal.number)
    assert_accessible(registrar)

    waiting.locator("button[type='submit']").click()
    expect(registrar.locator("main .messages")).to_be_visible()
    answer.refresh_from_db()
    batch = answer.mail_batch
    assert batch.formed_at and not batch.is_sent
    row = registrar.locator(f"#batch-{batch.pk}")
    expect(row).to_be_visible()
    expect(registrar.locator("#mail-form-batch")).to_have_count(0)  # nothing waits any more
    assert_accessible(registrar)

    with registrar.expect_download() as download_info:
        row.locator(
            f"a[href='{reverse('appeals_service:mail_register', args=[batch.pk])}']"
        ).click()
    with open(download_info.value.path(), "rb") as register:
        text = pdf_text(register.read())
    assert appeal.number in text and "Речная, д. 7" in text and appeal.last_name in text

    row.locator(f"a[href='{reverse('appeals_service:mail_send', args=[batch.pk])}']").click()
    form = registrar.locator("#mail-send")
    expect(form.locator("#id_sent_on")).to_have_value(timezone.localdate().isoformat())
    assert_accessible(registrar)
    form.locator("button[type='submit']").click()  # not confirmed yet: refused
    expect(form.locator(".errorlist")).to_have_count(1)
    batch.refresh_from_db()
    assert not batch.is_sent
    form.locator("#id_confirm").check()
    form.locator("button[type='submit']").click()
    expect(registrar.locator("main .messages")).to_be_visible()
    batch.refresh_from_db()
    assert batch.dispatched_on == timezone.localdate()
    assert appeal.events.get(action="posted").data["batch"] == batch.pk
    registrar.goto(reverse("appeals_service:card", args=[appeal.pk]))
    expect(registrar.locator(f"#delivery-{answer.pk}")).to_contain_text(
        timezone.localdate().strftime("%d.%m.%Y")
    )
    assert_accessible(registrar)
