"""Fixtures for the outbox tests: an in-test SMTP server, a broker switch, a real Celery worker.

The worker is started once per test session (it takes a few seconds), against the test
database and a queue of its own on the test Redis, so that two test runs sharing one Redis
never take each other's tasks.
"""

import contextlib
import email
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from email import policy
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused
WORKER_READY_TIMEOUT = 30


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout=30, interval=0.1, message="condition"):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


# --- SMTP ------------------------------------------------------------------------------


class SmtpServer:
    """An aiosmtpd server in a thread that keeps every message it receives."""

    def __init__(self):
        self.port = free_port()
        self.received = []  # (envelope recipients, parsed message)
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def start(self):
        self._controller.start()

    def stop(self):
        self._controller.stop()

    def messages_to(self, address):
        with self._lock:
            return [message for rcpt, message in self.received if address in rcpt]

    def wait_for(self, address, timeout=30):
        return wait_until(
            lambda: self.messages_to(address), timeout=timeout, message=f"a mail to {address}"
        )


def html_part(message):
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else ""


def text_part(message):
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """Django sends over SMTP to the in-test server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return smtp_server


# --- Broker ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _broker_not_paused(monkeypatch):
    """Each test starts with the publisher willing to try the broker (see BROKER_PAUSE)."""
    from edem.notifications import services

    monkeypatch.setattr(services, "_broker_paused_until", 0.0)


def _reset_broker_pools(app):
    """Make the next publish take its connection from the pool for the current ``broker_url``.

    The pools themselves stay open in kombu's registry (one per broker URL), ready for when
    the URL is switched back; closing them would leave closed pools in that registry.
    """
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextlib.contextmanager
def celery_conf(**options):
    """Change the Celery app's configuration (broker, eager mode, queue) and restore it.

    The app read Django's settings when it was first used, so the ``settings`` fixture alone
    does not reach it; and Celery prefers the ``CELERY_BROKER_URL`` environment variable to
    its configuration, so that is switched too.
    """
    from edem.celery import app

    previous = {name: app.conf[name] for name in options}
    previous_env = os.environ.get("CELERY_BROKER_URL")
    for name, value in options.items():
        app.conf[name] = value
    if "broker_url" in options:
        os.environ["CELERY_BROKER_URL"] = options["broker_url"]
        _reset_broker_pools(app)
    try:
        yield app
    finally:
        for name, value in previous.items():
            app.conf[name] = value
        if "broker_url" in options:
            if previous_env is None:
                os.environ.pop("CELERY_BROKER_URL", None)
            else:
                os.environ["CELERY_BROKER_URL"] = previous_env
            _reset_broker_pools(app)


@pytest.fixture
def broker_down(settings):
    """Tasks are published to a broker that refuses connections (not run eagerly)."""
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with celery_conf(broker_url=UNREACHABLE_BROKER, task_always_eager=False) as app:
        yield app


# --- A real worker -----------------------------------------------------------------------


def _services_available():
    return os.environ.get("EDEM_TEST_SERVICES") == "1"


class Worker:
    def __init__(self, process, queue, broker_url, log):
        self.process = process
        self.queue = queue
        self.broker_url = broker_url
        self.log = log

    def output(self):
        return "".join(self.log)


def _database_url(settings_dict):
    """A DATABASE_URL for the worker that points at this session's test database."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def _purge(broker_url, queue):
    import redis

    client = redis.Redis.from_url(broker_url, socket_connect_timeout=2, socket_timeout=5)
    try:
        keys = [queue, *client.scan_iter(match=f"_kombu.binding*{queue}*")]
        client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, smtp_server):
    """A real ``celery worker`` process on the test database, the test Redis and the in-test
    SMTP server, consuming a queue of its own. Started once; always terminated."""
    if not _services_available():
        pytest.skip("needs the real PostgreSQL and Redis (EDEM_TEST_SERVICES=1)")
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the worker tests need PostgreSQL (DATABASE_URL)")
    broker_url = settings.CELERY_BROKER_URL
    if not broker_url.startswith("redis"):
        pytest.skip("the worker tests need a Redis broker (CELERY_BROKER_URL)")
    queue = f"edem-test-{uuid.uuid4().hex[:10]}"
    _purge(broker_url, queue)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "edem.settings",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "REDIS_URL": os.environ.get("REDIS_URL", broker_url),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "EMAIL_TIMEOUT": "5",
        "LOG_LEVEL": "INFO",
        "EDEM_TEST_CELERY_QUEUE": queue,
        "EDEM_EVENT_RETRY_BASE": "1",  # the event outbox retries after 1 s, 2 s, 4 s ...
    }
    command = [
        sys.executable, "-m", "celery", "-A", "tests.notifications.worker_app", "worker",
        "--pool", "solo", "--loglevel", "INFO", "--queues", queue,
        "--hostname", f"{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    log = []
    ready = threading.Event()

    def read():
        for line in process.stdout:
            log.append(line)
            if " ready." in line:
                ready.set()

    reader = threading.Thread(target=read, name="celery-worker-log", daemon=True)
    reader.start()
    worker = Worker(process, queue, broker_url, log)
    try:
        deadline = time.monotonic() + WORKER_READY_TIMEOUT
        while not ready.wait(0.1):
            if process.poll() is not None:
                pytest.fail(f"the Celery worker exited on start-up:\n{worker.output()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the Celery worker was not ready within {WORKER_READY_TIMEOUT} s:\n"
                    f"{worker.output()}"
                )
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        reader.join(timeout=5)
        process.stdout.close()
        _purge(broker_url, queue)


@pytest.fixture
def live_celery(celery_worker, settings):
    """In this test, tasks go through the real broker to the real worker."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with celery_conf(
        broker_url=celery_worker.broker_url,
        task_always_eager=False,
        task_default_queue=celery_worker.queue,
    ):
        yield celery_worker
