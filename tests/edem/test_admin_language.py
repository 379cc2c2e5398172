"""The admin speaks Russian and Ukrainian (issue 19, point 7): every page a superuser reaches
from the index (the app sections, every list, every add form) has no English left, no letters
of the other language, and none of the phrases Django builds from a model's name in the wrong
case or number ("Добавить территория", "3 служебные кабинеты", "… был успешно добавлен").

These tests read the compiled catalogues: new strings pass once the lead has folded
``locale/pending`` into them."""

import re
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.sites.models import Site
from django.utils import translation

from appeals.models import ClassifierCode
from edem.core.admin_site import accusative
from tests.factories import CabinetFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

# Latin that is right on a Russian or Ukrainian page: names of formats, standards and
# products, units, and the environment variables the settings page refers to.
ALLOWED = {
    "edem", "id", "url", "json", "geojson", "totp", "pdf", "jpeg", "png", "webp", "sha",
    "openstreetmap", "osm", "https", "http", "www", "ip", "utc", "gps", "rss", "atom", "html",
    "sms", "api", "oidc", "esia", "crontab", "cron", "iso", "utf", "csv", "xml", "ok",
    "mfa", "smtp", "uuid", "uri", "webauthn", "amqp", "rabbitmq", "redis", "markdown",
    "polygon", "multipolygon", "wgs", "oauth", "openid", "connect", "adm", "control", "command",
    "mac", "ii", "uid", "e-mail", "celery", "open311", "imap", "imaps", "ru", "uk", "en", "cidr",
}  # fmt: skip
# "ru", "uk", "en": the language of a translated field ("Название [uk]", modeltranslation).
# Each language's own name is written in that language (the language pickers).
LANGUAGE_NAMES = {"English", "Українська", "Русский"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
# Not words: e-mail addresses, web addresses, placeholders, identifiers in code style, JSON
# examples, time zones, a password hash's masked summary and its algorithm.
NOT_WORDS = re.compile(
    r"\S+@\S+|https?://\S+|\{[a-z_]+\}|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b[a-z]+_[a-z_]+\b|"
    r"\b[\w.-]+\.(?:org|com|example|ru|ua|localhost|png|jpg)\b|\b[a-z_]+(?:\.[a-z_]+)+\b|"
    r"\blocalhost:\d+|\b[A-Z][a-z]+/[A-Za-z_/]+|\{\"[^{}]*\}|\[\"[^\[\]]*\]|"
    r"\bOpen311\b|\S*\*{4,}\S*|\b(?:md5|pbkdf2_sha256|pbkdf2_sha1|argon2|bcrypt_sha256|bcrypt|scrypt)\b"
)
OTHER_LANGUAGE_LETTERS = {"ru": re.compile(r"[іїєґІЇЄҐ]"), "uk": re.compile(r"[ыэъёЫЭЪЁ]")}
TEXT_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
ZONES = zoneinfo.available_timezones()


class VisibleText(HTMLParser):
    """The text a reader meets: text nodes outside scripts, styles and form values, and the
    attributes read aloud or shown on hover; button captions too."""

    SKIPPED = {"script", "style", "textarea", "template", "noscript"}

    def __init__(self):
        super().__init__()
        self.parts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.SKIPPED:
            self.skipping += 1
        for name in TEXT_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data.strip())


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return parser.parts


def english_in(parts):
    found = set()
    for part in parts:
        if part in LANGUAGE_NAMES or zone(part):
            continue
        for word in LATIN_WORD.findall(NOT_WORDS.sub(" ", part)):
            if word.lower() not in ALLOWED:
                found.add(part if len(part) < 120 else part[:120] + "…")
    return found


def zone(text):
    """A time zone's name as the schedules' picker shows it ("America/New York")."""
    return text.replace(" ", "_") in ZONES


def admin_pages(client):
    """The index, every section, every list (a single record's opens it), every add form and
    the change form of the first record of each model."""
    yield "/admin/"
    labels = {model._meta.app_label for model in admin.site._registry}
    for label in sorted(labels):
        yield f"/admin/{label}/"
    for model in admin.site._registry:
        meta = model._meta
        yield f"/admin/{meta.app_label}/{meta.model_name}/"
        if admin.site._registry[model].has_add_permission(_request(client)):
            yield f"/admin/{meta.app_label}/{meta.model_name}/add/"
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            yield f"/admin/{meta.app_label}/{meta.model_name}/{first.pk}/change/"


def _request(client):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = client._superuser
    return request


@pytest.fixture
def superuser_client(admin_client, admin_user):
    admin_client._superuser = admin_user
    # Names that read the same in both languages: the pages show them as data.
    TerritoryFactory(name="Центр"), CabinetFactory(), CabinetFactory()
    # The topic classifier (R16) loaded by migrate is data in its profile's language.
    ClassifierCode.objects.update(parent=None)
    ClassifierCode.objects.all().delete()
    Site.objects.filter(pk=settings.SITE_ID).update(name="Демоград")
    return admin_client


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_admin_pages_have_no_english_and_no_letters_of_the_other_language(superuser_client, lang):
    superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    problems = {}
    for url in admin_pages(superuser_client):
        response = superuser_client.get(url, follow=True)
        assert response.status_code == 200, url
        parts = visible_text(response.content.decode())
        english = english_in(parts)
        other = {
            p for p in parts if OTHER_LANGUAGE_LETTERS[lang].search(p) and p not in LANGUAGE_NAMES
        }
        for text in english | other:
            problems.setdefault(text, url)  # each string once, with the first page showing it
    assert problems == {}


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_phrases_built_from_a_models_name_agree_with_it(superuser_client, lang):
    superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    territory_opts = TerritoryFactory._meta.model._meta
    with translation.override(lang):
        territory = accusative(territory_opts)  # территорию, територію
        assert territory != str(territory_opts.verbose_name)
        cabinets = str(CabinetFactory._meta.model._meta.verbose_name_plural)
    listing = superuser_client.get("/admin/geo/territory/").content.decode()
    assert translation_of("Add %s", lang) % territory in listing  # the button
    assert translation_of("Select %s to change", lang) % territory in listing  # the title
    add = superuser_client.get("/admin/geo/territory/add/").content.decode()
    assert f"<title>{translation_of('Add %s', lang) % territory}" in add
    cabinet_list = superuser_client.get("/admin/cabinets/cabinet/").content.decode()
    assert not re.search(rf"\b\d+\s+{re.escape(cabinets)}", cabinet_list)  # "3 служебные кабинеты"
    assert f"{cabinets[0].upper()}{cabinets[1:]}: 2" in cabinet_list  # "Служебные кабинеты: 2"
    response = superuser_client.post(
        "/admin/geo/territory/add/",
        {"name_ru": "Заречный", "kind": "district", "boundary": "", "parent": ""},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert texts and not any("был успешно" in t or "було успішно" in t for t in texts), texts


def translation_of(msgid, lang):
    with translation.override(lang):
        return translation.gettext(msgid)


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_the_map_editors_drawing_tools_speak_the_language(superuser_client, lang):
    """Leaflet.draw's own texts ("Draw a polygon") come translated with the page."""
    import json

    superuser_client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    html = superuser_client.get("/admin/geo/territory/add/").content.decode()
    found = re.search(
        r'<script id="id_boundary-draw-texts" type="application/json">(.*?)</script>', html
    )
    assert found and 'data-texts="id_boundary-draw-texts"' in html
    texts = json.loads(found.group(1))
    polygon = texts["draw"]["toolbar"]["buttons"]["polygon"]
    assert polygon == translation_of("Draw a polygon", lang) != "Draw a polygon"


# A model whose name starts with a feminine noun or adjective (-а, -я: "территория",
# "публичная проблема") changes in the accusative; Ukrainian neuter nouns in -ння, -ття, -сся
# ("налаштування", "звернення") do not.
FEMININE_START = re.compile(r"^[а-яіїєґ']+[ая]$")
NEUTER_UK = re.compile(r"(?:нн|тт|сс|лл)я$")


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_every_feminine_model_name_has_its_accusative(lang):
    missing = []
    with translation.override(lang):
        for model in admin.site._registry:
            opts = model._meta
            first_word = str(opts.verbose_name).split()[0].lower()
            if not FEMININE_START.match(first_word) or NEUTER_UK.search(first_word):
                continue
            if accusative(opts) == str(opts.verbose_name):
                missing.append(opts.label)
    assert missing == []
