"""The authorisation matrix over every appeals view (R14, R18; DESIGN §3 "Permissions").

One scenario (``matrix_fixtures``): cabinet A holds the appeals, B forwarded them to A, C is
unrelated. Twelve personas walk every view of ``appeals/urls.py``, ``appeals/urls_service.py``
and the appeals pages of the Django admin. The tables below say what each persona must get;
one parametrized test per kind of check reads them:

* GET: the status (200; a redirect to the sign-in page for the anonymous; 404 for outsiders,
  never 403, so that numbers do not leak) and that nothing in the database changed;
* whether a list shows the appeal; whether the access log got its row (R14/R18);
* which pages show the citizen's personal data, and that the public letter check does not;
* POST: the status and whether the state changed, for every citizen action and every staff
  action; outsiders change nothing and leave no trace in the access log.

A case where the portal leaks today is marked ``xfail(strict=True, reason="LEAK: ...")``: the
test states what must happen and fails on the leak; remove the mark with the fix.
"""

import copy
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from appeals.models import (
    AccessLog,
    Answer,
    Appeal,
    AppealEvent,
    Attachment,
    CoSigner,
    InternalNote,
    Rating,
)
from appeals.workflow import Status
from edem.notifications.models import Notification
from tests.factories import DEFAULT_PASSWORD, classifier_code
from tests.helpers import read_streaming

from .matrix_fixtures import (
    ANSWER_TEXT,
    APPEAL_TEXT,
    AUTHOR,
    COSIGNER_EMAIL,
    NOTE_TEXT,
    PERSONAL_DATA,
    PERSONAS,
    SUBJECTS,
    build_world,
    image_upload,
    otp_now,
)

pytestmark = pytest.mark.django_db

LOGIN = "login"  # 302 to the portal's sign-in page
ADMIN_LOGIN = "admin-login"  # 302 to the Django admin's sign-in page


# --- The scenario: built once for the module, every test runs in a savepoint over it ---------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    caches = copy.deepcopy(django_settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"edem-matrix-{uuid.uuid4().hex}"
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            CACHES=caches,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
            built.media_root = media
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _media_root(settings, world):
    """Overrides the conftest fixture: the letters and files of the scenario live here."""
    settings.MEDIA_ROOT = world.media_root


def login_as(client, world, persona):
    if persona != "anonymous":
        client.force_login(world.people[persona])


def db_state():
    """Everything a request could change, as comparable values (the access log, sessions and
    last-login times are left out: the first is checked on its own, the others are not the
    appeal's)."""
    return {
        "appeals": list(
            Appeal.objects.order_by("pk").values_list(
                "pk", "status", "cabinet_id", "executor_id", "number", "kind", "legal_due",
                "original_due", "closed_at", "is_collective", "no_merits_ground",
            )
        ),
        "events": AppealEvent.objects.count(),
        "notes": InternalNote.objects.count(),
        "answers": list(Answer.objects.order_by("pk").values_list("pk", "text", "signed_at")),
        "attachments": list(Attachment.objects.order_by("pk").values_list("pk", "appeal_id")),
        "ratings": list(Rating.objects.values_list("appeal_id", "stars")),
        "cosigners": list(
            CoSigner.objects.order_by("pk").values_list("pk", "email", "user_id", "confirmed_at")
        ),
        "notifications": Notification.objects.count(),
    }  # fmt: skip


def call(client, method, url, data=None):
    """The response, with its body read (a file response is read and closed at once, so that
    no file is left open whatever the assertions then say) as ``raw`` bytes and ``html`` text."""
    response = getattr(client, method)(url, data or {})
    if getattr(response, "streaming", False):
        response.raw = read_streaming(response)
    else:
        response.raw = response.content
    response.html = response.raw.decode("utf-8-sig", "replace")
    return response


def get(client, url):
    return call(client, "get", url)


def assert_status(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == expected
    if getattr(response, "streaming", False):
        assert response.raw.startswith((b"%PDF", b"\xff\xd8")), response.raw[:8]  # PDF or JPEG


def assert_shows_nothing_of_the_appeals(response):
    """A refusal (404, a redirect to sign in, the 'verify first' page) names no appeal and no
    citizen: numbers and names do not leak through error pages."""
    for text in (*SUBJECTS.values(), AUTHOR["last_name"], APPEAL_TEXT):
        assert text not in response.html, text


def cases(check, table, leaks=None):
    """pytest params (view, persona, expected) from a table of rows in PERSONAS order; a
    known leak becomes a strict xfail."""
    leaks = leaks or {}
    params = []
    for view, row in table.items():
        assert len(row) == len(PERSONAS), view
        for persona, expected in zip(PERSONAS, row, strict=True):
            reason = leaks.get((check, view, persona))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(
                pytest.param(view, persona, expected, id=f"{view}-{persona}", marks=marks)
            )
    return params


def leak(check, views, personas, reason):
    return {(check, view, persona): reason for view in views for persona in personas}


# --- GET: every page, every persona ---------------------------------------------------------

GET_URLS = {
    "file": lambda w: reverse("appeals:file"),
    "my_list": lambda w: reverse("appeals:my_list"),
    "my_detail": lambda w: reverse("appeals:my_detail", args=[w.appeals["main"].pk]),
    "my_letter": lambda w: reverse("appeals:my_letter", args=[w.appeals["main"].pk]),
    "my_attachment": lambda w: reverse(
        "appeals:my_attachment", args=[w.appeals["main"].pk, w.attachment.pk]
    ),
    "my_attachment_thumb": lambda w: reverse(
        "appeals:my_attachment_thumb", args=[w.appeals["main"].pk, w.attachment.pk]
    ),
    "cosign": lambda w: reverse("appeals:cosign", args=[w.cosign_token]),
    "verify_letter": lambda w: reverse("appeals:verify_letter", args=[w.answer.verification_code]),
    "queue": lambda w: reverse("appeals_service:queue") + "?status=",  # all, not only open
    "queue_csv": lambda w: reverse("appeals_service:queue") + "?status=&format=csv",
    # the appeals forwarded away from the user's cabinets (read-only, R5)
    "queue_passed": lambda w: reverse("appeals_service:queue") + "?status=&scope=passed",
    "queue_passed_csv": lambda w: (
        reverse("appeals_service:queue") + "?status=&scope=passed&format=csv"
    ),
    "card": lambda w: reverse("appeals_service:card", args=[w.appeals["main"].pk]),
    "letter": lambda w: reverse("appeals_service:letter", args=[w.appeals["main"].pk, w.answer.pk]),
    "registration_card": lambda w: reverse(
        "appeals_service:registration_card", args=[w.appeals["main"].pk]
    ),
    "attachment": lambda w: reverse(
        "appeals_service:attachment", args=[w.appeals["main"].pk, w.attachment.pk]
    ),
    "admin_changelist": lambda w: reverse("admin:appeals_appeal_changelist"),
    "admin_change": lambda w: reverse("admin:appeals_appeal_change", args=[w.appeals["main"].pk]),
}

L, AL = LOGIN, ADMIN_LOGIN
# fmt: off
GET_STATUS = {
    #                     anon author cosig citzn a_reg a_exe a_exo a_head a_obs b_head c_head admin
    "file":                (L,  200,   200,  200,  403,  403,  403,  403,   403,  403,   403,   403),
    "my_list":             (L,  200,   200,  200,  200,  200,  200,  200,   200,  200,   200,   200),
    "my_detail":           (L,  200,   404,  404,  404,  404,  404,  404,   404,  404,   404,   404),
    "my_letter":           (L,  200,   404,  404,  404,  404,  404,  404,   404,  404,   404,   404),
    "my_attachment":       (L,  200,   404,  404,  404,  404,  404,  404,   404,  404,   404,   404),
    "my_attachment_thumb": (L,  200,   404,  404,  404,  404,  404,  404,   404,  404,   404,   404),
    "cosign":              (L,  200,   200,  404,  404,  404,  404,  404,   404,  404,   404,   404),
    "verify_letter":       (200, 200,  200,  200,  200,  200,  200,  200,   200,  200,   200,   200),
    "queue":               (L,  404,   404,  404,  200,  200,  200,  200,   200,  200,   200,   404),
    "queue_csv":           (L,  404,   404,  404,  200,  200,  200,  200,   200,  200,   200,   404),
    "queue_passed":        (L,  404,   404,  404,  200,  200,  200,  200,   200,  200,   200,   404),
    "queue_passed_csv":    (L,  404,   404,  404,  200,  200,  200,  200,   200,  200,   200,   404),
    "card":                (L,  404,   404,  404,  200,  200,  404,  200,   200,  200,   404,   404),
    "letter":              (L,  404,   404,  404,  200,  200,  404,  200,   404,  200,   404,   404),
    "registration_card":   (L,  404,   404,  404,  200,  404,  404,  200,   404,  404,   404,   404),
    "attachment":          (L,  404,   404,  404,  200,  200,  404,  200,   404,  200,   404,   404),
    "admin_changelist":    (AL, AL,    AL,   AL,   AL,   AL,   AL,   AL,    AL,   AL,    AL,    200),
    "admin_change":        (AL, AL,    AL,   AL,   AL,   AL,   AL,   AL,    AL,   AL,    AL,    200),
}
# Whose list shows the main appeal (only personas that get the list at all).
LISTED = {
    "my_list": {"author"},
    "queue": {"a_registrar", "a_executor", "a_head", "a_observer"},
    "queue_csv": {"a_registrar", "a_executor", "a_head", "a_observer"},
    "queue_passed": {"b_head"},
    "queue_passed_csv": {"b_head"},
}
# Pages that show a citizen's personal data to staff, and the access-log action they write.
LOGGED = {"card": "view", "letter": "letter", "attachment": "file", "queue_csv": "export",
          "queue_passed_csv": "export", "admin_change": "view", "registration_card": "view"}
# fmt: on

# Leaks found by this matrix are marked here with ``leak(...)`` until fixed; none is open now.
# (Fixed: the co-sign link shown to anyone holding it, an observer seeing personal data, the
# admin appeal page writing no access log.)
LEAKS = {}


@pytest.mark.parametrize(("view", "persona", "expected"), cases("status", GET_STATUS, LEAKS))
def test_R14_get_status_and_nothing_changes(client, world, view, persona, expected):
    login_as(client, world, persona)
    before, logged = db_state(), AccessLog.objects.count()
    response = get(client, GET_URLS[view](world))
    assert_status(response, expected)
    assert db_state() == before
    if expected != 200:  # refused: nothing shown, no trace of personal data having been shown
        assert_shows_nothing_of_the_appeals(response)
        assert AccessLog.objects.count() == logged


def _listed_cases():
    for view, who in LISTED.items():
        row = GET_STATUS[view]
        for persona, status in zip(PERSONAS, row, strict=True):
            if status == 200:
                yield pytest.param(view, persona, persona in who, id=f"{view}-{persona}")


@pytest.mark.parametrize(("view", "persona", "listed"), list(_listed_cases()))
def test_R14_lists_show_the_appeal_only_to_whom_may_see_it(client, world, view, persona, listed):
    login_as(client, world, persona)
    response = get(client, GET_URLS[view](world))
    assert response.status_code == 200
    assert (SUBJECTS["main"] in response.html) is listed


def _log_cases():
    for view, action in LOGGED.items():
        for persona, status in zip(PERSONAS, GET_STATUS[view], strict=True):
            expected = action if status == 200 else None
            reason = LEAKS.get(("log", view, persona))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(view, persona, expected, id=f"{view}-{persona}", marks=marks)


@pytest.mark.parametrize(("view", "persona", "action"), list(_log_cases()))
def test_R18_access_log_row_when_staff_see_personal_data_and_none_when_refused(
    client, world, view, persona, action
):
    login_as(client, world, persona)
    before = set(AccessLog.objects.values_list("pk", flat=True))
    get(client, GET_URLS[view](world))
    new = AccessLog.objects.exclude(pk__in=before)
    if action is None:
        assert not new.exists()
        return
    entry = new.get()
    assert (entry.user, entry.action) == (world.people[persona], action)
    if view not in ("queue_csv", "queue_passed_csv"):
        assert entry.appeal_id == world.appeals["main"].pk
        assert entry.cabinet_id == world.cabinet_a.pk


# --- Personal data on the pages -------------------------------------------------------------

CITIZEN_PERSONAL_DATA = (
    AUTHOR["last_name"],
    AUTHOR["email"],
    PERSONAL_DATA["postal_address"],
    PERSONAL_DATA["phone"],
)
CARD_PERSONAS = [p for p, s in zip(PERSONAS, GET_STATUS["card"], strict=True) if s == 200]


# Who sees the citizen's personal data on the card, among those who get the card at all.
SEES_PERSONAL_DATA = {"a_registrar", "a_executor", "a_head", "b_head"}


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        pytest.param(
            p,
            p in SEES_PERSONAL_DATA,
            id=p,
            marks=[pytest.mark.xfail(strict=True, reason=LEAKS[("personal_data", "card", p)])]
            if ("personal_data", "card", p) in LEAKS
            else [],
        )
        for p in CARD_PERSONAS
    ],
)
def test_R14_card_shows_personal_data_only_to_full_view_roles(client, world, persona, shown):
    login_as(client, world, persona)
    html = get(client, GET_URLS["card"](world)).html
    for value in CITIZEN_PERSONAL_DATA:
        assert (value in html) is shown, value


@pytest.mark.parametrize("persona", PERSONAS)
def test_R12_public_letter_verification_shows_the_letter_not_the_citizen(client, world, persona):
    """Public by design: number, date, signer, hash (R12). Nothing of the citizen, the appeal
    or the answer (R14, R18), whoever asks."""
    login_as(client, world, persona)
    answer, appeal = world.answer, world.appeal("main")
    html = get(client, GET_URLS["verify_letter"](world)).html
    for needed in (
        answer.verification_code,
        appeal.number,
        answer.text_sha256,
        "Громов",
        world.cabinet_a.name,
    ):
        assert needed in html, needed
    for private in (
        *CITIZEN_PERSONAL_DATA,
        AUTHOR["patronymic"],
        COSIGNER_EMAIL,
        "Соподписантов",
        SUBJECTS["main"],
        APPEAL_TEXT,
        ANSWER_TEXT,
        NOTE_TEXT,
    ):
        assert private not in html, private


@pytest.mark.parametrize(
    ("persona", "view"), [("author", "my_detail"), ("cosigner", "cosign"), ("b_head", "card")]
)
def test_R14_internal_notes_stay_with_the_holding_cabinet(client, world, persona, view):
    login_as(client, world, persona)
    html = get(client, GET_URLS[view](world)).html
    assert SUBJECTS["main"] in html
    assert NOTE_TEXT not in html


def test_the_holding_cabinet_sees_its_internal_notes(client, world):
    """The control for the test above: the note is on the card of A's staff."""
    login_as(client, world, "a_observer")
    assert NOTE_TEXT in get(client, GET_URLS["card"](world)).html


# --- POST: every action, every persona ------------------------------------------------------


def _act(action):
    return lambda w, stage: reverse("appeals_service:act", args=[w.appeals[stage].pk, action])


def _citizen(action):
    return lambda w, stage: reverse("appeals:citizen_action", args=[w.appeals[stage].pk, action])


# name: (url, the appeal it acts on, POST data, the effect that must be seen when allowed)
POSTS = {
    "withdraw": (
        lambda w, stage: reverse("appeals:withdraw", args=[w.appeals[stage].pk]),
        "in_work",
        lambda w: {"confirm": "on", "note": "Вопрос решён"},
        lambda w, p: w.appeal("in_work").status == Status.WITHDRAWN,
    ),
    "rate": (
        _citizen("rate"),
        "main",
        lambda w: {"stars": "4", "comment": "Спасибо"},
        lambda w, p: Rating.objects.get(appeal=w.appeals["main"]).stars == 4,
    ),
    "reopen": (
        _citizen("reopen"),
        "main",
        lambda w: {"reason": "Яма снова появилась"},
        lambda w, p: w.appeal("main").status == Status.REOPENED,
    ),
    "invite": (
        _citizen("invite"),
        "in_work",
        lambda w: {"emails": "novyi@example.org"},
        lambda w, p: w.appeal("in_work").cosigners.filter(email="novyi@example.org").exists(),
    ),
    "add_materials": (
        _citizen("add_materials"),
        "in_work",
        lambda w: {"attachments": [image_upload("more.jpg")], "note": "Ещё фото"},
        lambda w, p: w.appeal("in_work").attachments.filter(original_name="more.jpg").exists(),
    ),
    "citizen_unknown": (_citizen("teleport"), "main", lambda w: {}, None),
    "cosign": (
        lambda w, stage: reverse("appeals:cosign", args=[w.pending_token]),
        "in_work",
        lambda w: {},
        lambda w, p: CoSigner.objects.get(token=w.pending_token).user == w.people[p],
    ),
    "register": (
        _act("register"),
        "received",
        lambda w: {},
        lambda w, p: (
            w.appeal("received").status == Status.REGISTERED and w.appeal("received").number != ""
        ),
    ),
    "forward": (
        _act("forward"),
        "received",
        lambda w: {"forward-to_cabinet": w.cabinet_c.pk, "forward-reason": "Не наш вопрос"},
        lambda w, p: w.appeal("received").cabinet_id == w.cabinet_c.pk,
    ),
    "assign": (
        _act("assign"),
        "in_work",
        lambda w: {"assign-executor": w.people["a_executor_other"].pk},
        lambda w, p: w.appeal("in_work").executor == w.people["a_executor_other"],
    ),
    "extend": (
        _act("extend"),
        "in_work",
        lambda w: {
            "extend-days": "5",
            "extend-reason": "exceptional",
            "extend-note": "Нужна экспертиза",
        },
        lambda w, p: w.appeal("in_work").original_due is not None,
    ),
    "draft_answer": (
        _act("draft_answer"),
        "in_work",
        lambda w: {
            "draft_answer-text": "Мусор вывезут в пятницу.",
            "draft_answer-result": "explained",
            "draft_answer-classifier": classifier_code().pk,
        },
        lambda w, p: w.appeal("in_work").status == Status.ANSWER_DRAFTED,
    ),
    "sign_answer": (
        _act("sign_answer"),
        "drafted",
        lambda w: {"sign_answer-otp_code": otp_now()},
        lambda w, p: (
            w.appeal("drafted").status == Status.ANSWERED
            and w.appeal("drafted").answers.get().signed_by == w.people[p]
        ),
    ),
    "close_no_merits": (
        _act("close_no_merits"),
        "in_work",
        lambda w: {
            "close_no_merits-ground": Appeal.NoMeritsGround.UNCLEAR,
            "close_no_merits-note": "Суть не ясна",
        },
        lambda w, p: w.appeal("in_work").status == Status.CLOSED_NO_MERITS,
    ),
    "return": (
        _act("return"),
        "received",
        lambda w: {"return-note": "Жалоба на единственный орган: право обратиться в суд"},
        lambda w, p: w.appeal("received").status == Status.RETURNED,
    ),
    "merge": (
        _act("merge"),
        "received",
        lambda w: {"merge-into": w.appeals["main"].pk, "merge-note": "Тот же вопрос"},
        lambda w, p: w.appeal("received").merged_into_id == w.appeals["main"].pk,
    ),
    # The author's action and a made-up one through the staff URL: nobody reaches them.
    "staff_withdraw": (_act("withdraw"), "in_work", lambda w: {"confirm": "on"}, None),
    "staff_unknown": (_act("teleport"), "in_work", lambda w: {}, None),
    "add_note": (
        lambda w, stage: reverse("appeals_service:add_note", args=[w.appeals[stage].pk]),
        "in_work",
        lambda w: {"text": "Позвонить в управляющую компанию"},
        lambda w, p: InternalNote.objects.filter(
            appeal=w.appeals["in_work"], author=w.people[p]
        ).exists(),
    ),
}

DONE = (302, True)  # done, redirected back
HID = (404, False)  # outsider: nothing shown, nothing changed
NO = (400, False)  # an official who may see the appeal but not do this: the card, with the reason
NO_ = (302, False)  # refused with a message and a redirect
NO_400 = (400, False)  # the co-signing page with its error
LG = (LOGIN, False)
# fmt: off
POST_OUTCOME = {
    #                 anon author cosig citzn a_reg a_exe a_exo a_head a_obs b_head c_head admin
    "withdraw":        (LG, DONE,  HID,  HID,  HID,  HID,  HID,  HID,   HID,  HID,   HID,   HID),
    "rate":            (LG, DONE,  HID,  HID,  HID,  HID,  HID,  HID,   HID,  HID,   HID,   HID),
    "reopen":          (LG, DONE,  HID,  HID,  HID,  HID,  HID,  HID,   HID,  HID,   HID,   HID),
    "invite":          (LG, DONE,  HID,  HID,  HID,  HID,  HID,  HID,   HID,  HID,   HID,   HID),
    "add_materials":   (LG, DONE,  HID,  HID,  HID,  HID,  HID,  HID,   HID,  HID,   HID,   HID),
    "citizen_unknown": (LG, HID,   HID,  HID,  HID,  HID,  HID,  HID,   HID,  HID,   HID,   HID),
    "cosign":          (LG, NO_400, DONE, HID, HID,  HID,  HID,  HID,   HID,  HID,   HID,   HID),
    "register":        (LG, HID,   HID,  HID,  DONE, HID,  HID,  DONE,  NO,   NO,    HID,   HID),
    "forward":         (LG, HID,   HID,  HID,  DONE, HID,  HID,  DONE,  NO,   NO,    HID,   HID),
    "assign":          (LG, HID,   HID,  HID,  NO,   NO,   HID,  DONE,  NO,   NO,    HID,   HID),
    "extend":          (LG, HID,   HID,  HID,  NO,   NO,   HID,  DONE,  NO,   NO,    HID,   HID),
    "draft_answer":    (LG, HID,   HID,  HID,  NO,   DONE, HID,  DONE,  NO,   NO,    HID,   HID),
    "sign_answer":     (LG, HID,   HID,  HID,  NO,   NO,   HID,  DONE,  NO,   NO,    HID,   HID),
    "close_no_merits": (LG, HID,   HID,  HID,  NO,   NO,   HID,  DONE,  NO,   NO,    HID,   HID),
    "return":          (LG, HID,   HID,  HID,  NO,   HID,  HID,  DONE,  NO,   NO,    HID,   HID),
    "merge":           (LG, HID,   HID,  HID,  NO,   HID,  HID,  DONE,  NO,   NO,    HID,   HID),
    "staff_withdraw":  (LG, HID,   HID,  HID,  HID,  HID,  HID,  HID,   HID,  HID,   HID,   HID),
    "staff_unknown":   (LG, HID,   HID,  HID,  HID,  HID,  HID,  HID,   HID,  HID,   HID,   HID),
    "add_note":        (LG, HID,   HID,  HID,  DONE, DONE, HID,  DONE,  DONE, NO_,   HID,   HID),
}
# fmt: on


@pytest.mark.parametrize(("action", "persona", "expected"), cases("post", POST_OUTCOME, LEAKS))
def test_R14_post_outcome_and_state_change(client, world, action, persona, expected):
    status, changes = expected
    url, stage, data, effect = POSTS[action]
    login_as(client, world, persona)
    before, logged = db_state(), set(AccessLog.objects.values_list("pk", flat=True))
    response = call(client, "post", url(world, stage), data(world))
    assert_status(response, status)
    new_log = AccessLog.objects.exclude(pk__in=logged)
    if changes:
        assert db_state() != before
        assert effect(world, persona)
    else:
        assert db_state() == before
    if status == 400 and action != "cosign":  # the card is shown again, with the reason
        assert list(new_log.values_list("user", "action")) == [(world.people[persona].pk, "view")]
    elif status in (404, LOGIN):  # refused: nothing shown, no trace in the access log
        assert_shows_nothing_of_the_appeals(response)
        assert not new_log.exists()


# --- The second factor, the ids in the URLs, the admin's sign-in ----------------------------

SERVICE_REQUESTS = {
    "queue": ("get", GET_URLS["queue"], {}),
    "queue_csv": ("get", GET_URLS["queue_csv"], {}),
    "card": ("get", GET_URLS["card"], {}),
    "letter": ("get", GET_URLS["letter"], {}),
    "registration_card": ("get", GET_URLS["registration_card"], {}),
    "attachment": ("get", GET_URLS["attachment"], {}),
    "add_note": ("post", lambda w: POSTS["add_note"][0](w, "in_work"), {"text": "Заметка"}),
    "act": (
        "post",
        lambda w: POSTS["close_no_merits"][0](w, "in_work"),
        POSTS["close_no_merits"][2](None),
    ),
}


@pytest.mark.parametrize("view", SERVICE_REQUESTS)
def test_service_cabinet_needs_a_second_factor_even_for_the_head(client, world, view):
    from allauth.mfa.models import Authenticator

    head = world.people["a_head"]
    Authenticator.objects.filter(user=head).delete()
    method, url, data = SERVICE_REQUESTS[view]
    client.force_login(head)
    before, logged = db_state(), AccessLog.objects.count()
    response = call(client, method, url(world), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_required")
    assert db_state() == before and AccessLog.objects.count() == logged


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        # the author's other appeal with the main appeal's file or letter
        (
            "author",
            lambda w: reverse(
                "appeals:my_attachment", args=[w.appeals["in_work"].pk, w.attachment.pk]
            ),
        ),
        ("author", lambda w: reverse("appeals:my_letter", args=[w.appeals["in_work"].pk])),
        # staff who may see both appeals: the ids still have to belong together
        (
            "a_head",
            lambda w: reverse(
                "appeals_service:attachment", args=[w.appeals["in_work"].pk, w.attachment.pk]
            ),
        ),
        (
            "a_head",
            lambda w: reverse(
                "appeals_service:letter", args=[w.appeals["in_work"].pk, w.answer.pk]
            ),
        ),
        (
            "a_head",  # an unsigned draft has no letter
            lambda w: reverse(
                "appeals_service:letter",
                args=[w.appeals["drafted"].pk, w.appeal("drafted").answers.get().pk],
            ),
        ),
        ("anonymous", lambda w: reverse("appeals:verify_letter", args=["AAAA-BBBB-CCCC"])),
        ("cosigner", lambda w: reverse("appeals:cosign", args=["not-a-token"])),
    ],
)
def test_R14_ids_in_urls_must_belong_together(client, world, persona, url):
    login_as(client, world, persona)
    logged = AccessLog.objects.count()
    response = get(client, url(world))
    assert response.status_code == 404
    assert AccessLog.objects.count() == logged


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        pytest.param("admin", "admin_change", id="superuser-admin-appeal-page"),
        pytest.param("a_head", "card", id="head-who-is-staff-service-card"),
    ],
)
def test_a_password_alone_never_opens_an_appeal(client, world, persona, page):
    """Django's admin sign-in is routed through the portal's (with its second factor), and the
    service cabinet demands a session that used the code."""
    user = world.people[persona]
    type(user).objects.filter(pk=user.pk).update(is_staff=True)
    response = client.post(
        reverse("admin:login"), {"username": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code in (200, 302)
    opened = get(client, GET_URLS[page](world))
    assert opened.status_code != 200, "the appeal opened after a password alone"


def test_the_portal_sign_in_asks_for_the_second_factor(client, world):
    """The control for the test above: through the portal's own sign-in a password is not
    enough, the session waits for the code."""
    head = world.people["a_head"]
    response = client.post(
        reverse("account_login"), {"login": head.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert_status(get(client, GET_URLS["card"](world)), LOGIN)


@pytest.mark.parametrize(
    ("action", "stage"),
    [
        ("register", "received"),
        ("extend", "in_work"),
        ("close_no_merits", "in_work"),
        ("sign_answer", "drafted"),
    ],
)
def test_a_superuser_in_a_cabinet_gets_only_what_the_role_gives(client, world, action, stage):
    """Being a portal administrator gives nothing in a cabinet beyond the role held there
    (R12: the answer is signed by the head or an authorised person)."""
    from cabinets import services as cabinet_services
    from cabinets.roles import Role

    admin = world.people["admin"]
    cabinet_services.add_membership(cabinet=world.cabinet_a, user=admin, role=Role.OBSERVER)
    url, _stage, data, _effect = POSTS[action]
    client.force_login(admin)
    before = db_state()
    response = call(client, "post", url(world, stage), data(world))
    assert response.status_code == 400  # the observer's answer: the card, with the reason
    assert db_state() == before


def test_R14_someone_elses_pending_upload_cannot_be_attached(client, world):
    """Upload ids travel in the form (``pending``): only the user's own uploads are taken."""
    from appeals import services

    foreign = services.store_upload(
        upload=image_upload("chuzhoe.jpg"), actor=world.people["citizen"]
    )
    client.force_login(world.people["author"])
    before = db_state()
    url, stage, _data, _effect = POSTS["add_materials"]
    response = call(client, "post", url(world, stage), {"pending": str(foreign.pk)})
    assert response.status_code == 302
    assert db_state() == before
    assert Attachment.objects.get(pk=foreign.pk).appeal_id is None


def test_the_scenario_is_what_the_matrix_assumes(world):
    """A guard for the tables: if the scenario drifts, the matrix would test something else."""
    main = world.appeal("main")
    assert main.status == Status.ANSWERED and main.cabinet_id == world.cabinet_a.pk
    assert main.executor == world.people["a_executor"] and main.is_collective
    assert main.events.filter(action="forward", data__from_cabinet=world.cabinet_b.pk).exists()
    assert main.cosigners.get().user == world.people["cosigner"]
    assert main.answers.get().letter and main.attachments.get().thumbnail
    assert world.appeal("received").status == Status.RECEIVED
    assert world.appeal("in_work").status == Status.IN_WORK
    assert world.appeal("drafted").status == Status.ANSWER_DRAFTED
    assert CoSigner.objects.get(token=world.pending_token).confirmed_at is None
    assert main.answered_at > timezone.now() - timedelta(hours=1)  # reopen is still possible
