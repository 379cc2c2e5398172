"""Headless Chromium against the live server: the home page, the language switch, an
official's sign-in with TOTP into the service cabinet, and the "set up a second factor" page,
each checked with axe-core (0 serious or critical violations)."""

import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD, member

from .a11y import assert_accessible

pytestmark = pytest.mark.browser

# From fixtures/demo_town.json: every demo account's password, and the TOTP secret that the
# demo officials share.
DEMO_PASSWORD = "edem-demo-2026"
DEMO_TOTP_SECRET = "EDEMDEMOEDEMDEMOEDEMDEMOEDEMDEMO"
MAYOR = "mayor@demo.edem"
ADMINISTRATION = "Администрация города Демограда"


def html_lang(page):
    return page.locator("html").get_attribute("lang")


def main_form(page, field):
    """The form inside <main> that has an input named ``field`` (the header has forms too:
    the language switch and, when signed in, sign-out)."""
    return page.locator(f"main form:has([name='{field}'])")


def submit(form):
    """Click the form's own submit button (allauth's code page also has a "Cancel" submit
    button inside the form that belongs to another form through its ``form`` attribute)."""
    form.locator("button[type='submit']:not([form])").first.click()


def sign_in(page, email, password):
    page.goto(reverse("account_login"))
    assert page.locator("main").count() == 1, "the sign-in page has no <main> landmark"
    form = main_form(page, "password")
    form.locator("input[name='login']").fill(email)
    form.locator("input[name='password']").fill(password)
    submit(form)


def current_totp(secret):
    """The authenticator app's code now; never one that expires before the server sees it
    (allauth accepts only the current 30-second step)."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.2)
    try:
        import pyotp
    except ImportError:
        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    return pyotp.TOTP(secret).now()


def scroll_width(page):
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_home_page_in_russian_with_skip_link_and_no_serious_axe_violations(page, live_server):
    broken = []

    def record_failure(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            broken.append(f"{response.status} {response.url}")

    page.on("response", record_failure)

    response = page.goto("/")
    assert response.status == 200
    assert html_lang(page) == "ru"
    expect(page.get_by_role("main")).to_have_count(1)
    assert page.title()

    # The first Tab lands on the skip link, which becomes visible and moves focus to <main>.
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({href: document.activeElement.getAttribute('href'),"
        " text: document.activeElement.textContent.trim()})"
    )
    assert focused["href"] == "#main", f"first focusable element is {focused!r}"
    assert focused["text"]
    box = page.locator("a[href='#main']").first.bounding_box()
    assert box and box["y"] >= 0 and box["x"] >= 0, "skip link stays off-screen when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.tagName") == "MAIN"

    assert_accessible(page)
    assert not broken, f"failed requests: {broken}"


def test_pages_fit_a_phone_screen_without_sideways_scrolling(phone_page, live_server):
    page = phone_page
    page.goto("/")
    assert scroll_width(page) <= 390
    assert_accessible(page)

    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/", reverse("cabinets:publication_list"), reverse("account_login")):
        page.goto(path)
        width = scroll_width(page)
        assert width <= 360, f"{path} scrolls sideways at 360 px: scrollWidth={width}"


def test_language_switch_in_the_header(page, live_server):
    page.goto("/")
    assert html_lang(page) == "ru"
    switch = page.locator("header form:has(select[name='language'])")
    for language in ("uk", "en", "ru"):
        switch.locator("select[name='language']").select_option(language)
        switch.locator("button[type='submit']").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert page.url == live_server.url + "/", "the switch returns to the same page"
        assert_accessible(page)


def test_demo_official_signs_in_with_totp_and_opens_the_service_cabinet(page, demo_town):
    page.goto(reverse("account_login"))
    assert html_lang(page) == "ru"
    assert_accessible(page)

    sign_in(page, MAYOR, DEMO_PASSWORD)
    expect(page).to_have_url(demo_town.url + reverse("mfa_authenticate"))
    assert_accessible(page)

    form = main_form(page, "code")
    form.locator("input[name='code']").fill(current_totp(DEMO_TOTP_SECRET))
    submit(form)
    expect(page, "the TOTP code was not accepted").not_to_have_url(
        demo_town.url + reverse("mfa_authenticate")
    )

    page.goto(reverse("service:home"))
    expect(page).to_have_url(demo_town.url + reverse("service:home"))
    expect(page.locator("main")).to_contain_text(ADMINISTRATION)
    assert_accessible(page)


def test_cabinet_member_without_second_factor_is_told_how_to_set_it_up(page, live_server):
    official = member(mfa=False)

    sign_in(page, official.email, DEFAULT_PASSWORD)
    expect(page, "the password was not accepted").not_to_have_url(
        live_server.url + reverse("account_login")
    )

    page.goto(reverse("service:home"))
    expect(page).to_have_url(live_server.url + reverse("accounts:mfa_required"))
    expect(page.locator(f"main a[href='{reverse('mfa_activate_totp')}']")).to_have_count(1)
    assert_accessible(page)
