"""The cache is an optimisation, never a dependency (DESIGN §5).

Each test starts a real ``redis-server`` of its own on a spare port, points the portal's cache
(and, where said, the Celery broker) at it, warms the pages up, then kills the server: every
write (filing, registering, assigning, answering with the second factor, signing a petition,
voting, commenting) and every page (home, problem list, map JSON, sign-in) still succeeds, and
the objects are saved. Started again, Redis is used again.
"""

import shutil
import signal
import socket
import subprocess
import time
import uuid

import pytest
import redis
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from appeals.community.models import Comment
from appeals.models import Appeal
from appeals.workflow import Status
from cabinets.roles import Role
from consultations.petitions.models import Signature
from consultations.polls.models import Ballot, Question
from edem.core.cache import ResilientRedisCache
from edem.notifications import services as notification_services
from edem.notifications.models import Notification
from tests.appeals.community.factories import PublicAppealFactory
from tests.consultations.petitions.factories import CollectingPetitionFactory
from tests.consultations.polls.factories import PollFactory, opts, question
from tests.factories import (
    DEFAULT_PASSWORD,
    TOTP_SECRET,
    AppealFactory,
    CabinetFactory,
    CitizenFactory,
    classifier_code,
    member,
)
from tests.notifications.conftest import celery_conf, wait_until

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs the redis-server binary"),
]

RETRY_AFTER = 0.2  # seconds the portal leaves a failed Redis alone (5 s in production)


def spare_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A throw-away ``redis-server`` (no persistence) that a test can kill and start again."""

    def __init__(self):
        self.port = spare_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def client(self):
        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

        def answers():
            try:
                return self.client().ping()
            except redis.exceptions.ConnectionError:
                return False

        wait_until(answers, timeout=20, message=f"redis-server on port {self.port}")

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)

    def keys(self, prefix):
        return self.client().keys(f"{prefix}*")


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


@pytest.fixture
def portal_on(redis_server, settings):
    """The portal's cache on the test's Redis, with a key prefix of its own."""
    prefix = f"edem-outage-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "edem.core.cache.ResilientRedisCache",
            "LOCATION": f"{redis_server.url}/0",
            "KEY_PREFIX": prefix,
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                "RETRY_AFTER": RETRY_AFTER,
            },
        }
    }
    redis_server.prefix = prefix
    return redis_server


@pytest.fixture
def broker_on_the_same_redis(portal_on, settings, monkeypatch):
    """Celery publishes to the same Redis (as in the compose deployment), not eagerly."""
    monkeypatch.setattr(notification_services, "_broker_paused_until", 0.0)
    broker = f"{portal_on.url}/1"
    settings.CELERY_BROKER_URL = broker
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with celery_conf(broker_url=broker, task_always_eager=False):
        yield portal_on


def code_now():
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))


def filing_data():
    return {
        "kind": "statement",
        "cabinet": "",
        "subject": "Не вывозят мусор",
        "text": "Контейнеры во дворе дома 5 переполнены вторую неделю.",
        "place": "ул. Садовая, 5",
        "latitude": "56.001000",
        "longitude": "38.002000",
        "last_name": "Иванова",
        "first_name": "Мария",
        "patronymic": "",
        "answer_channel": "email",
        "email": "ivanova@example.org",
        "postal_address": "",
        "phone": "",
        "personal_data_consent": "on",
    }


PAGES = ("/", "/problems/", "/map/problems.json?bbox=37.9,55.9,38.1,56.1&zoom=14")


def test_with_redis_killed_citizens_file_sign_vote_and_comment(
    client, broker_on_the_same_redis, django_capture_on_commit_callbacks
):
    server = broker_on_the_same_redis
    CabinetFactory(code="adm", kind="administration")
    petition = CollectingPetitionFactory(signature_threshold=5)
    poll = PollFactory(title="Благоустройство")
    q = question(poll, Question.Kind.SINGLE, ["Парк", "Сквер"])
    public = PublicAppealFactory()
    citizen = CitizenFactory()
    client.force_login(citizen)
    for path in PAGES:
        assert client.get(path).status_code == 200
    assert server.keys(server.prefix), "the pages did not use the cache while Redis was up"

    server.kill()
    with django_capture_on_commit_callbacks(execute=True):
        filed = client.post(reverse("appeals:file"), filing_data())
        signed = client.post(reverse("petitions:sign", args=[petition.pk]), {"hide_name": "on"})
        voted = client.post(reverse("polls:detail", args=[poll.pk]), {f"q{q.pk}": opts(q)[1]})
        commented = client.post(
            reverse("community:comments", args=[public.pk]), {"text": "Подтверждаю"}
        )
    assert [r.status_code for r in (filed, signed, voted, commented)] == [302] * 4
    appeal = Appeal.objects.get(author=citizen)
    assert appeal.status == Status.REGISTERED
    assert Signature.objects.filter(petition=petition, user=citizen).exists()
    assert Ballot.objects.get(poll=poll).voter == citizen
    assert Comment.objects.filter(appeal=public, author=citizen).exists()
    # The broker died with the cache: the mail waits in the outbox for the sweep.
    assert Notification.objects.filter(status=Notification.Status.PENDING).count() >= 2
    for path in PAGES:
        assert client.get(path).status_code == 200, path


def test_with_redis_killed_officials_register_assign_and_answer(
    client, portal_on, django_capture_on_commit_callbacks
):
    cabinet = CabinetFactory(code="adm")
    head, registrar = member(cabinet, Role.HEAD), member(cabinet, Role.REGISTRAR)
    executor = member(cabinet, Role.EXECUTOR)
    appeal = AppealFactory(cabinet=cabinet)
    client.force_login(head)
    assert client.get(reverse("appeals_service:queue")).status_code == 200

    portal_on.kill()
    act = lambda name: reverse("appeals_service:act", args=[appeal.pk, name])  # noqa: E731
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(registrar)
        assert client.post(act("register")).status_code == 302
        client.force_login(head)
        assert client.post(act("assign"), {"assign-executor": executor.pk}).status_code == 302
        client.force_login(executor)
        response = client.post(
            act("draft_answer"),
            {
                "draft_answer-text": "Яма заделана.",
                "draft_answer-result": "explained",
                "draft_answer-classifier": classifier_code().pk,
            },
        )
        assert response.status_code == 302
        client.force_login(head)
        response = client.post(act("sign_answer"), {"sign_answer-otp_code": code_now()})
        assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED and appeal.answers.get().is_signed
    queue = client.get(reverse("appeals_service:queue"), {"status": ""})
    assert queue.status_code == 200 and appeal.subject in queue.content.decode()


def test_with_redis_killed_the_sign_in_works_and_pages_recover_when_it_is_back(client, portal_on):
    citizen = CitizenFactory()
    for path in PAGES:
        assert client.get(path).status_code == 200
    portal_on.kill()

    response = client.post(
        reverse("account_login"), {"login": citizen.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    client.logout()
    # A failed sign-in is still refused as such (the rate limit works on the local fallback).
    response = client.post(reverse("account_login"), {"login": citizen.email, "password": "x"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session

    portal_on.start()  # empty: everything cached before is gone
    assert portal_on.keys(portal_on.prefix) == []

    def pages_cached_in_redis():
        assert all(client.get(path).status_code == 200 for path in PAGES)
        return portal_on.keys(portal_on.prefix)

    wait_until(pages_cached_in_redis, timeout=10, message="the portal to use Redis again")


def test_with_redis_frozen_pages_and_writes_wait_at_most_the_socket_timeout(
    client, portal_on, django_capture_on_commit_callbacks
):
    """A server that accepts and never answers (SIGSTOP) costs the socket time-out once, then
    the process leaves it alone for RETRY_AFTER."""
    CabinetFactory(code="adm", kind="administration")
    citizen = CitizenFactory()
    client.force_login(citizen)
    for path in PAGES:
        assert client.get(path).status_code == 200
    portal_on.process.send_signal(signal.SIGSTOP)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("appeals:file"), filing_data()).status_code == 302
        for path in PAGES:
            assert client.get(path).status_code == 200, path
    finally:
        portal_on.process.send_signal(signal.SIGCONT)
    assert Appeal.objects.filter(author=citizen).exists()


class TestTheBackend:
    """``ResilientRedisCache`` keeps Django's cache semantics on both sides of an outage."""

    def make(self, port, retry_after=RETRY_AFTER):
        return ResilientRedisCache(
            f"redis://127.0.0.1:{port}/0",
            {
                "KEY_PREFIX": uuid.uuid4().hex,
                "TIMEOUT": 300,
                "OPTIONS": {"socket_connect_timeout": 0.5, "RETRY_AFTER": retry_after},
            },
        )

    def test_on_redis_it_is_a_redis_cache(self, redis_server):
        cache = self.make(redis_server.port)
        assert cache.add("k", 1) and not cache.add("k", 2)
        assert cache.incr("k") == 2 and cache.get("k") == 2
        cache.set("forever", "x", None)
        assert cache.get_or_set("v", 7) == 7 and cache.get_many(["k", "v"]) == {"k": 2, "v": 7}
        client = redis_server.client()
        (forever,) = client.keys(f"{cache.key_prefix}:*forever")
        (counted,) = client.keys(f"{cache.key_prefix}:*:k")
        assert client.ttl(forever) == -1 and 0 < client.ttl(counted) <= 300  # timeouts kept
        with pytest.raises(ValueError):
            cache.incr("missing")  # a programming error still raises
        assert cache.ping() and cache.available

    def test_without_redis_it_answers_from_memory_and_goes_back_later(self, redis_server):
        cache = self.make(redis_server.port)
        cache.set("before", 1)
        redis_server.kill()
        assert cache.get("before") is None  # a miss, not an error
        assert not cache.available
        assert cache.add("lock", True) and not cache.add("lock", True)  # allauth's lock holds
        assert cache.incr("lock") == 2
        assert cache.get_or_set("v", 3) == 3 and cache.get("v") == 3
        cache.delete("v")
        assert cache.get("v") is None
        with pytest.raises(redis.exceptions.ConnectionError):
            cache.ping()
        redis_server.start()
        wait_until(lambda: cache.available, timeout=5, message="the retry window to pass")
        cache.set("after", 2)
        assert redis_server.keys(f"{cache.key_prefix}:") != []

    def test_a_full_redis_is_treated_as_down(self, redis_server):
        """Out of memory under ``noeviction`` (or unable to persist: MISCONF), Redis refuses
        writes: the write goes to memory instead of raising into the request."""
        cache = self.make(redis_server.port)
        redis_server.client().config_set("maxmemory-policy", "noeviction")
        redis_server.client().config_set("maxmemory", "1")
        assert cache.set("big", "x" * 100_000) is None
        assert not cache.available and cache.get("big") == "x" * 100_000
