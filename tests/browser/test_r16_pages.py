"""The pages of issue 12 beyond the dashboard, in Chromium: the effectiveness rating, an
authority's record, the monitoring indicators, the quarterly reviews and civic initiatives
(public, in ru, uk and en), a resident proposing an initiative and another joining it, and the
head entering an indicator's value and making a monthly report. On each page axe-core finds no
serious or critical violation, and every control of a form shows its keyboard focus."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from analytics import reports
from analytics.models import Indicator, IndicatorValue, Report
from appeals.initiatives.models import Initiative, Member
from tests.factories import DEFAULT_PASSWORD, CitizenFactory

from .a11y import assert_accessible
from .test_portal import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    MAYOR,
    current_totp,
    html_lang,
    main_form,
    scroll_width,
    sign_in,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ("ru", "uk", "en")

# The focused element and whether its focus shows (an outline or a box shadow), as in
# test_accessibility_statement.py.
FOCUSED = """(form) => {
  const el = document.activeElement, style = getComputedStyle(el);
  return {name: el.getAttribute('name') || el.tagName, inForm: !!(form && form.contains(el)),
          visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
                   || style.boxShadow !== 'none'};
}"""


@pytest.fixture
def r16_town(demo_town):
    """The demo town with half a year of history, its indicators and last quarter's review."""
    call_command("seed_demo_analytics", stdout=StringIO())
    last_quarter = reports.quarter_bounds(
        reports.quarter_bounds(timezone.localdate())[0] - datetime.timedelta(days=1)
    )[0]
    reports.build(kind=Report.Kind.QUARTERLY, start=last_quarter)
    return demo_town


def switch_language(page, language):
    page.locator("#lang-select").select_option(language)
    page.locator(".lang-switch button[type='submit']").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def assert_focus_visible_in(page, form_selector):
    """Tab from the top of the page through the form: every control it reaches inside the
    form shows its focus, and the Tab order does reach the form's submit button."""
    form = page.locator(form_selector).first
    expect(form).to_be_visible()
    handle = form.element_handle()
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate("() => window.scrollTo(0, 0)")
    reached = []
    for _ in range(300):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED, handle)
        if focus["inForm"]:
            assert focus["visible"], f"no visible focus on {focus['name']} in {form_selector}"
            reached.append(focus["name"])
        elif reached:
            break
    assert reached and reached[-1] == "BUTTON", f"Tab did not reach the form's button: {reached}"


def visit(page, path, *, h1=True):
    response = page.goto(path)
    assert response.status == 200, f"{path}: {response.status}"
    if h1:
        expect(page.locator("main h1")).to_have_count(1)
    assert_accessible(page)


def test_public_pages_in_three_languages(page, r16_town):
    indicator = Indicator.objects.filter(is_published=True).order_by("pk").first()
    review = Report.objects.get(kind=Report.Kind.QUARTERLY)
    page.goto("/")
    for language in LANGUAGES:
        switch_language(page, language)
        visit(page, reverse("analytics:rating"))
        expect(page.locator("main #rating-caption")).to_have_count(1)
        page.locator("main a[href$='/statistics/authorities/adm/']").first.click()
        expect(page.locator("main #score-title")).to_be_visible()
        assert html_lang(page) == language
        assert_accessible(page)

        visit(page, reverse("analytics:indicators"))
        assert_focus_visible_in(page, "main form.filters")
        visit(page, reverse("analytics:indicator", args=[indicator.code]))
        expect(page.locator("main svg[role='img']")).to_have_count(1)
        expect(page.locator("main #series-caption")).to_be_visible()

        visit(page, reverse("analytics:reviews"))
        page.locator(f"main a[href='{reverse('analytics:review', args=[review.pk])}']").click()
        expect(page.locator("main h1")).to_have_count(1)
        assert_accessible(page)

        visit(page, reverse("initiatives:list"))
        assert_focus_visible_in(page, "main form.filters")


def test_public_pages_fit_a_phone(phone_page, r16_town):
    page = phone_page
    page.set_viewport_size({"width": 360, "height": 740})
    indicator = Indicator.objects.filter(is_published=True).order_by("pk").first()
    review = Report.objects.get(kind=Report.Kind.QUARTERLY)
    for path in (
        reverse("analytics:rating"),
        reverse("analytics:authority", args=["adm"]),
        reverse("analytics:indicators"),
        reverse("analytics:indicator", args=[indicator.code]),
        reverse("analytics:reviews"),
        reverse("analytics:review", args=[review.pk]),
        reverse("initiatives:list"),
    ):
        visit(page, path)
        width = scroll_width(page)
        assert width <= 360, f"{path} scrolls sideways at 360 px: scrollWidth={width}"


def test_residents_propose_and_join_an_initiative(new_page, r16_town):
    initiator = CitizenFactory(email="initiator@example.org", first_name="Анна")
    neighbour = CitizenFactory(email="neighbour@example.org", first_name="Борис")

    page = new_page()
    sign_in(page, initiator.email, DEFAULT_PASSWORD)
    expect(page.locator("header form[action$='/logout/']")).to_have_count(1)
    for language in LANGUAGES:
        page.goto(reverse("initiatives:new"))
        switch_language(page, language)
        expect(page.locator("main form:has([name='title'])")).to_be_visible()
        assert_accessible(page)
        assert_focus_visible_in(page, "main form:has([name='title'])")
    switch_language(page, "ru")

    # An empty proposal: the errors beside the fields, the typed title kept.
    form = main_form(page, "title")
    form.locator("[name='title']").fill("Скамейки у реки")
    submit(form)
    summary = page.locator("main form [name='summary']")
    expect(summary).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main form [name='title']")).to_have_value("Скамейки у реки")
    assert_accessible(page)

    summary.fill("Поставим вместе три скамейки на набережной.")
    submit(main_form(page, "title"))
    initiative = Initiative.objects.get(title="Скамейки у реки")
    expect(page).to_have_url(r16_town.url + initiative.get_absolute_url())
    expect(page.locator("main #membership-title")).to_be_visible()
    assert_accessible(page)
    assert_focus_visible_in(page, "main form:has([name='text'])")

    other = new_page()
    sign_in(other, neighbour.email, DEFAULT_PASSWORD)
    expect(other.locator("header form[action$='/logout/']")).to_have_count(1)
    for language in LANGUAGES:
        other.goto(initiative.get_absolute_url())
        switch_language(other, language)
        assert_accessible(other)
    join = other.locator("main #membership form")
    assert_focus_visible_in(other, "main #membership form")
    join.locator("button[type='submit']").click()
    expect(other.locator("main #membership input[name='action'][value='leave']")).to_have_count(1)
    assert_accessible(other)
    assert Member.objects.filter(initiative=initiative, user=neighbour).exists()
    initiative.refresh_from_db()
    assert initiative.member_count == 2


def sign_in_as_mayor(page, url):
    sign_in(page, MAYOR, DEMO_PASSWORD)
    form = main_form(page, "code")
    form.locator("input[name='code']").fill(current_totp(DEMO_TOTP_SECRET))
    submit(form)
    expect(page).not_to_have_url(url + reverse("mfa_authenticate"))


def test_head_enters_an_indicator_value_and_makes_a_report(page, r16_town):
    sign_in_as_mayor(page, r16_town.url)
    indicator = Indicator.objects.filter(cabinet__code="adm").order_by("pk").first()
    screen = reverse("analytics_service:indicators", args=["adm"])
    for language in LANGUAGES:
        page.goto(screen)
        switch_language(page, language)
        assert_accessible(page)
    assert_focus_visible_in(page, "main form[enctype='multipart/form-data']")
    switch_language(page, "ru")

    page.locator(
        f"main a[href='{reverse('analytics_service:indicator', args=['adm', indicator.code])}']"
    ).click()
    form = main_form(page, "period")
    expect(form).to_be_visible()
    assert_accessible(page)
    assert_focus_visible_in(page, "main form:has([name='period'])")

    # A period that does not exist: the error beside the field, what was typed kept.
    form.locator("[name='period']").fill("2025-13")
    form.locator("[name='value']").fill("12,5")
    form.locator("[name='note']").fill("Росстат")
    submit(form)
    period = page.locator("main form [name='period']")
    expect(period).to_have_attribute("aria-invalid", "true")
    expect(period).to_have_value("2025-13")
    expect(page.locator("main form [name='value']")).to_have_value("12,5")
    expect(page.locator("main form [name='note']")).to_have_value("Росстат")
    # The message sits in the period field's own block and the field points at it.
    error = page.locator("main form div:has(> [name='period']) .errorlist")
    expect(error).to_have_count(1)
    described = period.get_attribute("aria-describedby") or ""
    error_id = error.get_attribute("id")
    assert error_id and error_id in described.split(), (error_id, described)
    assert_accessible(page)

    period.fill("2025-11")
    submit(main_form(page, "period"))
    expect(page.locator("[role='status'], .messages").first).to_be_visible()
    assert IndicatorValue.objects.filter(
        indicator=indicator, period=datetime.date(2025, 11, 1)
    ).exists()
    assert_accessible(page)

    # The monthly report: made now, listed, and its PDF downloaded.
    reports_screen = reverse("analytics_service:reports", args=["adm"])
    for language in LANGUAGES:
        page.goto(reports_screen)
        switch_language(page, language)
        assert_accessible(page)
    switch_language(page, "ru")
    make = main_form(page, "month")
    assert_focus_visible_in(page, "main form:has([name='month'])")
    month = make.locator("[name='month'] option").first.get_attribute("value")
    make.locator("[name='month']").select_option(month)
    make.locator("button[type='submit']").click(timeout=60_000)
    link = page.locator("main table a[href$='.pdf']").first
    expect(link).to_be_visible(timeout=60_000)
    assert Report.objects.filter(
        kind=Report.Kind.MONTHLY, cabinet__code="adm", period_start=month
    ).exists()
    assert_accessible(page)
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
