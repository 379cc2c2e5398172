"""Phone first (issue 16, point 6), in headless Chromium: the main public pages, the citizen's
cabinet and the official's queue at 360 and 1280 px wide never scroll sideways; on a phone the
header is compact (its menu folds behind a button) and the map of /map/ starts within the
first screen; at 1280 px the queue's table shows its last column without scrolling."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from appeals.models import Appeal
from consultations.petitions.models import Petition
from consultations.polls.models import Poll

from .a11y import assert_accessible
from .test_appeal_journey import AuthenticatorApp, sign_in_official
from .test_portal import DEMO_PASSWORD, DEMO_TOTP_SECRET, sign_in

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
CITIZEN = "ivanova@demo.edem"
HEAD = "mayor@demo.edem"


@pytest.fixture
def full_demo(live_server):
    """The demo town with its appeals, polls, petitions and the rest (``seed_demo``)."""
    call_command("seed_demo", quiet=True, stdout=StringIO())
    return live_server


def public_pages():
    poll = Poll.objects.order_by("pk").first()
    petition = Petition.objects.order_by("pk").first()
    return [
        "/",
        reverse("map:index"),
        reverse("problems:list"),
        reverse("cabinets:publication_list"),
        reverse("cabinets:public_list"),
        reverse("consultations:index"),
        reverse("polls:list"),
        reverse("polls:detail", args=[poll.pk]),
        reverse("petitions:list"),
        reverse("petitions:detail", args=[petition.pk]),
        reverse("analytics:statistics"),
        reverse("account_login"),
        reverse("account_signup"),
    ]


def citizen_pages(citizen_email):
    appeal = Appeal.objects.filter(author__email=citizen_email).order_by("pk").first()
    pages = [
        reverse("accounts:cabinet"),
        reverse("appeals:my_list"),
        reverse("appeals:file"),
        reverse("reception:my"),
    ]
    if appeal is not None:
        pages.append(reverse("appeals:my_detail", args=[appeal.pk]))
    return pages


def official_pages():
    appeal = Appeal.objects.exclude(cabinet__code="").order_by("pk").first()
    poll = Poll.objects.filter(cabinet__code="adm").order_by("pk").last()
    return [
        reverse("service:home"),
        reverse("appeals_service:queue"),
        reverse("appeals_service:card", args=[appeal.pk]),
        reverse("polls_service:card", args=[poll.pk]),
    ]


def overflow(page):
    return page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )


def assert_fits(page, paths):
    wide = []
    for path in paths:
        response = page.goto(path)
        assert response.status < 400, f"{path}: {response.status}"
        size = overflow(page)
        if size["scroll"] > size["inner"]:
            wide.append(f"{path}: {size['scroll']} > {size['inner']}")
    assert not wide, f"pages that scroll sideways at {page.viewport_size['width']} px: {wide}"


def test_public_pages_fit_360_and_1280_px_with_a_compact_header_and_the_map_first(
    full_demo, new_page
):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    assert_fits(page, public_pages())

    page.goto("/")
    header = page.locator("header.site-header")
    assert header.bounding_box()["height"] <= 120, "the header takes too much of a phone screen"
    nav, toggle = page.locator("#site-nav"), page.locator("#nav-toggle")
    expect(nav).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name=re.compile(".")).first).to_be_visible()
    assert_accessible(page)

    page.goto(reverse("map:index"))
    top = page.locator("#problem-map").bounding_box()["y"]
    assert top < PHONE["height"] - 100, f"the map starts {top} px down, below the first screen"
    expect(page.locator("#map-filters")).not_to_have_attribute("open", "")
    page.locator("#map-filters > summary").click()
    expect(page.locator("#problem-filters")).to_be_visible()
    assert_accessible(page)

    page.set_viewport_size(DESKTOP)
    assert_fits(page, public_pages())
    page.goto(reverse("map:index"))
    expect(page.locator("#problem-filters")).to_be_visible()  # open on a wide screen
    expect(page.locator("#nav-toggle")).to_be_hidden()
    expect(page.locator("#site-nav")).to_be_visible()


def test_the_citizen_cabinet_fits_360_and_1280_px(full_demo, new_page):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, CITIZEN, DEMO_PASSWORD)
    assert_fits(page, citizen_pages(CITIZEN))
    page.set_viewport_size(DESKTOP)
    assert_fits(page, citizen_pages(CITIZEN))


def test_the_official_queue_fits_360_and_1280_px_with_its_last_column_shown(full_demo, new_page):
    page = new_page(viewport=DESKTOP)
    sign_in_official(page, HEAD, AuthenticatorApp(DEMO_TOTP_SECRET))
    assert_fits(page, official_pages())
    page.goto(reverse("appeals_service:queue"))
    table = page.locator("main .table-wrap").first
    sizes = table.evaluate("el => ({client: el.clientWidth, scroll: el.scrollWidth})")
    assert sizes["scroll"] <= sizes["client"], f"the queue's table is cut off at 1280 px: {sizes}"
    page.set_viewport_size(PHONE)
    assert_fits(page, official_pages())
