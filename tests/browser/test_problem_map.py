"""Headless Chromium (issue #4): a resident opens the map, filters by category, opens a
cluster, opens a problem and supports it, then reaches the accessible list with the keyboard
only; axe-core finds no serious or critical violation on the map, the problem page or the
list."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from appeals.community.models import Support
from appeals.models import Category
from appeals.problems import selectors
from tests.appeals.problems.helpers import public_appeal
from tests.factories import DEFAULT_PASSWORD, CitizenFactory

from .a11y import assert_accessible
from .test_portal import sign_in


@pytest.fixture
def town(transactional_db, monkeypatch):
    monkeypatch.setattr(selectors, "POINTS_LIMIT", 3)  # a few problems are already a cluster
    roads = Category.objects.create(name="Дороги")
    light = Category.objects.create(name="Освещение")
    pits = [
        public_appeal(lat=56.0 + i * 0.0004, lon=38.0, category=roads, subject=f"Яма {i}")
        for i in range(4)
    ]
    lamp = public_appeal(lat=56.0, lon=38.0008, category=light, subject="Не горит фонарь")
    return roads, light, pits, lamp


def test_map_filter_cluster_problem_support_and_list_by_keyboard(new_page, live_server, town):
    roads, light, pits, lamp = town
    resident = CitizenFactory(email="zhitel@example.org")
    page = new_page()
    sign_in(page, resident.email, DEFAULT_PASSWORD)
    page.goto(reverse("map:index") + "?lat=56.0008&lon=38.0004&z=14")
    cluster = page.locator(".problem-cluster")
    expect(cluster.first).to_be_visible()
    assert_accessible(page)

    # filter by category: only the lamp is left, as a point
    page.select_option("#id_category", str(light.pk))
    expect(page.locator(".problem-marker")).to_have_count(1)
    expect(page.locator(".problem-cluster")).to_have_count(0)
    assert f"category={light.pk}" in page.url  # the map state is in the URL (shareable)

    # back to roads: a cluster of 4; opening it zooms in until the points show
    page.select_option("#id_category", str(roads.pk))
    expect(page.locator(".problem-cluster")).to_have_count(1)
    expect(page.locator(".problem-cluster").first).to_have_text("4")
    for _ in range(4):
        if page.locator(".problem-marker").count():
            break
        page.locator(".problem-cluster").first.click()
        page.wait_for_timeout(600)
    expect(page.locator(".problem-marker").first).to_be_visible()
    assert page.locator(".problem-cluster").count() == 0  # points now, no clusters

    # open a problem (markers are focusable; Enter opens them)
    map_state_url = page.url
    page.locator(".problem-marker").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Яма")
    assert_accessible(page)

    # support it ("this bothers me too"): the count and the button's pressed state change
    support = page.locator("main form[action*='/support/'] button[type=submit]")
    support.click()
    expect(
        page.locator("main form[action*='/support/'] button[aria-pressed='true']")
    ).to_have_count(1)
    expect(page.locator(".community-count strong")).to_have_text("1")
    assert Support.objects.filter(user=resident).count() == 1
    assert_accessible(page)

    # back on the map, reach the list link with the keyboard only and follow it
    page.goto(map_state_url)
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "problem-list-link":
            break
    else:
        pytest.fail("the list link cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    page.wait_for_url("**/problems/**")
    assert f"category={roads.pk}" in page.url  # the same query
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(4)
    assert "Не горит фонарь" not in page.content()
    assert_accessible(page)
