"""The widget on the authority's website (issue 13, points 4 and 5): its pages, its headers
(framed only by the cabinet's own sites; the rest of the portal by nobody), "track my appeal"
(status and dates for the right number and code, nothing for a wrong one, never personal data),
the code in the admin, and its weight."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from appeals.models import Appeal
from integrations.models import WidgetSite
from integrations.models.widget import parse_origins
from integrations.widget import limits
from integrations.widget.snippets import WIDGET_STATIC_FILES, iframe_snippet, script_snippet
from tests.appeals.problems.helpers import personal_values
from tests.factories import CabinetFactory, TerritoryFactory, UserFactory

from .helpers import answered, problem_in, registered, schedule, widget

pytestmark = pytest.mark.django_db

MAX_WIDGET_BYTES = 30 * 1024


def csp(response):
    header = response["Content-Security-Policy"]
    return dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in header.split(";") if part.strip()
    )


def url(name, w, *args):
    return reverse(f"widget:{name}", args=[w.key, *args])


# --- settings ----------------------------------------------------------------------------------


def test_origins_are_validated_and_normalised():
    assert parse_origins("https://Admin.Example.org/\nhttps://admin.example.org") == [
        "https://admin.example.org"
    ]
    assert parse_origins("https://a.example.org:8443, http://127.0.0.1:8000") == [
        "https://a.example.org:8443",
        "http://127.0.0.1:8000",
    ]
    for bad in (
        "http://admin.example.org",  # plain http outside this machine
        "https://admin.example.org/news/",  # a path
        "https://*.example.org",
        "https://user@example.org",
        "ftp://example.org",
        "admin.example.org",
        "https://example.org:99999",
        "https://example.org/?q=1",
    ):
        with pytest.raises(ValidationError):
            parse_origins(bad)


def test_a_widget_needs_one_part_at_least():
    w = widget()
    for name in WidgetSite.VIEWS:
        setattr(w, f"show_{name}", False)
    with pytest.raises(ValidationError):
        w.full_clean()


# --- headers -----------------------------------------------------------------------------------


def test_widget_pages_may_be_framed_only_by_the_cabinets_origins(client):
    ours = widget(origins="https://admin.example.org\nhttps://www.example.org")
    theirs = widget(origins="https://other.example.net")
    problem_in(ours.cabinet, "Яма")
    for name in ("index", "problems", "track", "answers", "reception"):
        response = client.get(url(name, ours))
        assert response.status_code == 200, name
        assert (
            csp(response)["frame-ancestors"] == "https://admin.example.org https://www.example.org"
        )
        assert "X-Frame-Options" not in response
        # the rest of the policy is the portal's own
        assert csp(response)["script-src"].startswith("'self'")
        assert "unsafe-inline" not in response["Content-Security-Policy"]
    response = client.get(url("index", theirs))
    assert csp(response)["frame-ancestors"] == "https://other.example.net"


def test_the_rest_of_the_portal_stays_unframeable(client):
    w = widget()
    for path in (
        reverse("home"),
        reverse("problems:list"),
        reverse("reception:index"),
        "/widget/no-such-key/",  # a wrong key: the portal's 404, not the widget
    ):
        response = client.get(path)
        assert csp(response)["frame-ancestors"] == "'none'", path
        assert response["X-Frame-Options"] == "DENY", path
    w.is_active = False
    w.save()
    response = client.get(url("index", w))
    assert response.status_code == 404
    assert csp(response)["frame-ancestors"] == "'none'"


def test_a_part_turned_off_is_not_served(client):
    w = widget(show_track=False)
    assert client.get(url("track", w)).status_code == 404
    assert client.post(url("track", w), {"number": "X", "code": "ABCD-EFGH"}).status_code == 404
    body = client.get(url("index", w)).content.decode()
    assert url("track", w) not in body


def test_widget_pages_have_no_inline_script_or_style(client):
    w = widget()
    problem_in(w.cabinet, "Яма")
    schedule(w.cabinet)
    for name in ("index", "problems", "track", "answers", "reception"):
        body = client.get(url(name, w)).content.decode()
        assert "<style" not in body and " style=" not in body, name
        for tag in re.findall(r"<script[^>]*>", body):
            assert "src=" in tag, name
        assert "<main" in body and 'lang="' in body


# --- the parts ---------------------------------------------------------------------------------


def test_latest_problems_are_those_of_the_cabinets_territory(client):
    district = TerritoryFactory()
    cabinet = CabinetFactory(territory=district)
    w = widget(cabinet)
    problem_in(cabinet, "Яма во дворе")
    problem_in(CabinetFactory(), "Сломан фонарь на территории", territory=district)
    problem_in(CabinetFactory(), "Чужая проблема")
    for page in (url("index", w), url("problems", w)):
        body = client.get(page).content.decode()
        assert "Яма во дворе" in body and "Сломан фонарь на территории" in body
        assert "Чужая проблема" not in body


def test_an_administration_without_territory_shows_the_whole_town(client):
    town_hall = CabinetFactory(kind="administration")
    w = widget(town_hall)
    problem_in(CabinetFactory(), "Проблема в другом ведомстве", territory=TerritoryFactory())
    assert "Проблема в другом ведомстве" in client.get(url("problems", w)).content.decode()


def test_report_a_problem_leads_to_filing_with_the_cabinet_chosen(client):
    from cabinets.roles import Role
    from tests.factories import member

    cabinet = CabinetFactory(code="adm")
    member(cabinet, Role.REGISTRAR)  # a staffed cabinet: the form offers it
    w = widget(cabinet)
    body = client.get(url("index", w)).content.decode()
    report = reverse("appeals:file") + "?cabinet=adm"
    assert f'href="{report}"' in body and 'target="_blank"' in body
    citizen = registered().author
    client.force_login(citizen)
    form = client.get(report).content.decode()
    assert re.search(rf'<option value="{cabinet.pk}" selected>', form)
    # an unknown code chooses nothing
    form = client.get(reverse("appeals:file") + "?cabinet=nope").content.decode()
    assert '<option value="" selected>' in form


def test_R13_widget_lists_published_answers_without_personal_data(client):
    w = widget()
    answered(
        registered(cabinet=w.cabinet),
        text=(
            "Уважаемый Аристарх Евлампиевич!\n\nФонарь заменён 1 июня. Ответ направлен по "
            "адресу Демоград, ул. Тайная, д. 13, кв. 77 и на secret.author@example.org."
        ),
    )
    problem_in(w.cabinet, "Без ответа")
    body = client.get(url("answers", w)).content.decode()
    assert "Фонарь заменён 1 июня." in body
    assert "Без ответа" not in body
    appeal = Appeal.objects.get(subject="Сломан фонарь")
    for secret in personal_values(appeal):
        assert secret not in body


def test_reception_schedule_of_the_cabinet(client):
    w = widget()
    schedule(w.cabinet, place="Кабинет 101")
    schedule(w.cabinet, place="Черновик", is_published=False)
    schedule(CabinetFactory(), place="Чужой кабинет")
    body = client.get(url("reception", w)).content.decode()
    assert "Кабинет 101" in body and "Приёмов" in body
    assert "Черновик" not in body and "Чужой кабинет" not in body
    assert reverse("reception:schedule", args=[w.cabinet.code]) in body


def test_the_language_of_the_host_page(client):
    w = widget()
    with translation.override("en"):
        body = client.get(url("index", w), {"lang": "en"}).content.decode()
    assert '<html lang="en">' in body and "?lang=en" in body
    body = client.get(url("index", w), {"lang": "xx"}).content.decode()
    assert "?lang=xx" not in body


# --- track my appeal ---------------------------------------------------------------------------


def test_registration_gives_a_tracking_code_and_tells_the_citizen(
    client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = registered()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", appeal.tracking_code)
    assert any(appeal.tracking_code in m.body for m in mail.outbox)
    client.force_login(appeal.author)
    assert (
        appeal.tracking_code
        in client.get(reverse("appeals:my_detail", args=[appeal.pk])).content.decode()
    )


def test_R14_track_reveals_status_and_dates_only(client):
    w = widget()
    appeal = registered(cabinet=w.cabinet)
    typed = appeal.tracking_code.lower().replace("-", " ")  # as a person may type it
    response = client.post(url("track", w), {"number": f" {appeal.number.lower()} ", "code": typed})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="w-track-result"' in body and appeal.number in body
    assert appeal.legal_due.strftime("%Y") in body
    for secret in [*personal_values(appeal), appeal.subject, appeal.text[:20]]:
        assert secret not in body
    # the same result for any other cabinet's widget: the number and code are what counts
    other = widget()
    assert (
        client.post(url("track", other), {"number": appeal.number, "code": typed}).status_code
        == 200
    )


def test_track_wrong_number_or_code_is_one_generic_not_found(client):
    w = widget()
    appeal = registered(cabinet=w.cabinet)
    other = registered(cabinet=w.cabinet, plain=True)
    tries = [
        {"number": appeal.number, "code": "ABCD-EFGH"},
        {"number": "ADM-0000-9999", "code": appeal.tracking_code},
        {"number": other.number, "code": appeal.tracking_code},  # someone else's number
    ]
    bodies = []
    for data in tries:
        response = client.post(url("track", w), data)
        assert response.status_code == 200
        body = response.content.decode()
        assert 'id="w-track-none"' in body and 'id="w-track-result"' not in body
        assert appeal.subject not in body and other.subject not in body
        bodies.append(re.search(r'<div class="w-alert".*?</div>', body, re.S).group(0))
    assert len(set(bodies)) == 1
    # an appeal not yet registered has no code and cannot be looked up
    unregistered = registered(plain=True)
    Appeal.objects.filter(pk=unregistered.pk).update(number="ADM-1", tracking_code="")
    assert client.post(url("track", w), {"number": "ADM-1", "code": ""}).status_code == 400


def test_track_is_rate_limited(client, monkeypatch):
    monkeypatch.setattr(limits, "TRACKS_PER_HOUR", 3)
    w = widget()
    appeal = registered(cabinet=w.cabinet)
    wrong = {"number": appeal.number, "code": "ABCD-EFGH"}
    for _ in range(3):
        assert 'id="w-track-none"' in client.post(url("track", w), wrong).content.decode()
    right = {"number": appeal.number, "code": appeal.tracking_code}
    response = client.post(url("track", w), right)
    assert response.status_code == 429
    assert 'id="w-track-result"' not in response.content.decode()


def test_track_needs_no_csrf_cookie_inside_a_frame():
    from django.test import Client

    w = widget()
    appeal = registered(cabinet=w.cabinet)
    client = Client(enforce_csrf_checks=True)
    response = client.post(url("track", w), {"number": appeal.number, "code": appeal.tracking_code})
    assert response.status_code == 200


# --- admin, demo, size -------------------------------------------------------------------------


def test_admin_shows_the_code_to_paste_and_refuses_bad_origins(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    w = widget()
    body = client.get(reverse("admin:integrations_widgetsite_change", args=[w.pk])).content.decode()
    assert 'id="widget-script-snippet"' in body and 'id="widget-iframe-snippet"' in body
    assert "widget/embed.js" in body and f"data-edem-widget=&quot;{w.key}&quot;" in body
    cabinet = CabinetFactory()
    response = client.post(
        reverse("admin:integrations_widgetsite_add"),
        {
            "cabinet": cabinet.pk,
            "allowed_origins": "http://admin.example.org",
            "is_active": "on",
            "key": "new-key",
            "show_report": "on",
        },
    )
    assert response.status_code == 200
    assert not WidgetSite.objects.filter(cabinet=cabinet).exists()
    response = client.post(
        reverse("admin:integrations_widgetsite_add"),
        {
            "cabinet": cabinet.pk,
            "allowed_origins": "https://Admin.Example.org/ https://www.example.org",
            "is_active": "on",
            "key": "new-key",
            "show_report": "on",
        },
    )
    assert response.status_code == 302
    saved = WidgetSite.objects.get(cabinet=cabinet)
    assert saved.allowed_origins == "https://admin.example.org\nhttps://www.example.org"


def test_snippets_point_at_the_portal(settings):
    settings.SITE_URL = "https://portal.example.org"
    w = widget()
    assert str(script_snippet(w)).startswith(
        '<script src="https://portal.example.org/static/widget/embed.js" '
        f'data-edem-widget="{w.key}"'
    )
    assert f'src="https://portal.example.org/widget/{w.key}/"' in str(iframe_snippet(w))


def test_the_widget_weighs_at_most_30_kb(client):
    """The bytes a browser loads for the widget beyond its HTML: the script the snippet names,
    and every stylesheet and script of the framed pages (read from the pages themselves)."""
    w = widget()
    problem_in(w.cabinet, "Яма")
    loaded = {"widget/embed.js"}
    for name in ("index", "problems", "track", "answers", "reception"):
        body = client.get(url(name, w)).content.decode()
        for ref in re.findall(r'<(?:script|link)[^>]+(?:src|href)="/static/([^"]+)"', body):
            loaded.add(ref)
    assert loaded == set(WIDGET_STATIC_FILES)
    size = sum(Path(finders.find(path)).stat().st_size for path in loaded)
    print(f"widget static files: {size} bytes")
    assert size <= MAX_WIDGET_BYTES


def test_seed_demo_gives_the_administration_a_widget():
    from io import StringIO

    call_command("seed_demo", quiet=True, bare=True)
    out = StringIO()
    call_command("seed_demo_widget", stdout=out)
    call_command("seed_demo_widget", stdout=out)  # again: nothing twice
    w = WidgetSite.objects.get(cabinet__code="adm")
    assert "http://127.0.0.1:8000" in w.origins
    assert WidgetSite.objects.count() == 1
    assert "embed.js" in out.getvalue()
