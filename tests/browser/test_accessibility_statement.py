"""The accessibility statement (/accessibility/): linked from every page's footer, in each
language, axe-clean, and usable with the keyboard alone: every link on it is reached by Tab,
with a visible focus."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .a11y import assert_accessible
from .test_portal import html_lang

pytestmark = pytest.mark.browser

FOCUSED_OUTLINE = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return {href: el.getAttribute('href'), inMain: !!el.closest('main'),
          visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
                   || style.boxShadow !== 'none'};
}"""


@pytest.mark.parametrize("language", ["ru", "uk", "en"])
def test_statement_is_in_the_footer_axe_clean_and_keyboard_usable(page, live_server, language):
    page.goto("/")
    page.locator("#lang-select").select_option(language)
    page.locator(".lang-switch button[type='submit']").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    link = page.locator(f"footer a[href='{reverse('accessibility')}']")
    expect(link).to_have_count(1)
    link.click()
    expect(page.locator("main h1")).to_have_count(1)
    assert html_lang(page) == language
    for section in ("conformance", "testing", "limitations", "contact"):
        expect(page.locator(f"main h2#{section}")).to_be_visible()
    expect(page.locator("main")).to_contain_text("WCAG 2.1")
    expect(page.locator("main a[href^='mailto:']")).to_have_count(1)
    assert_accessible(page)

    # Tab from the top reaches every link of the statement, each with a visible focus.
    expected = page.locator("main a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    reached = []
    for _ in range(200):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED_OUTLINE)
        if focus["inMain"]:
            assert focus["visible"], f"no visible focus on {focus['href']}"
            reached.append(focus["href"])
        elif reached:
            break
    assert reached == expected
