"""R17 in headless Chromium: the registrar of the demo administration enters a request for
information that came by post; its card shows its own clocks (8-FZ Art. 18) and no 59-FZ
actions; the head defers the answer with the notice and assigns it; the executor drafts the
answer with a file of the information. Every page on the way is checked with axe-core."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from appeals.models import Appeal
from appeals.workflow import Status
from cabinets.models import Cabinet
from edem.documents.pdf import html_to_pdf

from .a11y import assert_accessible
from .test_appeal_journey import (
    EXECUTOR,
    EXECUTOR_NAME,
    HEAD,
    REGISTRAR,
    AuthenticatorApp,
    action_form,
    sign_in_official,
)
from .test_portal import DEMO_TOTP_SECRET

pytestmark = pytest.mark.browser

SUBJECT = "Запрос информации: план ремонта дорог"
TEXT = "Прошу предоставить утверждённый план ремонта дорог города на текущий год."
ADDRESS = "171000, Демоград, ул. Речная, д. 7, кв. 3"


def test_R17_request_for_information_entered_deferred_and_answered_with_a_file(
    demo_town, new_page, tmp_path
):
    administration = Cabinet.objects.get(code="adm")
    plan = tmp_path / "plan-remonta.pdf"
    plan.write_bytes(html_to_pdf("<h1>План ремонта дорог</h1><p>Ул. Ленина — май.</p>"))
    app = AuthenticatorApp(DEMO_TOTP_SECRET)

    registrar = new_page()
    sign_in_official(registrar, REGISTRAR, app)
    registrar.goto(reverse("appeals_service:enter"))
    form = registrar.locator("main form.appeal-form")
    form.locator("#id_cabinet").select_option(str(administration.pk))
    form.locator("#id_channel").select_option("post")
    form.locator("input[name='kind'][value='information_request']").check()
    form.locator("#id_last_name").fill("Сидоров")
    form.locator("#id_first_name").fill("Иван")
    form.locator("#id_postal_address").fill(ADDRESS)
    form.locator("#id_answer_channel").select_option("post")
    form.locator("#id_subject").fill(SUBJECT)
    form.locator("#id_text").fill(TEXT)
    form.locator("button[type='submit']:not([name])").click()
    request = Appeal.objects.get(subject=SUBJECT)
    card_url = reverse("appeals_service:card", args=[request.pk])
    expect(registrar).to_have_url(re.compile(re.escape(card_url) + "$"))
    assert request.kind == Appeal.Kind.INFORMATION_REQUEST and request.status == Status.REGISTERED
    assert request.deferral_due and request.notice_due is None
    expect(registrar.locator("#information-law")).to_be_visible()
    expect(registrar.locator("#information-deferral")).to_be_visible()
    assert_accessible(registrar)

    head = new_page()
    sign_in_official(head, HEAD, app)
    head.goto(card_url)
    expect(action_form(head, "extend")).to_have_count(0)  # R9 is not for a request
    expect(action_form(head, "close_no_merits")).to_have_count(0)  # nor 59-FZ Art. 11
    defer = action_form(head, "defer")
    defer.locator("input[name='defer-days']").fill("10")
    defer.locator("textarea[name='defer-note']").fill("Сведения собираются из архива.")
    defer.locator("button[type='submit']").click()
    expect(head).to_have_url(re.compile(re.escape(card_url) + "$"))
    request.refresh_from_db()
    assert request.is_deferred and request.events.filter(action="defer").exists()
    expect(action_form(head, "defer")).to_have_count(0)  # once only
    assign = action_form(head, "assign")
    assign.locator("select[name='assign-executor']").select_option(label=EXECUTOR_NAME)
    assign.locator("button[type='submit']").click()
    expect(head).to_have_url(re.compile(re.escape(card_url) + "$"))
    assert_accessible(head)

    executor = new_page()
    sign_in_official(executor, EXECUTOR, app)
    executor.goto(card_url)
    draft = action_form(executor, "draft_answer")
    draft.locator("textarea[name='draft_answer-text']").fill("Направляем план ремонта дорог.")
    draft.locator("input[name='draft_answer-files']").set_input_files(str(plan))
    draft.locator("button[type='submit']").click()
    expect(executor).to_have_url(re.compile(re.escape(card_url) + "$"))
    answer = request.answers.get()
    assert [f.original_name for f in answer.files.all()] == ["plan-remonta.pdf"]
    expect(executor.locator(f"#answer-{answer.pk}-files")).to_contain_text("plan-remonta.pdf")
    assert_accessible(executor)
