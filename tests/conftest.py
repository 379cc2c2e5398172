import copy
import os
import uuid

import pytest

from .factories import CabinetFactory, CitizenFactory, UserFactory

SERVICES = os.environ.get("EDEM_TEST_SERVICES") == "1"

needs_services = pytest.mark.skipif(
    not SERVICES, reason="needs the real PostgreSQL and Redis (run through `make test`)"
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _mail_to_locmem(settings):
    """Unless a test says otherwise, mail goes to django.core.mail.outbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test gets a cache of its own (a fresh key prefix): allauth's rate limits and
    used-TOTP markers live there, and on Redis they would outlive the test. The broker's keys
    in Redis are left alone."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"edem-test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request of the test client activates the
    reader's language for the thread and leaves it so, and a translated field's lookup
    (``Poll.objects.get(title=...)``, django-modeltranslation) reads the active language's
    column."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in-process unless a test starts a real worker (tests/notifications)."""
    from celery import _state as celery_state

    from edem.celery import app

    # Celery marks "inside a task" in a process-wide flag that an eager task sets and resets
    # around itself; two eager tasks in two threads at once (a live server's requests in the
    # browser tests) can leave it set, and every later ``.get()`` would be refused.
    celery_state._set_task_join_will_block(False)
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _force_login_includes_the_second_factor(monkeypatch):
    """``client.force_login`` stands for a finished sign-in: for a user with an authenticator
    app it also records the second factor in the session, as allauth's own sign-in does, so the
    service cabinet (which demands a session that used the code) opens. Tests of the sign-in
    itself post to the real forms instead."""
    from allauth.mfa.models import Authenticator
    from django.test import Client

    from .helpers import record_second_factor

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            record_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def admin_user(db, django_user_model):
    """pytest-django's superuser, with an authenticator app: staff enter the admin only after
    a sign-in with the second factor (edem.accounts.middleware), and ``admin_client``'s
    ``force_login`` records it (see above)."""
    from .factories import add_totp

    user = django_user_model.objects.create_superuser(email="admin@example.com", password="pw")
    add_totp(user)
    return user


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def citizen(db):
    return CitizenFactory()


@pytest.fixture
def cabinet(db):
    return CabinetFactory()


@pytest.fixture(autouse=True)
def _municipality_per_test(request, monkeypatch):
    """The calendar's copy of the municipality's local days (edem.core.calendar) lives in the
    process: each test starts without it. A test without the database has no local days (the
    pure date arithmetic of the calendar tests reads none) and no municipality settings record
    (edem.core.municipality: the environment's values)."""
    from django.test import TransactionTestCase

    from edem.core import calendar, municipality

    uses_db = (
        request.node.get_closest_marker("django_db") is not None
        or "_django_db_helper" in request.fixturenames
        or (request.cls is not None and issubclass(request.cls, TransactionTestCase))
    )
    calendar.forget_local_days()
    if not uses_db:
        monkeypatch.setattr(calendar, "_local_loader", dict)
        monkeypatch.setattr(municipality, "_read_record", dict)
    elif request.cls is None:
        # A running portal has both in memory or in its cache; read them before the test, so
        # that the tests counting a page's queries count the page's own.
        request.getfixturevalue("_fresh_cache")
        request.getfixturevalue("_django_db_helper")
        municipality.current()
        calendar.local_days()
    yield
    calendar.forget_local_days()
