"""A crawl of the demo town in every language, as every kind of visitor (issue 16).

From the home page every link of the portal is followed (the Django admin aside), as an
anonymous visitor, a citizen, a registrar and a head of a cabinet, with the portal in Russian,
Ukrainian and English. Every page must answer without a 4xx or 5xx, and everything on it
but what people wrote must be in the page's language, the interface and the reference and
official data alike (categories, territories, cabinets, news, consultations' titles, questions
and options):

- on a Russian or Ukrainian page no English word,
- on a Ukrainian page no Russian word: one with a letter Ukrainian does not have (ы, э, ъ, ё),
  or one that is neither in the Ukrainian catalogues (the portal's and its libraries') nor in
  a Ukrainian column of the reference data,
- on an English page no Cyrillic word.

Only user-written content is left out of the check (``USER_WRITTEN``: appeals' subjects and
texts, comments, citizens' petitions, proposals and initiatives, answers and notes written
for one case, people's names, addresses and organisations' names, and the draft act under
discussion, which is a document in the language it was written in), and so is anything
marked with another ``lang`` (the language switch names each language in itself). A handful
of names that are the same in every language (the portal's own name, file formats) are
allowed by name below.

Only the words are compared, not where they stand: a word of the reference data that also
occurs in user-written content goes unnoticed. The crawl keeps one page of each URL shape
(``/appeals/N/``), so a large town does not make it slow.
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
from django.db.models import Q
from django.test import Client
from django.utils.translation import trans_real

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
    "core",  # axe-core
    "markdown",  # the format of texts, named beside their fields
}
ROMAN_NUMERAL = re.compile(r"^[IVXLCDM]+$")
SKIPPED_PATHS = re.compile(r"^/(admin|static)/|/logout/")
PER_SHAPE = 1
MAX_PAGES = 250
LATIN = re.compile(r"[A-Za-z]{2,}")
CYRILLIC = re.compile(r"[\u0400-\u04ff]{2,}")
# Letters of Russian that Ukrainian does not have: a word with one is Russian on a Ukrainian page.
RUSSIAN_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
LETTERS = re.compile(r"[^\W\d_]+")  # words split as the checks split them (at ' and -)
# E-mail addresses, URLs, domains; codes with digits (appeal numbers: ADM-2026-00012); "e-mail",
# written so in the Russian and Ukrainian catalogues.
NOT_WORDS = re.compile(
    r"\S+@\S+|\w+://\S+|\b[\w-]+(\.[\w-]+)+\b|\b[A-Z]{2,}[\w/-]*\d[\w/-]*|\b[eE]-mail\b"
)
PLACEHOLDERS = re.compile(r"%\(\w+\)[sdir]|%[sd]|\{[^{}]*\}")  # of the catalogues' strings
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


# What people wrote, by model: (fields, which rows; None: all). Everything else stored in the
# database is reference or official data and must be in the page's language.
RESIDENTS_PROPOSAL = Q(proposed_by_resident=True)
USER_WRITTEN = {
    # People's names, addresses, organisations' names.
    "accounts.User": (("first_name", "last_name", "patronymic", "postal_address"), None),
    "cabinets.StaffInvitation": (("first_name", "last_name", "patronymic"), None),
    "cabinets.ExternalBody": (("name", "postal_address"), None),
    # Appeals and what is written for one case: the answer, notes, ratings, requests.
    "appeals.Appeal": (
        ("first_name", "last_name", "patronymic", "postal_address", "organisation_name",
         "signer_position", "subject", "text", "place"),
        None,
    ),
    "appeals.Answer": (("text", "signer_name", "signer_position"), None),
    "appeals.InternalNote": (("text",), None),
    "appeals.Rating": (("comment",), None),
    "appeals.ExternalRequest": (("addressee", "subject"), None),
    "appeals.Attachment": (("original_name",), None),
    "appeals.AppealEvent": (("note",), None),
    "problems.PublicProblem": (
        ("place", "subject", "text", "author_name", "answer_text", "answer_signer_name",
         "answer_signer_position"),
        None,
    ),
    "problems.Moderation": (("note",), None),
    "community.Comment": (("text",), None),
    "community.CommentReport": (("reason",), None),
    "community.StillNotFixed": (("text", "reply"), None),
    "reception.ReceptionCard": (
        ("first_name", "last_name", "patronymic", "postal_address", "privilege_basis",
         "question", "oral_answer", "explanation", "refusal_reason"),
        None,
    ),
    "reception.Booking": (("topic",), None),
    "initiatives.Initiative": (("title", "summary", "moderation_reason"), None),
    "initiatives.Update": (("text",), None),
    "integrations.InboundMessage": (("sender", "subject"), None),
    # Petitions are citizens' texts; the answer and the refusal are written for one petition.
    "petitions.Petition": (
        ("author_name", "title", "text", "proposed_solution", "refusal_note", "answer_text"),
        None,
    ),
    "petitions.Signature": (("public_name", "invalidation_reason"), None),
    "petitions.PetitionEvent": (("note",), None),
    # Budget proposals are citizens'; the review and the implementation news are about one.
    "budgets.Project": (
        ("title", "problem", "description", "beneficiaries", "address", "review_reason",
         "appeal_text"),
        None,
    ),
    "budgets.CostLine": (("description",), None),
    "budgets.ImplementationUpdate": (("text",), None),
    "budgets.Photo": (("original_name",), None),
    "budgets.BudgetEvent": (("note",), None),
    # Polls and discussions: a resident's proposal, the answers and comments, notes of a case.
    "polls.Poll": (("organisation_name", "refusal_reason", "termination_note"), None),
    "polls.Poll ": (("title", "description"), ~Q(initiator_kind="cabinet")),
    "polls.Question": (("text", "help_text"), ~Q(poll__initiator_kind="cabinet")),
    "polls.Option": (("text",), ~Q(question__poll__initiator_kind="cabinet")),
    "polls.Answer": (("text", "moderation_note"), None),
    "polls.PollEvent": (("note",), None),
    "discussions.Discussion": (("moderation_note", "termination_note", "final_text_name"), None),
    "discussions.Discussion ": (("title", "summary"), RESIDENTS_PROPOSAL),
    "discussions.DraftVersion": (("source_name",), None),
    "discussions.DraftVersion ": (("note",), Q(discussion__proposed_by_resident=True)),
    "discussions.Section": (("title",), None),  # the draft act: one document, one language
    "discussions.Paragraph": (("text",), None),
    "discussions.Comment": (("text", "hidden_note"), None),
    "discussions.Decision": (("reason",), None),
    "discussions.DiscussionEvent": (("note",), None),
    "cabinets.StaffEvent": (("note",), None),
}  # fmt: skip


def _words(text):
    return {w.lower() for w in LETTERS.findall(text)}


def _columns(model, field):
    """The field's columns: each language's when it is translated (modeltranslation)."""
    names = {f.attname for f in model._meta.concrete_fields}
    localized = [f"{field}_{code}" for code, _name in settings.LANGUAGES]
    return [c for c in localized if c in names] or [field]


def user_written_words():
    """Every word of what people wrote (``USER_WRITTEN``), lower-cased."""
    words = set()
    for label, (fields, rows) in USER_WRITTEN.items():
        try:
            model = apps.get_model(label.strip())
        except LookupError:  # an app this build does not have
            continue
        queryset = model._base_manager.all() if rows is None else model._base_manager.filter(rows)
        columns = [c for field in fields for c in _columns(model, field)]
        for row in queryset.values_list(*columns):
            for value in row:
                if value not in (None, ""):
                    words |= _words(value)
    return words


def ukrainian_words():
    """The words a Ukrainian page may use: the Ukrainian catalogues (the portal's and its
    libraries', dates included) and the Ukrainian columns of the reference data."""
    words = set()
    for _key, value in trans_real.translation("uk")._catalog.items():
        if isinstance(value, str):
            words |= _words(PLACEHOLDERS.sub(" ", value))
    for model in apps.get_models():
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname.endswith("_uk")
            and isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        for row in model._base_manager.values_list(*columns) if columns else ():
            for value in row:
                if value not in (None, ""):
                    text = (
                        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    )
                    words |= _words(text)
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


def foreign_words(text, lang, known, ukrainian=frozenset()):
    """The words of ``text`` not in the page's language ``lang``, except ``known`` (what people
    wrote): English on a Russian or Ukrainian page, Cyrillic on an English one, and on a
    Ukrainian page also Russian: a word with a letter Ukrainian lacks, or a word that is not in
    ``ukrainian`` (the Ukrainian vocabulary of the portal)."""
    text = NOT_WORDS.sub(" ", text)
    pattern = CYRILLIC if lang == "en" else LATIN
    found = {
        word
        for word in pattern.findall(text)
        if word.lower() not in known
        and word.lower() not in SAME_IN_EVERY_LANGUAGE
        and not ROMAN_NUMERAL.match(word)
    }
    if lang == "uk":
        found |= {
            word
            for word in CYRILLIC.findall(text)
            if word.lower() not in known
            and (RUSSIAN_ONLY.search(word) or word.lower() not in ukrainian)
        }
    return found


def crawl(client, lang, known, ukrainian=frozenset()):
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
        words = foreign_words(" ".join(parser.chunks), lang, known, ukrainian)
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
    known, ukrainian = user_written_words(), ukrainian_words()
    report, words = [], {}
    for lang in ("ru", "uk", "en"):
        for role, email in ROLES.items():
            failures, foreign, count = crawl(signed_in_client(email, lang), lang, known, ukrainian)
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
    assert not report, f"{len(report)} problems:\n" + "\n".join(report[:300])


def test_the_checks_catch_what_they_are_for():
    """The word check itself: English found on a Russian page, Cyrillic on an English one,
    Russian on a Ukrainian one; what people wrote and what is marked with another language
    ignored."""
    parser = _Text()
    parser.feed(
        '<html lang="ru"><body><p>Обращения <b>Submit</b></p><select><option lang="en">English'
        '</option></select><p title="Map">Карта</p><script>var x = "hidden";</script>'
        "<p>mayor@demo.edem https://example.org/x demo.edem</p></body></html>"
    )
    assert foreign_words(" ".join(parser.chunks), "ru", known=set()) == {"Submit", "Map"}
    assert foreign_words(" ".join(parser.chunks), "ru", known={"submit"}) == {"Map"}
    assert foreign_words("Appeals Обращения № 5", "en", known=set()) == {"Обращения"}
    # A Ukrainian page: Russian reference data is caught, by its letters or by a word the
    # Ukrainian vocabulary lacks; Ukrainian words and what people wrote are not.
    ukrainian = {"категорія", "вуличне", "освітлення", "звернення"}
    page = "Звернення · Категорія: Уличное освещение · Категорія: Ремонт дорог · Иванова"
    assert foreign_words(page, "uk", known={"иванова"}, ukrainian=ukrainian) == {
        "Уличное",
        "освещение",
        "Ремонт",
        "дорог",
    }
    assert foreign_words("Категорія: Вуличне освітлення", "uk", set(), ukrainian) == set()
    assert foreign_words("Ёлка", "uk", set(), {"ёлка"}) == {"Ёлка"}  # a letter Ukrainian lacks
    assert foreign_words("Жалоба на свет", "uk", known={"жалоба", "на", "свет"}) == set()
    assert shape("/appeals/12/?page=3&status=x") == "/appeals/N/?page&status"
