"""Bad inputs over every public form and endpoint, as one table (issue 11, point 9).

Each case sends one bad value (NUL bytes, oversize text, non-finite and out-of-range numbers,
odd filenames, hostile images, XSS and ``javascript:`` URLs, spreadsheet formulas, HTML that
would make the PDF renderer fetch a URL) and asserts what a citizen must get: a clear error
(a 4xx with a message, or a form error) or the value stored safely and shown escaped; never a
5xx. Views run through Django's test client on the real database.
"""

import csv
import io
import re
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse
from django.utils import translation
from PIL import Image

from appeals.letters import answer_letter_pdf, registration_card_pdf
from appeals.models import Answer, Appeal, Attachment
from cabinets.roles import Role
from consultations.discussions.models import Comment as DiscussionComment
from consultations.petitions.models import Petition
from edem.documents.pdf import html_to_pdf
from tests.appeals.community.factories import CategoryFactory, PublicAppealFactory
from tests.consultations.discussions.factories import DiscussionFactory
from tests.factories import (
    AppealFactory,
    CabinetFactory,
    CitizenFactory,
    PublicationFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def assert_no_5xx(response, case):
    assert response.status_code < 500, f"{case}: answered {response.status_code}"


JAVASCRIPT_HREF = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def assert_shown_safely(html, payload, case):
    """The payload, where it appears again, is escaped: no live tag, no ``javascript:`` link."""
    for live in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload"):
        if live in payload:
            assert live not in html, f"{case}: {live!r} is live in the page"
    assert not JAVASCRIPT_HREF.search(html), f"{case}: a javascript: URL is live in the page"


def has_message(response):
    """The page says what is wrong: a form error list, an alert, or a field's error."""
    html = response.content.decode(errors="replace")
    return "errorlist" in html or 'role="alert"' in html or '-error"' in html


# --- Text typed by a citizen and shown again -------------------------------------------------

TEXTS = {
    "nul byte": "Яма\x00 на дороге",
    "oversize": "ы" * 120_000,
    "script tag": "<script>alert(1)</script> яма",
    "img onerror": "<img src=x onerror=alert(1)> яма",
    "svg onload": '"><svg onload=alert(1)> яма',
    "javascript link (markdown)": "[нажмите](javascript:alert(1)) яма",
    "javascript url": "javascript:alert(document.cookie)",
    "rtl override": "\u202eгпж.exe яма",
    "formula": '=HYPERLINK("http://evil.example/","x")',
    "crlf": "яма\r\nSet-Cookie: x=1",
    "astral": "𝕐𝕒𝕞𝕒 🕳️" * 20,
    "control characters": "Яма\x0b на\x1b дороге\x08",
}
FEEDS = ("problems:feed_rss", "problems:feed_atom")


@pytest.fixture
def citizen_client(client):
    citizen = CitizenFactory()
    client.force_login(citizen)
    client.user = citizen
    return client


def _filing_data(topic, **overrides):
    data = {
        "kind": "statement",
        "category": topic.pk,
        "subject": "Яма на дороге",
        "text": "Во дворе глубокая яма.",
        "place": "ул. Садовая, 1",
        "latitude": "56.000000",
        "longitude": "38.000000",
        "last_name": "Иванова",
        "first_name": "Мария",
        "patronymic": "",
        "answer_channel": "email",
        "email": "maria@example.org",
        "postal_address": "Демоград, ул. Садовая, 1",
        "phone": "",
        "is_public": "on",
        "personal_data_consent": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def filing(citizen_client):
    CabinetFactory(code="adm")
    category = CategoryFactory()
    return citizen_client, category


def post_appeal(filing, **overrides):
    client, category = filing
    return client.post(reverse("appeals:file"), _filing_data(category, **overrides))


def check_stored_or_refused(response, case, stored, payload):
    assert_no_5xx(response, case)
    if response.status_code in (301, 302, 303):
        for value in stored():
            assert "\x00" not in value, f"{case}: a NUL byte was stored"
    else:
        assert has_message(response), (
            f"{case}: neither stored nor refused with a message ({response.status_code})"
        )
        assert_shown_safely(response.content.decode(), payload, case)


@pytest.mark.parametrize("field", ["subject", "text", "place"])
@pytest.mark.parametrize("case", list(TEXTS))
def test_appeal_filing_text(filing, field, case, django_capture_on_commit_callbacks):
    payload = TEXTS[case]
    with django_capture_on_commit_callbacks(execute=True):  # the public projection too
        response = post_appeal(filing, **{field: payload})
    client, _ = filing

    def stored():
        return [getattr(a, field) for a in Appeal.objects.all()]

    check_stored_or_refused(response, case, stored, payload)
    if response.status_code == 302:
        appeal = Appeal.objects.get()
        page = client.get(reverse("appeals:my_detail", args=[appeal.pk]))
        assert page.status_code == 200
        assert_shown_safely(page.content.decode(), payload, case)
        problems = client.get(reverse("problems:list"))
        assert_no_5xx(problems, case)
        assert_shown_safely(problems.content.decode(), payload, case)
        assert appeal.public_problem, "the public problem was not made: the feeds test nothing"
        for feed in FEEDS:
            response = client.get(reverse(feed))
            assert_no_5xx(response, f"{case} in {feed}")
            assert_shown_safely(response.content.decode(), payload, case)


@pytest.mark.parametrize("case", list(TEXTS))
def test_problem_comment_text(citizen_client, case):
    payload = TEXTS[case]
    problem = PublicAppealFactory().public_problem
    url = reverse("community:comments", args=[problem.pk])
    response = citizen_client.post(url, {"text": payload})
    check_stored_or_refused(
        response,
        case,
        lambda: list(problem.appeal.public_comments.values_list("text", flat=True)),
        payload,
    )
    page = citizen_client.get(reverse("problems:detail", args=[problem.pk]))
    assert_no_5xx(page, case)
    assert_shown_safely(page.content.decode(), payload, case)


@pytest.mark.parametrize("field", ["title", "text"])
@pytest.mark.parametrize("case", list(TEXTS))
def test_petition_text(citizen_client, field, case):
    payload = TEXTS[case]
    cabinet = CabinetFactory()
    data = {
        "cabinet": cabinet.pk,
        "title": "Переход у школы",
        "text": "У школы нет перехода, дети перебегают дорогу. " * 3,
        "proposed_solution": "Обустроить переход.",
        "territory": "",
        field: payload,
    }
    response = citizen_client.post(reverse("petitions:create"), data)
    check_stored_or_refused(
        response, case, lambda: list(Petition.objects.values_list(field, flat=True)), payload
    )
    for petition in Petition.objects.all():
        page = citizen_client.get(reverse("petitions:detail", args=[petition.pk]))
        assert_no_5xx(page, case)
        assert_shown_safely(page.content.decode(), payload, case)


@pytest.mark.parametrize("case", list(TEXTS))
def test_discussion_comment_text(citizen_client, case):
    payload = TEXTS[case]
    discussion = DiscussionFactory()
    paragraph = discussion.current_version().paragraphs.order_by("order").first()
    url = reverse("discussions:comment", args=[discussion.pk, paragraph.pk])
    prefix = f"p{paragraph.pk}"
    response = citizen_client.post(
        url, {f"{prefix}-kind": "comment", f"{prefix}-text": payload, f"{prefix}-show_name": "on"}
    )
    check_stored_or_refused(
        response,
        case,
        lambda: list(DiscussionComment.objects.values_list("text", flat=True)),
        payload,
    )
    page = citizen_client.get(discussion.get_absolute_url())
    assert_no_5xx(page, case)
    assert_shown_safely(page.content.decode(), payload, case)


@pytest.mark.parametrize("case", list(TEXTS))
def test_poll_free_text_answer(citizen_client, case):
    from consultations.polls.models import Answer as PollAnswer
    from consultations.polls.models import Question
    from tests.consultations.polls.factories import PollFactory, question

    payload = TEXTS[case]
    poll = PollFactory()
    text = question(poll, Question.Kind.TEXT, options=(), required=False)
    url = reverse("polls:detail", args=[poll.pk])
    response = citizen_client.post(url, {f"q{text.pk}": payload})
    check_stored_or_refused(
        response, case, lambda: list(PollAnswer.objects.values_list("text", flat=True)), payload
    )
    page = citizen_client.get(url)
    assert_no_5xx(page, case)
    assert_shown_safely(page.content.decode(), payload, case)


BALLOT_NUMBERS = {
    "scale NaN": "NaN",
    "scale Infinity": "Infinity",
    "scale 1e400": "1e400",
    "scale negative": "-5",
    "scale huge": "9" * 40,
    "scale words": "ten",
    "scale NUL": "3\x00",
}


@pytest.mark.parametrize("case", list(BALLOT_NUMBERS))
def test_poll_ballot_numbers(citizen_client, case):
    from consultations.polls.models import Ballot, Question
    from tests.consultations.polls.factories import PollFactory, question

    poll = PollFactory()
    scale = question(poll, Question.Kind.SCALE, options=())
    single = question(poll, Question.Kind.SINGLE, ["Да", "Нет"], required=False)
    response = citizen_client.post(
        reverse("polls:detail", args=[poll.pk]),
        {f"q{scale.pk}": BALLOT_NUMBERS[case], f"q{single.pk}": "9" * 30},
    )
    assert_no_5xx(response, case)
    assert response.status_code == 400 and has_message(response)
    assert not Ballot.objects.exists()


BUDGET_VOTES = {
    "project id words": ["abc"],
    "project id huge": ["9" * 30],
    "project id NUL": ["1\x00"],
    "project id negative": ["-1"],
    "project id float": ["1.5"],
    "hundred ids": [str(n) for n in range(100)],
}


@pytest.mark.parametrize("case", list(BUDGET_VOTES))
def test_budget_vote_ids(client, case):
    from consultations.budgets.models import Vote
    from consultations.budgets.workflow import Phase
    from tests.consultations.budgets.factories import ProjectFactory, VoterFactory, cycle_in

    cycle = cycle_in(Phase.VOTING, votes_per_voter=2)
    ProjectFactory(cycle=cycle, status="accepted", number=1)
    client.force_login(VoterFactory())
    response = client.post(
        reverse("budgets:vote", args=[cycle.pk]), {"projects": BUDGET_VOTES[case]}
    )
    assert_no_5xx(response, case)
    assert response.status_code == 400 and has_message(response)
    assert not Vote.objects.exists()


SUBSCRIPTIONS = {
    "latitude NaN": {"latitude": "NaN"},
    "longitude Infinity": {"longitude": "Infinity"},
    "latitude past the pole": {"latitude": "91"},
    "radius huge": {"radius_m": "9" * 30},
    "radius negative": {"radius_m": "-1"},
    "category junk": {"categories": ["x", "9" * 30]},
}


@pytest.mark.parametrize("case", list(SUBSCRIPTIONS))
def test_area_subscription_numbers(citizen_client, case):
    from appeals.community.models import AreaSubscription

    data = {"area": "circle", "latitude": "56.0", "longitude": "38.0", "radius_m": "500"}
    data.update(SUBSCRIPTIONS[case])
    response = citizen_client.post(reverse("community:alerts"), data)
    assert_no_5xx(response, case)
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert not AreaSubscription.objects.exists()


@pytest.mark.parametrize("case", list(TEXTS))
def test_sign_up_names(client, case):
    payload = TEXTS[case]
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new.person@example.org",
            "password1": "a-long-enough-passphrase-42",
            "password2": "a-long-enough-passphrase-42",
            "last_name": payload,
            "first_name": "Мария",
            "patronymic": "",
        },
    )
    from edem.accounts.models import User

    check_stored_or_refused(
        response, case, lambda: list(User.objects.values_list("last_name", flat=True)), payload
    )


@pytest.mark.parametrize("case", list(TEXTS))
def test_profile_names(citizen_client, case):
    payload = TEXTS[case]
    response = citizen_client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    data = {
        "last_name": payload,
        "first_name": "Мария",
        "patronymic": "",
        "phone": "",
        "postal_address": "Демоград",
        "language": "ru",
    }
    response = citizen_client.post(reverse("accounts:profile"), data)
    user = citizen_client.user
    check_stored_or_refused(
        response, case, lambda: [type(user).objects.get(pk=user.pk).last_name], payload
    )
    page = citizen_client.get(reverse("accounts:cabinet"))
    assert_no_5xx(page, case)
    assert_shown_safely(page.content.decode(), payload, case)


def test_sign_in_with_a_nul_byte_and_an_oversize_password(client):
    for login, password in (("a\x00@example.org", "x"), ("a@example.org", "p" * 100_000)):
        response = client.post(reverse("account_login"), {"login": login, "password": password})
        assert_no_5xx(response, "sign-in")
        assert response.status_code in (200, 400, 429)


@pytest.mark.parametrize("feed", ["cabinets:feed_rss", "cabinets:feed_atom"])
def test_news_feed_with_control_characters_in_a_publication(client, feed):
    PublicationFactory(title="Новость\x0b дня\x1b", body_html="<p>Текст\x08</p>")
    response = client.get(reverse(feed))
    assert_no_5xx(response, feed)
    assert "Новость дня" in response.content.decode()


# --- Search boxes and list filters (GET) -----------------------------------------------------

LISTS = [
    "problems:list",
    "petitions:list",
    "polls:list",
    "polls:archive",
    "discussions:list",
    "budgets:list",
    "cabinets:publication_list",
    "cabinets:public_list",
    "map:index",
    "problems:feed_rss",
    "problems:feed_atom",
    "cabinets:feed_rss",
]
PARAMS = {
    "q with a NUL": {"q": "яма\x00"},
    "q oversize": {"q": "я" * 10_000},
    "page not a number": {"page": "abc"},
    "page huge": {"page": "9" * 40},
    "page negative": {"page": "-1"},
    "status unknown": {"status": "<script>alert(1)</script>"},
    "territory not a number": {"territory": "1 OR 1=1"},
    "territory NUL": {"territory": "\x00", "cabinet": "\x00", "category": "\x00"},
    "sort unknown": {"sort": "'; DROP TABLE x; --", "year": "NaN"},
    "every filter huge": {"territory": "9" * 30, "cabinet": "9" * 30, "category": "9" * 30},
}


@pytest.mark.parametrize("params", list(PARAMS))
@pytest.mark.parametrize("name", LISTS)
def test_list_filters(client, name, params):
    response = client.get(reverse(name), PARAMS[params])
    assert_no_5xx(response, f"{name} {params}")
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        assert_shown_safely(response.content.decode(), PARAMS[params].get("status", ""), params)


# --- The map's JSON ---------------------------------------------------------------------------

BBOXES = {
    "no bbox": {"zoom": "12"},
    "three numbers": {"bbox": "37,55,38", "zoom": "12"},
    "NaN": {"bbox": "NaN,55,38,56", "zoom": "12"},
    "infinity": {"bbox": "-inf,55,inf,56", "zoom": "12"},
    "1e309": {"bbox": "1e309,55,38,56", "zoom": "12"},
    "out of range": {"bbox": "-500,-100,500,100", "zoom": "12"},
    "swapped corners": {"bbox": "38,56,37,55", "zoom": "12"},
    "words": {"bbox": "a,b,c,d", "zoom": "12"},
    "NUL": {"bbox": "37,55,38,56\x00", "zoom": "12"},
    "zoom NaN": {"bbox": "37,55,38,56", "zoom": "NaN"},
    "zoom negative": {"bbox": "37,55,38,56", "zoom": "-1"},
    "zoom huge": {"bbox": "37,55,38,56", "zoom": "9" * 30},
    "zoom float": {"bbox": "37,55,38,56", "zoom": "12.5"},
    "whole world, street zoom": {"bbox": "-180,-90,180,90", "zoom": "18"},
    "filters junk": {"bbox": "37,55,38,56", "zoom": "12", "category": "x", "status": "\x00"},
}


@pytest.mark.parametrize("case", list(BBOXES))
def test_map_json(client, case):
    response = client.get(reverse("map:problems_json"), BBOXES[case])
    assert_no_5xx(response, case)
    if response.status_code >= 400:
        assert response.json(), f"{case}: a 4xx without a message"


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "NaN", "lon": "38", "category": "1"},
        {"lat": "56", "lon": "inf", "category": "1"},
        {"lat": "1e400", "lon": "38", "category": "1"},
        {"lat": "56", "lon": "38", "category": "0"},
        {"lat": "56\x00", "lon": "38", "category": "1", "subject": "\x00"},
    ],
    ids=["lat NaN", "lon inf", "lat 1e400", "category 0", "NUL"],
)
def test_duplicates_json(client, params):
    response = client.get(reverse("community:duplicates"), params)
    assert_no_5xx(response, str(params))


# --- Numbers in the filing form --------------------------------------------------------------

NUMBERS = {
    "latitude NaN": {"latitude": "NaN"},
    "latitude Infinity": {"latitude": "Infinity"},
    "longitude -Infinity": {"longitude": "-Infinity"},
    "latitude 1e400": {"latitude": "1e400"},
    "latitude past the pole": {"latitude": "91"},
    "longitude past the antimeridian": {"longitude": "181"},
    "latitude too precise": {"latitude": "56." + "1" * 40},
    "latitude words": {"latitude": "north"},
    "category not a number": {"category": "x"},
    "category huge": {"category": "9" * 30},
}


@pytest.mark.parametrize("case", list(NUMBERS))
def test_appeal_filing_numbers(filing, case):
    response = post_appeal(filing, **NUMBERS[case])
    assert_no_5xx(response, case)
    assert response.status_code == 400, f"{case}: accepted"
    assert "errorlist" in response.content.decode()
    assert not Appeal.objects.exists()


# --- Uploads: odd filenames and hostile images ----------------------------------------------


def _image(mode="RGB", size=(64, 48), fmt="JPEG", **save):
    buffer = io.BytesIO()
    color = {"RGB": (200, 30, 30), "CMYK": (0, 200, 200, 0), "I;16": 40000, "L": 128}.get(
        mode, (10, 20, 30)
    )
    Image.new(mode, size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def _animated(fmt):
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (32, 32), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def _exif_rotated():
    image = Image.new("RGB", (80, 40), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise
    exif[0x010F] = "Camera"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _pixel_flood():
    """A valid PNG header that claims 60000 x 60000 pixels (3.6 gigapixels) in a few bytes."""
    width = height = 60_000
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    row = b"\x00" + b"\x00" * width
    compressor = zlib.compressobj(9)
    data = compressor.compress(row * 16) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data)


def _gif_js_polyglot():
    # A GIF header whose bytes are also a JavaScript assignment.
    gif = _image("RGB", (8, 8), "GIF")
    return b"GIF89a/*" + gif[8:] + b"*/=1;alert(document.domain);"


def _jpeg_with_html():
    return _image() + b"<html><script>alert(document.domain)</script></html>"


IMAGES = {
    "CMYK JPEG": ("cmyk.jpg", lambda: _image("CMYK"), "image/jpeg"),
    "16-bit PNG": ("deep.png", lambda: _image("I;16", fmt="PNG"), "image/png"),
    "animated GIF": ("anim.gif", lambda: _animated("GIF"), "image/gif"),
    "animated PNG": ("anim.png", lambda: _animated("PNG"), "image/png"),
    "animated WebP": ("anim.webp", lambda: _animated("WEBP"), "image/webp"),
    "truncated JPEG": ("cut.jpg", lambda: _image(size=(400, 300))[:600], "image/jpeg"),
    "truncated PNG": ("cut.png", lambda: _image(size=(400, 300), fmt="PNG")[:200], "image/png"),
    "GIF+JS polyglot": ("poly.gif", _gif_js_polyglot, "image/gif"),
    "JPEG with HTML": ("poly.jpg", _jpeg_with_html, "image/jpeg"),
    "HTML named .jpg": ("page.jpg", lambda: b"<html><script>alert(1)</script>", "image/jpeg"),
    "pixel flood": ("flood.png", _pixel_flood, "image/png"),
    "EXIF rotated": ("rotated.jpg", _exif_rotated, "image/jpeg"),
    "empty file": ("empty.jpg", lambda: b"", "image/jpeg"),
    "SVG with script": (
        "x.svg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "image/svg+xml",
    ),
}
FILENAMES = {
    "path traversal": "../../../etc/passwd.jpg",
    "windows traversal": "..\\..\\boot.ini.jpg",
    "NUL in the name": "photo\x00.php.jpg",
    "very long name": "я" * 300 + ".jpg",
    "RTL override": "photo\u202egpj.php",
    "only dots": "...",
    "HTML in the name": "<img src=x onerror=alert(1)>.jpg",
}


def _upload(filing, name, content, content_type):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client, category = filing
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(reverse("appeals:file"), {**_filing_data(category), "attachments": upload})


def _attachment_pages(client):
    """Every stored attachment opens (file and thumbnail) without a 5xx; returns the pages."""
    appeal = Appeal.objects.order_by("-pk").first()
    pages = []
    for attachment in Attachment.objects.all():
        assert "\x00" not in attachment.file.name and ".." not in attachment.file.name
        if appeal is None or attachment.appeal_id != appeal.pk:
            continue
        for name in ("appeals:my_attachment", "appeals:my_attachment_thumb"):
            response = client.get(reverse(name, args=[appeal.pk, attachment.pk]))
            assert response.status_code < 500
            pages.append(response)
    if appeal is not None:
        detail = client.get(reverse("appeals:my_detail", args=[appeal.pk]))
        assert detail.status_code == 200
        pages.append(detail)
    return pages


@pytest.mark.parametrize("case", list(IMAGES))
def test_appeal_upload_images(filing, case):
    name, make, content_type = IMAGES[case]
    response = _upload(filing, name, make(), content_type)
    assert_no_5xx(response, case)
    if response.status_code != 302:
        assert response.status_code == 400 and "errorlist" in response.content.decode(), case
        assert not Appeal.objects.exists()
    for page in _attachment_pages(filing[0]):
        if page.get("Content-Type", "").startswith("image/"):
            body = b"".join(page.streaming_content) if page.streaming else page.content
            page.close()
            assert b"<script" not in body, f"{case}: a stored image carries a script"
            assert b"alert(" not in body, f"{case}: a stored image carries a script"
            assert page["X-Content-Type-Options"] == "nosniff"
            if case == "EXIF rotated":
                stored = Image.open(io.BytesIO(body))
                assert not stored.getexif().get(0x0112), "the orientation tag was kept"


@pytest.mark.parametrize("case", list(FILENAMES))
def test_appeal_upload_filenames(filing, case):
    response = _upload(filing, FILENAMES[case], _image(), "image/jpeg")
    assert_no_5xx(response, case)
    pages = _attachment_pages(filing[0])
    for page in pages:
        disposition = page.get("Content-Disposition", "")
        assert "\x00" not in disposition and "\n" not in disposition and "/" not in disposition
        if page.get("Content-Type", "").startswith("text/html"):
            assert_shown_safely(page.content.decode(), FILENAMES[case], case)
        else:
            page.close()


# --- Spreadsheet exports: formula prefixes --------------------------------------------------

FORMULAS = {
    "equals": "=1+2",
    "plus": "+1+2",
    "minus": "-1+2",
    "at": "@SUM(A1)",
    "tab": "\t=1+2",
    "carriage return": "\r=1+2",
    "DDE": "=cmd|' /C calc'!A0",
}


def _cells(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def _assert_neutralised(cells, payload, case):
    bare = [c for c in cells if c.lstrip("'") == payload or c.strip() == payload.strip()]
    assert bare, f"{case}: the value is not in the export"
    for cell in bare:
        assert cell.startswith("'"), f"{case}: {cell!r} would run as a formula"


@pytest.mark.parametrize("case", list(FORMULAS))
def test_work_queue_csv_neutralises_formulas(client, case):
    payload = FORMULAS[case]
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    AppealFactory(cabinet=cabinet, subject=payload, status="registered", number="A-1")
    client.force_login(head)
    response = client.get(reverse("appeals_service:queue"), {"format": "csv", "status": "all"})
    assert_no_5xx(response, case)
    assert response.status_code == 200
    _assert_neutralised(_cells(response), payload, case)


@pytest.mark.parametrize("case", list(FORMULAS))
def test_poll_results_csv_neutralises_formulas(client, case):
    from tests.consultations.polls.factories import PollFactory, question

    payload = FORMULAS[case]
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    poll = PollFactory(cabinet=cabinet, title=payload, status="completed")
    question(poll, options=(payload, "Нет"))
    client.force_login(head)
    response = client.get(reverse("polls_service:results_csv", args=[poll.pk]))
    assert_no_5xx(response, case)
    assert response.status_code == 200, response.status_code
    _assert_neutralised(_cells(response), payload, case)


# --- The PDF renderer must not fetch URLs -------------------------------------------------


class _Listener:
    """A tiny HTTP server on 127.0.0.1 that records every request it gets."""

    def __init__(self):
        requests = self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body { color: red }")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


FETCHING_HTML = {
    "img": '<img src="{url}/img.png">',
    "stylesheet link": '<link rel="stylesheet" href="{url}/a.css">',
    "css import": "<style>@import url('{url}/b.css');</style>",
    "css background": "<p style=\"background: url('{url}/c.png')\">x</p>",
    "font face": "<style>@font-face {{ font-family: x; src: url('{url}/f.woff'); }}</style>",
    "object": '<object data="{url}/o.svg"></object>',
    "iframe": '<iframe src="{url}/i.html"></iframe>',
    "svg image": '<svg><image href="{url}/s.png" width="10" height="10"/></svg>',
    "file url": '<img src="file:///etc/passwd"><link rel="stylesheet" href="file:///etc/hosts">',
}


@pytest.mark.parametrize("case", list(FETCHING_HTML))
def test_pdf_renderer_fetches_no_url(case):
    with _Listener() as listener:
        html = FETCHING_HTML[case].format(url=listener.url)
        pdf = html_to_pdf(f"<html><body><p>Текст</p>{html}</body></html>")
        assert pdf.startswith(b"%PDF")
    assert listener.requests == [], f"{case}: the renderer fetched {listener.requests}"


@pytest.mark.parametrize("document", ["registration card", "answer letter"])
@pytest.mark.parametrize("case", list(FETCHING_HTML))
def test_appeal_documents_with_hostile_text_fetch_no_url(case, document):
    with _Listener() as listener:
        html = FETCHING_HTML[case].format(url=listener.url)
        appeal = AppealFactory(subject=html[:255], text=html, number="A-1", place=html[:255])
        if document == "answer letter":
            answer = Answer(appeal=appeal, text=html, verification_code="AAAA-BBBB-CCCC")
            pdf = answer_letter_pdf(answer)
        else:
            pdf = registration_card_pdf(appeal)
        assert pdf.startswith(b"%PDF")
    assert listener.requests == [], f"{case}: the renderer fetched {listener.requests}"


def test_the_table_has_at_least_150_cases():
    """The point of this module: a wide table. Counted from the parameter lists above."""
    count = (
        len(TEXTS) * (3 + 1 + 2 + 1 + 1 + 1 + 1)
        + len(BALLOT_NUMBERS)
        + len(BUDGET_VOTES)
        + len(SUBSCRIPTIONS)
        + 2
        + len(LISTS) * len(PARAMS)
        + len(BBOXES)
        + 5
        + len(NUMBERS)
        + len(IMAGES)
        + len(FILENAMES)
        + 2 * len(FORMULAS)
        + 3 * len(FETCHING_HTML)
    )
    assert count >= 150
