"""A crawl of the demo town in every language, as every kind of visitor (issue 16).

From the home page every link of the portal is followed (the Django admin aside), as an
anonymous visitor, a citizen, a registrar and a head of a cabinet, with the portal in Russian,
Ukrainian and English. Every page must answer without a 4xx or 5xx, and its interface must be
in the page's language:

- on a Russian or Ukrainian page no English word,
- on an English page no Cyrillic word,

outside what the people and the administration wrote: every word stored in the database
(reference data such as categories and territories, appeals, news, names) is left out of the
check, and so is anything marked with another ``lang`` (the language switch names each
language in itself). A handful of names that are the same in every language (the portal's
own name, file formats) are allowed by name below.

Only the words are compared, not where they stand: an interface word that also happens to
occur in the database's texts goes unnoticed. The crawl keeps one page of each URL
shape (``/appeals/N/``), so a large town does not make it slow.
"""

import json
import re
from collections import Counter
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client

from edem.accounts.models import User
from tests.helpers import record_second_factor

pytestmark = pytest.mark.django_db

ROLES = {
    "anonymous": None,
    "citizen": "ivanova@demo.edem",
    "registrar": "registrar@demo.edem",
    "head": "mayor@demo.edem",
}
# Written the same in every language: the portal's name, formats and standards it names.
SAME_IN_EVERY_LANGUAGE = {
    "edem",
    "e",
    "pdf",
    "csv",
    "rss",
    "atom",
    "json",
    "geojson",
    "totp",
    "xlsx",
    "ods",
    "wgs",
    "openstreetmap",
    "leaflet",
    "qr",
    "id",
    "javascript",
    "html",
    "jpeg",
    "png",
    "webp",
    "word",  # Microsoft Word, beside .docx
    "docx",
    # Names of standards and products (the accessibility statement, the authenticator apps).
    "wcag",
    "aa",
    "axe",
    "chromium",
    "tab",
    "freeotp",
    "aegis",
    "google",
    "authenticator",
    "yandex",
    "key",
}
ROMAN_NUMERAL = re.compile(r"^[IVXLCDM]+$")
SKIPPED_PATHS = re.compile(r"^/(admin|static)/|/logout/")
PER_SHAPE = 1
MAX_PAGES = 250
LATIN = re.compile(r"[A-Za-z]{2,}")
CYRILLIC = re.compile(r"[\u0400-\u04ff]{2,}")
NOT_WORDS = re.compile(r"\S+@\S+|\w+://\S+|\b[\w-]+(\.[\w-]+)+\b")  # e-mails, URLs, domains
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class _Text(HTMLParser):
    """The text a reader sees (and hears: labels and titles), and the page's links; the
    content of elements in another language than the page's is left out."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page_lang = None
        self.stack = []  # (tag, hidden-from-the-check)
        self.chunks, self.links = [], []

    def _skipped(self):
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.page_lang = attrs.get("lang")
            return
        lang = attrs.get("lang")
        skip = (
            tag in ("script", "style", "template")
            or attrs.get("translate") == "no"  # a key, a code: not words of any language
            or (lang is not None and self.page_lang and lang.split("-")[0] != self.page_lang)
        )
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if not skip and not self._skipped():
            self.chunks.extend(attrs[name] for name in SHOWN_ATTRIBUTES if attrs.get(name))
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self._skipped():
            self.chunks.append(data)


def database_words():
    """Every word stored in the database's text columns, lower-cased."""
    words = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for value in row:
                if value in (None, ""):
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                words.update(w.lower() for w in re.findall(r"\w+", text))
    return words


def signed_in_client(email, lang):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    if email:
        user = User.objects.get(email=email)
        user.language = lang
        user.save(update_fields=["language"])
        client.force_login(user)
        record_second_factor(client, user)
    return client


def shape(url):
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query)})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def foreign_words(text, lang, known):
    text = NOT_WORDS.sub(" ", text)
    pattern = CYRILLIC if lang == "en" else LATIN
    return {
        word
        for word in pattern.findall(text)
        if word.lower() not in known
        and word.lower() not in SAME_IN_EVERY_LANGUAGE
        and not ROMAN_NUMERAL.match(word)
    }


def crawl(client, lang, known):
    """Visit the portal from "/"; returns (failed requests, pages with foreign words, count)."""
    queue, seen, shapes = ["/"], set(), Counter()
    failures, foreign = [], {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or shapes[shape(url)] >= PER_SHAPE:
            continue
        seen.add(url)
        shapes[shape(url)] += 1
        response = client.get(url)
        if response.status_code >= 400:
            failures.append(f"{response.status_code} {url}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            target = urljoin(url, response["Location"])
            if urlsplit(target).netloc in ("", "testserver"):
                queue.append(urlsplit(target)._replace(scheme="", netloc="").geturl())
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        if parser.page_lang != lang:
            failures.append(f"{url}: <html lang={parser.page_lang!r}>, not {lang!r}")
        words = foreign_words(" ".join(parser.chunks), lang, known)
        if words:
            foreign[url] = sorted(words)
        for href in parser.links:
            target = urlsplit(urljoin(url, href))
            if target.scheme not in ("", "http") or target.netloc not in ("", "testserver"):
                continue
            link = target._replace(scheme="", netloc="", fragment="").geturl()
            if link and not SKIPPED_PATHS.search(target.path) and link not in seen:
                queue.append(link)
    return failures, foreign, len(seen)


# Links that answer 403 on purpose for these visitors: the demo's officials are not verified
# residents, and these pages tell them how to become one (R2: only a verified resident files
# an appeal or proposes a discussion or a poll).
VERIFY_FIRST = {"/appeals/new/", "/discussions/propose/", "/polls/propose/"}


def test_every_page_answers_and_speaks_the_page_language_for_every_visitor():
    call_command("seed_demo", quiet=True, stdout=StringIO())
    known = database_words()
    report, words = [], {}
    for lang in ("ru", "uk", "en"):
        for role, email in ROLES.items():
            failures, foreign, count = crawl(signed_in_client(email, lang), lang, known)
            assert count > 10, f"{lang}, {role}: the crawl found only {count} pages"
            report += [
                f"{lang}, {role}: {failure}"
                for failure in failures
                if not (
                    role in ("registrar", "head") and failure in {f"403 {p}" for p in VERIFY_FIRST}
                )
            ]
            for url, found in foreign.items():
                for word in found:
                    words.setdefault((lang, word), f"{role}: {url}")
    report += [
        f"{lang}: “{word}” ({where} and maybe more)" for (lang, word), where in words.items()
    ]
    assert not report, f"{len(report)} problems:\n" + "\n".join(report[:80])


def test_the_checks_catch_what_they_are_for():
    """The word check itself: English found on a Russian page, Cyrillic on an English one,
    what is stored in the database and what is marked with another language ignored."""
    parser = _Text()
    parser.feed(
        '<html lang="ru"><body><p>Обращения <b>Submit</b></p><select><option lang="en">English'
        '</option></select><p title="Map">Карта</p><script>var x = "hidden";</script>'
        "<p>mayor@demo.edem https://example.org/x demo.edem</p></body></html>"
    )
    assert foreign_words(" ".join(parser.chunks), "ru", known=set()) == {"Submit", "Map"}
    assert foreign_words(" ".join(parser.chunks), "ru", known={"submit"}) == {"Map"}
    assert foreign_words("Appeals Обращения № 5", "en", known=set()) == {"Обращения"}
    assert shape("/appeals/12/?page=3&status=x") == "/appeals/N/?page&status"
