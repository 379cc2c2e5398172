"""Fixtures for the headless-Chromium tests: one browser for the whole package, a fresh
context (cookies, storage) per test, the live server and the demo town.

Playwright's sync API keeps an asyncio loop registered as "running" in the test thread
between its calls, and Django refuses ORM calls while a loop runs in the thread
(SynchronousOnlyOperation). The tests only use the ORM in between browser calls, never
concurrently with them, so DJANGO_ALLOW_ASYNC_UNSAFE is set, but only while the tests of
this package run: the package-scoped fixtures below restore the environment and stop
Playwright (which unregisters its loop) after the last browser test, so the rest of the
suite keeps Django's check.
"""

import copy
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does it)"
                    )
                )


@pytest.fixture(scope="package", autouse=True)
def _async_unsafe_allowed():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    """A cache key prefix of this test's own. The test database starts afresh on every run,
    so the demo mayor gets the same primary key each time, while Redis keeps allauth's
    "TOTP code already used" markers (and its rate-limit counters) between runs: a second run
    within the same 30-second step would find its code "already used"."""
    caches = copy.deepcopy(settings.CACHES)
    for alias in caches:
        caches[alias]["KEY_PREFIX"] = f"{caches[alias].get('KEY_PREFIX', '')}:{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture(scope="package")
def browser(_async_unsafe_allowed):
    """One headless Chromium for all the browser tests (package scope: it is closed, and
    Playwright stopped, as soon as the last of them has run)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


def _new_page(browser, live_server, viewport, **options):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        # Chromium's own default would send "Accept-Language: en-US"; a visitor from the
        # town has a Russian browser. The portal's default language is Russian as well.
        locale="ru-RU",
        timezone_id="Europe/Moscow",
        **options,
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    """A desktop-sized page (1280x800) in a fresh browser context, with ``page.goto("/")``
    relative to the live server."""
    context, page = _new_page(browser, live_server, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized page (390x844, touch) in a fresh browser context."""
    context, page = _new_page(browser, live_server, PHONE, is_mobile=True, has_touch=True)
    yield page
    context.close()


@pytest.fixture
def new_page(browser, live_server):
    """A factory of desktop pages, each in a fresh browser context of its own: one per person
    of a scenario where several people take turns (their sessions never mix). Requests to any
    host but the live server are refused at once, as on an intranet without internet access
    (map tiles), so that no test waits for a network that is not there."""
    contexts = []

    def make(viewport=DESKTOP, **options):
        context, page = _new_page(browser, live_server, viewport, **options)
        contexts.append(context)
        context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def demo_town(live_server):
    """The demo municipality (``manage.py seed_demo``) in the live server's database."""
    call_command("seed_demo", quiet=True, bare=True)
    return live_server


@pytest.fixture
def demo_consultations(demo_town):
    """The demo town with its consultations (``manage.py seed_demo_consultations``)."""
    call_command("seed_demo_consultations", stdout=StringIO())
    return demo_town
