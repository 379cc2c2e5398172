"""Liveness, readiness and the 503 page of an unreachable database."""

import contextlib
import io
import json
import socket
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import Client
from django.utils import timezone, translation
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from edem.notifications.models import Notification
from tests.notifications.conftest import celery_conf

UNAVAILABLE_TITLE = "The portal is briefly unavailable"


def closed_port():
    """A local port nothing listens on (connection refused), like a stopped server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def unreachable_database():
    """The default database becomes unreachable: PostgreSQL is asked on a port where nothing
    listens (as after the server stopped); SQLite, a file in a directory that does not exist.
    Restored afterwards, with the broken connection closed."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    else:
        connection.settings_dict["NAME"] = "/nonexistent-edem-dir/edem.sqlite3"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def database_down(django_db_blocker):
    with django_db_blocker.unblock(), unreachable_database():
        yield


@pytest.fixture
def browser():
    """A client that gets the response a browser would get, not the view's exception."""
    return Client(raise_request_exception=False)


def test_healthz_is_liveness_and_answers_without_the_database(browser, database_down):
    response = browser.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_every_check_as_json(client):
    PeriodicTask.objects.create(
        name="sweep",
        task="edem.notifications.tasks.sweep_outbox",
        interval=IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS),
        last_run_at=timezone.now() - timedelta(seconds=90),
    )
    response = client.get("/readyz/")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok", report
    assert set(report["checks"]) >= {"database", "cache", "broker", "outbox", "beat"}
    assert report["checks"]["database"] == {**report["checks"]["database"], "status": "ok"}
    assert report["checks"]["database"]["required"] is True
    assert report["checks"]["outbox"]["backlog"] == 0
    assert report["checks"]["outbox"]["oldest_age_seconds"] is None
    assert 85 <= report["checks"]["beat"]["age_seconds"] <= 3600
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_is_degraded_not_unready_when_mail_waits_and_beat_is_silent(client):
    PeriodicTask.objects.create(
        name="sweep",
        task="edem.notifications.tasks.sweep_outbox",
        interval=IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS),
        last_run_at=timezone.now() - timedelta(hours=2),
    )
    waiting = Notification.objects.create(email="a@example.org", template="appeals/status")
    Notification.objects.create(email="b@example.org", template="appeals/status")
    Notification.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    response = client.get("/readyz/")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    outbox = report["checks"]["outbox"]
    assert (outbox["status"], outbox["backlog"]) == ("degraded", 2)
    assert 3500 <= outbox["oldest_age_seconds"] <= 7200
    assert report["checks"]["beat"]["status"] == "degraded"
    assert report["checks"]["beat"]["age_seconds"] >= 7000
    with pytest.raises(CommandError, match="beat"):
        call_command("health", "beat", stdout=io.StringIO())


@pytest.mark.django_db
def test_readyz_with_the_cache_down_is_degraded_but_ready(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "edem.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = client.get("/readyz/")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert report["checks"]["cache"]["status"] == "fail"
    assert report["checks"]["cache"]["required"] is False
    assert "error" not in report["checks"]["cache"]  # the reason names hosts: only logged
    assert report["checks"]["database"]["status"] == "ok"


def test_readyz_without_the_database_is_503(browser, database_down):
    response = browser.get("/readyz/")
    assert response.status_code == 503
    report = json.loads(response.content)
    assert report["status"] == "unavailable"
    assert report["checks"]["database"]["status"] == "fail"


@pytest.mark.parametrize("language", ["ru", "uk", "en"])
def test_an_unreachable_database_gets_a_translated_503_page_with_retry_after(
    browser, database_down, language, settings
):
    response = browser.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.EDEM_DB_UNAVAILABLE_RETRY_AFTER)
    page = response.content.decode()
    with translation.override(language):
        assert translation.gettext(UNAVAILABLE_TITLE) in page
    assert f'<html lang="{language}">' in page


@pytest.mark.parametrize(
    "path",
    [
        "/personal-data/",  # the view asks nothing: the session (via the context processors) does
        "/account/login/",
        "/problems/",
        "/map/",
        "/readyz/",
    ],
)
def test_no_page_answers_500_when_the_database_is_unreachable(browser, database_down, path):
    browser.cookies["sessionid"] = "a" * 32  # a signed-in browser: the session is loaded
    response = browser.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    if path != "/readyz/":
        assert UNAVAILABLE_TITLE in response.content.decode()
        assert response["Retry-After"]


def test_a_post_while_the_database_is_unreachable_gets_503_too(browser, database_down):
    response = browser.post(
        "/account/login/", {"login": "a@example.org", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 503
    assert UNAVAILABLE_TITLE in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_portal_answers_again_once_the_database_is_back(browser):
    with unreachable_database():
        assert browser.get("/").status_code == 503
        assert browser.get("/readyz/").status_code == 503
    assert browser.get("/").status_code == 200
    assert browser.get("/readyz/").status_code == 200


@pytest.mark.django_db
def test_readyz_reports_a_broker_that_does_not_answer_as_degraded(client):
    with celery_conf(broker_url=f"redis://127.0.0.1:{closed_port()}/0", task_always_eager=False):
        response = client.get("/readyz/")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert report["checks"]["broker"]["status"] == "fail"
