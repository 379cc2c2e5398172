"""The head's dashboard and the public statistics in Chromium: axe-core finds no serious or
critical violation, and the statistics page fits a 360 px screen."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from .a11y import assert_accessible
from .test_portal import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    MAYOR,
    current_totp,
    main_form,
    scroll_width,
    sign_in,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_history(demo_town):
    call_command("seed_demo_analytics", stdout=StringIO())
    return demo_town


def test_public_statistics_are_accessible_and_fit_a_phone(phone_page, demo_history):
    page = phone_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(reverse("analytics:statistics"))
    expect(page.locator("main svg[role='img']")).to_have_count(1)
    expect(page.locator("main table caption").first).to_be_visible()
    assert scroll_width(page) <= 360
    assert_accessible(page)


def test_head_opens_the_dashboard(page, demo_history):
    sign_in(page, MAYOR, DEMO_PASSWORD)
    form = main_form(page, "code")
    form.locator("input[name='code']").fill(current_totp(DEMO_TOTP_SECRET))
    submit(form)
    expect(page).not_to_have_url(demo_history.url + reverse("mfa_authenticate"))
    page.goto(reverse("service:cabinet", args=["adm"]))
    page.locator("main a[href$='/service/analytics/adm/']").click()
    expect(page.locator("main svg[role='img']")).to_have_count(1)
    assert_accessible(page)
    page.set_viewport_size({"width": 360, "height": 740})
    assert scroll_width(page) <= 360
