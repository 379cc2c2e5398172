"""The crawl of issue 16 in a real browser: every page reachable from the home page (one page
of each URL shape, the Django admin aside), as an anonymous visitor, a citizen, a registrar and
a head of a cabinet, in Russian, Ukrainian and English, at 1280 and 360 px wide, has

- no horizontal overflow: the document is no wider than the window, and no element that a
  reader needs (text, a link, a control, an image) reaches past the window's edges, unless it
  sits in a box that scrolls sideways on purpose (a wide table's ``.table-wrap``) or inside a map;
- no serious or critical axe-core finding.

One live server, one seeded demo town and one browser serve the whole crawl (a budget of
four minutes in CI on two cores). A page shape is the URL's pattern in the URLconf, its query
aside (a list's filters and pages are the same page). Each page is loaded once per language
and visitor, at 1280 px: axe and the overflow check run; the window is then narrowed to 360 px
(the page reflows without reloading) and the overflow is checked again. axe runs at 360 px on
the home page of each language and visitor, where the header folds its menu (checked folded
and open); the rest of a page's markup is the same at both widths. A shape already checked in
a language for one visitor is checked again for the next visitor only when that visitor's page
differs from it (the officials' pages, the citizen's own ones): the public pages are the same
for everyone but the header, which each visitor's own pages cover; they are then only fetched
for their links.

The server-side crawl (tests/edem/test_crawl.py) checks the status codes and the words of the
same pages; this one shares its roles, shapes and exclusions.
"""

import re
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.conf import settings
from django.core.management import call_command
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from tests.edem.test_crawl import MAX_PAGES, ROLES, SKIPPED_PATHS, signed_in_client
from tests.edem.test_crawl import shape as url_shape

from .a11y import BLOCKING_IMPACTS, describe

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 360, "height": 740}
LANGUAGES = ("ru", "uk", "en")
# Files, not pages: the browser would download them.
FILES = re.compile(
    r"\.(pdf|csv|xlsx|ods|json|geojson|xml|zip|jpe?g|png|webp|svg|ics)$"
    r"|/(letter|export|download|pdf|csv|feed|rss|atom)/",
    re.IGNORECASE,
)
# Links that answer 403 on purpose for the demo's officials, who are not verified residents
# (R2); the page tells them how to become one. tests/edem/test_crawl.py knows them too.
VERIFY_FIRST = {"/appeals/new/", "/discussions/propose/", "/polls/propose/"}

#: What reaches past the window's edges and matters: visible elements with text of their own,
#: links, controls and images, outside boxes that scroll sideways, maps and visually-hidden
#: text. Only the outermost such element of a branch is named.
OVERFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const scrolls = (s) => s.overflowX === "auto" || s.overflowX === "scroll";
  const hidden = (s) => s.visibility === "hidden" || s.display === "none"
    || s.clip === "rect(0px, 0px, 0px, 0px)" || s.clipPath === "inset(50%)";
  const matters = (el) => /^(A|BUTTON|INPUT|SELECT|TEXTAREA|IMG|SVG|LABEL|SUMMARY|VIDEO|IFRAME)$/i
      .test(el.tagName)
    || Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
  const name = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    if (el.classList.length) text += "." + Array.from(el.classList).join(".");
    return text;
  };
  const walk = (el) => {
    const style = getComputedStyle(el);
    if (hidden(style) || el.classList.contains("leaflet-container")) return;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0 && (box.right > width + 1 || box.left < -1)
        && matters(el)) {
      found.push(`${name(el)} [${Math.round(box.left)}..${Math.round(box.right)}]`);
      return;
    }
    if (scrolls(style) && el !== document.body && el !== document.documentElement) return;
    for (const child of el.children) walk(child);
  };
  walk(document.body);
  return {scroll: document.documentElement.scrollWidth, width: width, cut: found.slice(0, 5)};
}
"""


def overflow(page):
    """What scrolls sideways on the page as it is now (a list of descriptions, empty if none)."""
    found = page.evaluate(OVERFLOW_JS)
    problems = []
    if found["scroll"] > found["width"]:
        problems.append(f"the page is {found['scroll']} px wide in a {found['width']} px window")
    problems += [f"cut off: {element}" for element in found["cut"]]
    return problems


def axe_findings(page):
    """The serious and critical axe-core findings on the page as it is now, described. axe is
    in every page of the crawl's contexts already (``add_init_script``), so it is not sent and
    compiled again for each page as ``a11y.blocking_violations`` does."""
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    violations = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    return describe(violations) if violations else ""


def sign_in_context(browser, live_server, role, lang):
    """A browser context of ``role`` with the portal in ``lang``: the session of a Django test
    client signed in as that person (with the second factor recorded, as the service cabinet
    demands), and the language cookie."""
    client = signed_in_client(ROLES[role], lang)
    host = urlsplit(live_server.url).hostname
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "domain": host, "path": "/"}]
    if ROLES[role]:
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append(
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}
        )
    context = browser.new_context(
        base_url=live_server.url, viewport=WIDE, locale="ru-RU", timezone_id="Europe/Moscow"
    )
    context.set_default_timeout(15_000)
    context.add_cookies(cookies)
    context.add_init_script(script=AXE_SCRIPT)
    # An intranet: nothing but the portal answers (map tiles), so nothing waits for a network.
    origin = live_server.url
    context.route(lambda url: not url.startswith(origin), lambda route: route.abort())
    return context


def shape(url):
    """The URL's pattern in the portal's URLconf (``authorities/<slug:code>/``): one page of
    each is enough; a list's filters and pages (the query) are the same page. Falls back to
    the server crawl's shape (numbers as N) for a path that does not resolve."""
    path = urlsplit(url).path
    try:
        return resolve(path).route
    except Resolver404:
        return url_shape(path)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.hrefs.append(attrs["href"])


def portal_links(base, hrefs, origin):
    """The portal's own pages among ``hrefs`` (relative to ``base``): paths with their query."""
    found = []
    for href in hrefs:
        parts = urlsplit(urljoin(base, href))
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        if SKIPPED_PATHS.search(parts.path) or FILES.search(parts.path):
            continue
        found.append(parts._replace(scheme="", netloc="", fragment="").geturl())
    return found


def page_kind(role, path):
    """Who sees this page as it is: everybody (the public pages, the same for every visitor
    but the header), or only this visitor (their own pages, the service cabinet)."""
    if role == "anonymous" or not re.match(
        r"^/(service|me|account|appeals/my|reception/my)/", path
    ):
        return "public"
    return role


def crawl(context, origin, lang, role, checked, report):
    """Visit the portal from "/" as the context's visitor; check each page shape not in
    ``checked`` (those of this language already checked for another visitor). A page that
    needs no check is only fetched for its links, without the browser drawing it."""
    page = context.new_page()
    queue, seen, shapes = ["/"], set(), set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or shape(url) in shapes:
            continue
        seen.add(url)
        shapes.add(shape(url))
        where = f"{lang}, {role}, {url}"
        if (shape(url), page_kind(role, urlsplit(url).path)) in checked and url != "/":
            response = context.request.get(url)
            if response.ok and response.headers.get("content-type", "").startswith("text/html"):
                parser = _Links()
                parser.feed(response.text())
                queue += portal_links(response.url, parser.hrefs, origin)
            continue
        page.set_viewport_size(WIDE)
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a download, not a page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None:
            continue
        if response.status >= 400:
            if not (role in ("registrar", "head") and urlsplit(url).path in VERIFY_FIRST):
                report.append(f"{where}: HTTP {response.status}")
            continue
        if not page.url.startswith(origin + "/"):
            continue
        final = urlsplit(page.url)._replace(scheme="", netloc="", fragment="").geturl()
        seen.add(final)
        shapes.add(shape(final))
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        queue += portal_links(
            page.url, page.evaluate("() => Array.from(document.links, a => a.href)"), origin
        )
        checked.add((shape(final), page_kind(role, urlsplit(final).path)))
        report += [f"{where} at 1280 px: {problem}" for problem in overflow(page)]
        if findings := axe_findings(page):
            report.append(f"{where} at 1280 px: axe\n{findings}")
        page.set_viewport_size(NARROW)
        report += [f"{where} at 360 px: {problem}" for problem in overflow(page)]
        if url == "/":  # the header folds its menu on a phone: checked folded and open
            if findings := axe_findings(page):
                report.append(f"{where} at 360 px: axe\n{findings}")
            toggle = page.locator("#nav-toggle")
            if toggle.is_visible():
                toggle.click()
                report += [f"{where} at 360 px, menu open: {p}" for p in overflow(page)]
                if findings := axe_findings(page):
                    report.append(f"{where} at 360 px, menu open: axe\n{findings}")
    return len(checked)


def test_every_page_fits_360_and_1280_px_and_passes_axe_in_every_language_for_every_visitor(
    browser, live_server
):
    call_command("seed_demo", quiet=True, stdout=StringIO())
    report, pages = [], 0
    for lang in LANGUAGES:
        checked = set()
        for role in ROLES:
            context = sign_in_context(browser, live_server, role, lang)
            try:
                crawl(context, live_server.url, lang, role, checked, report)
            finally:
                context.close()
        assert len(checked) > 40, f"{lang}: the crawl checked only {len(checked)} pages"
        pages += len(checked)
    assert not report, f"{len(report)} problems on {pages} pages:\n" + "\n".join(report[:100])


# The checks themselves, on pages made to fail them.

WIDE_PAGE = """<!doctype html><html lang="en"><head><title>t</title></head><body><main>
<h1>Title</h1>
<p style="width: 500px">A paragraph wider than a phone.</p>
<div class="table-wrap" style="overflow-x: auto"><table><tr><td style="min-width: 900px">
A wide table that scrolls in its own box</td></tr></table></div>
<span style="position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0,0,0,0); left: 2000px">visually hidden</span>
</main></body></html>"""

CLIPPED_PAGE = """<!doctype html><html lang="en"><head><title>t</title></head>
<body style="overflow-x: hidden; margin: 0"><main><h1>Title</h1>
<div style="display: flex"><span style="flex: none; width: 300px">Status</span>
<span style="flex: none">Agency of the town</span></div></main></body></html>"""

FITTING_PAGE = """<!doctype html><html lang="en"><head><title>t</title></head><body><main>
<h1>Title</h1><p>A paragraph that wraps as it should on a phone screen, word by word.</p>
</main></body></html>"""

INACCESSIBLE_PAGE = """<!doctype html><html lang="en"><head><title>t</title></head><body><main>
<h1>Title</h1><img src="data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27/%3E"><p><a href="#"></a></p>
</main></body></html>"""


def test_the_checks_catch_what_they_are_for(browser):
    context = browser.new_context(viewport=NARROW)
    context.add_init_script(script=AXE_SCRIPT)
    pages = {
        "wide": WIDE_PAGE,
        "clipped": CLIPPED_PAGE,
        "fitting": FITTING_PAGE,
        "inaccessible": INACCESSIBLE_PAGE,
    }
    context.route(
        "http://selftest.invalid/*",
        lambda route: route.fulfill(
            content_type="text/html", body=pages[route.request.url.rsplit("/", 1)[1]]
        ),
    )
    try:
        page = context.new_page()
        page.goto("http://selftest.invalid/wide")
        problems = overflow(page)
        assert any("px wide in a 360 px window" in p for p in problems), problems
        assert any(p.startswith("cut off: p ") for p in problems), problems
        assert not any("td" in p or "span" in p for p in problems), problems

        page.goto("http://selftest.invalid/clipped")  # the page hides its overflow
        problems = overflow(page)
        assert any(p.startswith("cut off: span") for p in problems), problems

        page.goto("http://selftest.invalid/fitting")
        assert overflow(page) == []
        assert axe_findings(page) == ""

        page.goto("http://selftest.invalid/inaccessible")
        findings = axe_findings(page)
        assert "image-alt (critical)" in findings and "link-name (serious)" in findings, findings
    finally:
        context.close()
