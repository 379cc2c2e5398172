"""R4 in headless Chromium: the registrar of the demo administration enters a letter that came
by post, with its scan and the citizen's postal address (the citizen has no account), after
one failed try that keeps everything typed, and finds it in the work queue with its number.
Every page on the way is checked with axe-core."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from appeals.models import Appeal, Category
from appeals.workflow import Status
from cabinets.models import Cabinet
from edem.documents.pdf import html_to_pdf

from .a11y import assert_accessible
from .test_appeal_journey import REGISTRAR, AuthenticatorApp, field_group, sign_in_official
from .test_portal import DEMO_TOTP_SECRET

pytestmark = pytest.mark.browser

SUBJECT = "Не работает уличное освещение на ул. Речной"
TEXT = "С 1 ноября на улице Речной от дома 3 до дома 15 не горят фонари. Прошу починить."
ADDRESS = "171000, Демоград, ул. Речная, д. 7, кв. 3"
TOPIC = "Уличное освещение"


def test_R4_registrar_enters_a_post_appeal_with_a_scan_and_a_postal_address(
    demo_town, new_page, tmp_path
):
    administration = Cabinet.objects.get(code="adm")
    Category.objects.create(name=TOPIC, default_cabinet=administration)
    scan = tmp_path / "pismo-scan.pdf"
    scan.write_bytes(html_to_pdf(f"<h1>{SUBJECT}</h1><p>{TEXT}</p><p>{ADDRESS}</p>"))
    app = AuthenticatorApp(DEMO_TOTP_SECRET)

    registrar = new_page()
    sign_in_official(registrar, REGISTRAR, app)
    registrar.goto(reverse("appeals_service:queue"))
    registrar.locator("main").get_by_role(
        "link", name=re.compile("Внести обращение|Enter an appeal")
    ).click()
    expect(registrar).to_have_url(re.compile(re.escape(reverse("appeals_service:enter")) + "$"))
    assert_accessible(registrar)

    form = registrar.locator("main form.appeal-form")
    form.locator("#id_cabinet").select_option(str(administration.pk))
    form.locator("#id_channel").select_option("post")
    form.locator("#id_last_name").fill("Сидоров")
    form.locator("#id_first_name").fill("Иван")
    form.locator("#id_patronymic").fill("Петрович")
    form.locator("#id_answer_channel").select_option("post")
    form.locator("input[name='kind'][value='statement']").check()
    form.locator("#id_category").select_option(label=TOPIC)
    form.locator("#id_subject").fill(SUBJECT)
    form.locator("#id_text").fill(TEXT)
    form.locator("#id_scans").set_input_files(str(scan))
    # First try: the postal address is forgotten; the answer goes by post.
    form.locator("button[type='submit']:not([name])").click()
    expect(registrar.locator("#form-errors")).to_be_visible()
    expect(field_group(registrar, "id_postal_address").locator(".errorlist")).to_be_visible()
    expect(registrar.locator("#id_subject")).to_have_value(SUBJECT)
    expect(registrar.locator("#id_last_name")).to_have_value("Сидоров")
    expect(registrar.locator("main")).to_contain_text("pismo-scan.pdf")  # the scan is kept
    assert not Appeal.objects.exists()
    assert_accessible(registrar)

    registrar.locator("#id_postal_address").fill(ADDRESS)
    registrar.locator("main form.appeal-form button[type='submit']:not([name])").click()
    appeal = Appeal.objects.get()
    expect(registrar).to_have_url(
        re.compile(re.escape(reverse("appeals_service:card", args=[appeal.pk])) + "$")
    )
    assert appeal.status == Status.REGISTERED and appeal.number
    assert appeal.channel == Appeal.Channel.POST and appeal.author is None
    assert appeal.postal_address == ADDRESS and appeal.answer_channel == "post"
    assert [a.original_name for a in appeal.attachments.all()] == ["pismo-scan.pdf"]
    expect(registrar.locator("main .messages")).to_contain_text(appeal.number)
    expect(registrar.locator("main")).to_contain_text(ADDRESS)
    assert_accessible(registrar)

    registrar.goto(reverse("appeals_service:queue"))
    row = registrar.locator("main tbody tr", has_text=SUBJECT)
    expect(row).to_have_count(1)
    expect(row.locator("td").first).to_have_text(appeal.number)


def test_R30_registrar_verifies_a_resident_in_person_from_the_service_cabinet(demo_town, new_page):
    from edem.accounts.models import User
    from tests.factories import UserFactory

    person = UserFactory(email="ivan.petrov@example.org", last_name="Петров", first_name="Иван")
    administration = Cabinet.objects.get(code="adm")
    registrar = new_page()
    sign_in_official(registrar, REGISTRAR, AuthenticatorApp(DEMO_TOTP_SECRET))
    registrar.goto(reverse("service:cabinet", args=[administration.code]))
    registrar.locator("#verify-residents-link").click()
    assert_accessible(registrar)
    search = registrar.locator("#person-search")
    search.locator("#id_q").fill("ivan.petrov")
    submit = "button[type='submit']"
    search.locator(submit).click()
    expect(registrar.locator("#people-found")).to_contain_text(person.email)
    assert_accessible(registrar)
    registrar.locator("#people-found a").first.click()
    form = registrar.locator("#verify-resident-form")
    form.locator("#id_document_kind").select_option("passport")
    form.locator("#id_document_number").fill("45 01 765432")
    form.locator(submit).click()  # the confirmation box is not ticked
    expect(registrar.locator("#id_confirmed_error")).to_be_visible()
    expect(form.locator("#id_document_number")).to_have_value("45 01 765432")
    assert_accessible(registrar)
    form.locator("#id_confirmed").check()
    form.locator(submit).click()
    expect(registrar.locator("#person-search")).to_be_visible()
    person.refresh_from_db()
    assert person.verification_level == User.Verification.RESIDENT and person.document_key
