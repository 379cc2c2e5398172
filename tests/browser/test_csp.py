"""The Content-Security-Policy holds and the pages keep working under it (issue #11): headless
Chromium visits the home page, the map, a problem page, a poll's results, the appeal filing
form, the authenticator set-up page, admin lists and forms and the admin's territory editor
(drawing a polygon with Leaflet.draw), listening to the console and to
``securitypolicyviolation`` events; there must be none.

The policy is the settings' own (edem.settings.CONTENT_SECURITY_POLICY), identical under
DJANGO_ENV=production, where tests/edem/test_headers.py checks that it is sent."""

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from consultations.polls.models import Poll
from edem.geo.models import Territory
from tests.appeals.problems.helpers import public_appeal
from tests.factories import DEFAULT_PASSWORD, CitizenFactory

from .test_portal import current_totp, main_form, sign_in, submit

DEMO_PASSWORD = "edem-demo-2026"  # fixtures/demo_municipality.json
DEMO_TOTP_SECRET = "EDEMDEMOEDEMDEMOEDEMDEMOEDEMDEMO"

LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    sample: event.sample,
    source: event.sourceFile + ":" + event.lineNumber,
  });
});
"""


@pytest.fixture
def watched_page(new_page):
    """A page whose CSP violations (events and console messages) are collected."""
    page = new_page()
    violations = []
    page.context.expose_binding(
        "reportCspViolation", lambda source, info: violations.append((page.url, info))
    )
    page.context.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: (
            violations.append((page.url, message.text))
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return page, violations


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, policy
    page.wait_for_load_state("load")
    return response


def test_pages_maps_editor_and_charts_work_under_the_csp(watched_page, demo_consultations):
    page, violations = watched_page
    assert "unsafe-inline" not in str(settings.CONTENT_SECURITY_POLICY)
    problem = public_appeal(lat=56.0, lon=38.0, subject="Яма у остановки")
    poll = Poll.objects.filter(status="results_published").first()
    assert poll is not None

    visit(page, "/")
    visit(page, reverse("map:index") + "?lat=56.0&lon=38.0&z=14")
    expect(page.locator(".leaflet-container").first).to_be_visible()
    expect(page.locator(".problem-marker, .problem-cluster").first).to_be_visible()

    visit(page, reverse("problems:detail", args=[problem.pk]))
    expect(page.locator(".leaflet-container").first).to_be_visible()
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()

    visit(page, reverse("polls:results", args=[poll.pk]))
    expect(page.locator("svg.poll-chart").first).to_be_visible()

    # The appeal filing form, with its place picker, for a signed-in resident.
    resident = CitizenFactory(email="csp.resident@example.org")
    sign_in(page, resident.email, DEFAULT_PASSWORD)
    visit(page, reverse("appeals:file"))
    expect(page.locator(".leaflet-container").first).to_be_visible()
    page.locator(".leaflet-container").first.click()  # the picker drops its marker
    # Setting up the authenticator app: the QR code is a data: image.
    visit(page, reverse("mfa_activate_totp"))
    if reverse("account_reauthenticate") in page.url:  # allauth asks for the password again
        form = main_form(page, "password")
        form.locator("input[name='password']").fill(DEFAULT_PASSWORD)
        submit(form)
    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_activate_totp")) + "$"))
    expect(page.locator("img[src^='data:image/svg']")).to_be_visible()
    page.goto(reverse("account_logout"))
    submit(page.locator("main form").first)

    # The admin's territory editor: the administrator signs in with the second factor.
    sign_in(page, "admin@demo.edem", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_authenticate")) + "$"))
    form = main_form(page, "code")
    form.locator("input[name='code']").fill(current_totp(DEMO_TOTP_SECRET))
    submit(form)
    visit(page, reverse("admin:accounts_user_changelist"))
    admin_user = type(resident).objects.get(email="admin@demo.edem")
    visit(page, reverse("admin:accounts_user_change", args=[admin_user.pk]))  # inlines, dates
    territory = Territory.objects.order_by("pk").first()
    visit(page, reverse("admin:geo_territory_change", args=[territory.pk]))
    editor = page.locator(".geojson-editor")
    expect(editor.locator(".leaflet-container")).to_be_visible()
    expect(editor.locator("path.leaflet-interactive").first).to_be_visible()  # the boundary
    # Leaflet.draw speaks the page's language: its texts come with the widget as JSON data.
    texts = json.loads(editor.locator("script[type='application/json']").text_content())
    polygon_title = texts["draw"]["toolbar"]["buttons"]["polygon"]
    expect(editor.locator(".leaflet-draw-draw-polygon")).to_have_attribute("title", polygon_title)
    source = page.locator("textarea.geojson-source")
    before = source.input_value()
    map_box = editor.locator(".leaflet-container")
    map_box.scroll_into_view_if_needed()
    editor.locator(".leaflet-draw-draw-polygon").click()  # Leaflet.draw's handles and guides
    box = map_box.bounding_box()
    middle_x, middle_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(middle_x, middle_y)  # Leaflet.draw follows the pointer first
    # Around the middle, away from the zoom and draw controls in the corners.
    for dx, dy in ((-60, -40), (60, -40), (60, 40)):
        page.mouse.move(middle_x + dx, middle_y + dy, steps=3)
        page.mouse.down()
        page.mouse.up()
        page.wait_for_timeout(400)  # apart, not a double click (which ends the shape)
    expect(editor.locator(".leaflet-editing-icon")).to_have_count(3)
    editor.locator(".leaflet-editing-icon").first.click()  # closes the ring
    expect(editor.locator(".leaflet-editing-icon")).to_have_count(0)
    # The new polygon is written back beside the old boundary.
    expect(source).not_to_have_value(before)
    expect(source).to_have_value(re.compile("MultiPolygon"))

    assert violations == []

    # The control: the listener does hear the policy. An inline style attribute and an inline
    # script without the nonce, as an injected fragment would bring, are refused and reported.
    page.evaluate(
        """() => {
          document.body.insertAdjacentHTML("beforeend", '<p style="color: red">injected</p>');
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.injected") is None
    directives = {info["directive"] for _url, info in violations if isinstance(info, dict)}
    assert {"style-src-attr", "script-src-elem"} <= directives, violations
