"""The EDMS API's reference page (issue 14) works on an intranet and under the portal's CSP:
headless Chromium, with every request outside the portal aborted (no CDN), renders Swagger UI
from the sidecar's files and the schema, and reports no CSP violation."""

from django.urls import reverse
from playwright.sync_api import expect

from .test_csp import visit, watched_page  # noqa: F401 (a fixture)


def test_api_reference_renders_from_local_files_under_the_csp(watched_page):  # noqa: F811
    page, violations = watched_page
    visit(page, reverse("api:docs"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("edem EDMS API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.locator("text=/api/v1/appeals/").count() >= 1
    assert violations == []
