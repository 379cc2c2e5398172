"""The widget on the authority's website, in headless Chromium (issue 13, point 4): a page of
"the authority's site", served from another origin on 127.0.0.1 by a tiny http.server, carries
the one-line snippet; the frame shows the latest problems and the report link, sizes itself to
its content, and is usable with the keyboard; a site the cabinet has not allowed cannot frame
it, nor can any site frame the rest of the portal. axe-core checks the widget's pages."""

import functools
import http.server
import re
import threading

import pytest
from playwright.sync_api import expect

from cabinets.roles import Role
from integrations.widget.snippets import script_snippet
from tests.factories import CabinetFactory, TerritoryFactory, member
from tests.integrations.helpers import problem_in, registered, schedule, widget

from .a11y import assert_accessible

HOST_PAGE = """<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Администрация Демограда</title></head>
<body><main><h1>Официальный сайт</h1>
<p>Обращения граждан:</p>
{embed}
<p id="after">Конец страницы</p>
</main></body></html>
"""

LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(event.violatedDirective + " " + event.blockedURI);
});
"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def host_site(tmp_path):
    """Another origin on this machine: http://127.0.0.1:<port>/ serving ``tmp_path``; the
    test writes its pages there. Returns (origin, write(name, html) -> url)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"

    def write(name, html):
        (tmp_path / name).write_text(html, encoding="utf-8")
        return f"{origin}/{name}"

    yield origin, write
    server.shutdown()
    server.server_close()


@pytest.fixture
def town(transactional_db):
    district = TerritoryFactory()
    cabinet = CabinetFactory(code="adm", name="Администрация Демограда", territory=district)
    member(cabinet, Role.REGISTRAR)
    problem_in(cabinet, "Яма во дворе дома 5")
    problem_in(CabinetFactory(), "Не горит фонарь в парке", territory=district)
    problem_in(CabinetFactory(), "Чужая проблема")
    schedule(cabinet)
    return cabinet


def watch_csp(page):
    violations = []
    page.context.expose_binding("reportCspViolation", lambda source, info: violations.append(info))
    page.context.add_init_script(LISTEN)
    return violations


def test_widget_on_another_origin_shows_problems_and_report_link(
    page, live_server, town, host_site
):
    origin, write = host_site
    assert origin != live_server.url  # the widget really is framed cross-origin
    w = widget(town, origins=origin)
    appeal = registered(cabinet=town, plain=True)
    violations = watch_csp(page)
    page.goto(
        write("index.html", HOST_PAGE.format(embed=script_snippet(w, site_url=live_server.url)))
    )

    frame_element = page.locator("iframe")
    # The frame is named for the cabinet, in the host page's language.
    expect(frame_element).to_have_attribute("title", re.compile(rf"^{re.escape(town.name)}: "))
    frame = page.frame_locator("iframe")
    problems = frame.locator("#w-problems")
    expect(problems).to_contain_text("Яма во дворе дома 5")
    expect(problems).to_contain_text("Не горит фонарь в парке")
    expect(problems).not_to_contain_text("Чужая проблема")
    report = frame.locator("#w-report")
    expect(report).to_have_attribute("href", "/appeals/new/?cabinet=adm")
    expect(report).to_have_attribute("target", "_blank")
    # the host page's language reached the frame
    expect(frame.locator("html")).to_have_attribute("lang", "ru")
    # the frame took the height of its content (postMessage from the portal's origin only)
    expect(frame_element).not_to_have_css("height", "520px")
    content = frame.locator("html").evaluate("e => Math.ceil(e.getBoundingClientRect().height)")
    box = frame_element.bounding_box()
    assert abs(box["height"] - content) <= 2

    # keyboard only: the track form, from the number field to the result
    frame.locator("#id_number").focus()
    page.keyboard.type(appeal.number)
    page.keyboard.press("Tab")
    expect(frame.locator("#id_code")).to_be_focused()
    page.keyboard.type(appeal.tracking_code)
    page.keyboard.press("Enter")
    result = frame.locator("#w-track-result")
    expect(result).to_contain_text(appeal.number)
    expect(result).not_to_contain_text(appeal.subject)
    assert violations == []


def test_an_origin_not_allowed_cannot_frame_the_widget(page, live_server, town, host_site):
    origin, write = host_site
    w = widget(town, origins="https://admin.example.org")
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text):
        page.goto(
            write("index.html", HOST_PAGE.format(embed=script_snippet(w, site_url=live_server.url)))
        )
    frame = page.frame_locator("iframe")
    expect(frame.locator("#w-problems")).to_have_count(0)
    assert any("https://admin.example.org" in text for text in messages)


def test_no_site_may_frame_the_rest_of_the_portal(page, live_server, town, host_site):
    origin, write = host_site
    widget(town, origins=origin)  # even the widget's own site
    html = HOST_PAGE.format(embed=f'<iframe src="{live_server.url}/problems/" title="x"></iframe>')
    with page.expect_console_message(lambda m: "frame-ancestors 'none'" in m.text):
        page.goto(write("portal.html", html))
    expect(page.frame_locator("iframe").locator("main")).to_have_count(0)


def test_widget_pages_pass_axe(page, live_server, town):
    w = widget(town, origins="https://admin.example.org")
    appeal = registered(cabinet=town, plain=True)
    for path in ("", "problems/", "answers/", "reception/", "track/"):
        page.goto(f"{live_server.url}/widget/{w.key}/{path}")
        expect(page.locator("main")).to_be_visible()
        assert_accessible(page)
    page.fill("#id_number", appeal.number)
    page.fill("#id_code", "WRONG-CODE")
    page.click("button[type=submit]")
    expect(page.locator(".errorlist, #w-track-none").first).to_be_visible()
    assert_accessible(page)
    page.fill("#id_code", appeal.tracking_code)
    page.click("button[type=submit]")
    expect(page.locator("#w-track-result")).to_be_visible()
    assert_accessible(page)
    # 360 px wide: nothing wider than the screen
    page.set_viewport_size({"width": 360, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
