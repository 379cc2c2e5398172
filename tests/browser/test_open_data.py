"""The /open-data/ page in a browser: each dataset with its files and its dictionary, axe-clean
with a dictionary opened."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from integrations import opendata
from tests.appeals.problems.helpers import public_appeal

from .a11y import assert_accessible

pytestmark = pytest.mark.browser


def test_open_data_page_lists_the_files_and_is_axe_clean(page, live_server):
    public_appeal(status="in_work")
    opendata.dump_all(force=True)
    page.goto(reverse("opendata:index"))
    expect(page.locator("main h1")).to_have_count(1)
    for name in opendata.DATASETS:
        expect(page.locator(f"#{name} h2")).to_be_visible()
    link = page.locator(f"#problems a[href='{reverse('opendata:file', args=['problems', 'csv'])}']")
    expect(link).to_have_count(1)
    page.locator("#problems summary").click()
    expect(page.locator("#problems details table code").first).to_be_visible()
    assert_accessible(page)
