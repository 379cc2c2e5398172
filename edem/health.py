"""Readiness checks: what ``/readyz/`` and ``manage.py health`` report.

Each check is a function registered with ``@check(name)`` that returns a dict with at least
``status``: ``"ok"``, ``"degraded"`` (works, but slower or late: the cache is down, mail waits)
or ``"fail"``. An exception counts as ``"fail"``. The portal is *ready* when every check named in
``EDEM_READY_REQUIRED`` (default: the database) is not failing; any other failure only makes it
*degraded*. To watch something new (the domain-event outbox, say), add one function here.
"""

import logging
import time

from celery import current_app as celery_app
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from edem.notifications.models import Notification

logger = logging.getLogger(__name__)

OK, DEGRADED, FAIL = "ok", "degraded", "fail"
CHECKS = {}  # name -> function, in the order they run


def check(name):
    def register(function):
        CHECKS[name] = function
        return function

    return register


def run_checks(names=None):
    """{"status": "ok" | "degraded" | "unavailable", "checks": {name: {...}}}."""
    required = set(settings.EDEM_READY_REQUIRED)
    results = {}
    for name, function in CHECKS.items():
        if names and name not in names:
            continue
        started = time.monotonic()
        try:
            result = dict(function())
        except Exception as error:  # a check that cannot run has failed
            logger.warning("Health check %s failed: %s", name, error)
            result = {"status": FAIL, "error": f"{type(error).__name__}: {error}"[:300]}
        result["required"] = name in required
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
    if any(r["status"] == FAIL and r["required"] for r in results.values()):
        status = "unavailable"
    elif any(r["status"] != OK for r in results.values()):
        status = "degraded"
    else:
        status = OK
    return {"status": status, "checks": results}


def _age(moment, now):
    return None if moment is None else round((now - moment).total_seconds())


@check("database")
def database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": OK}


@check("cache")
def cache():
    """Redis itself, not the per-process fallback (edem.core.cache): down means degraded."""
    backend = caches["default"]
    if hasattr(backend, "ping"):
        backend.ping()
        return {"status": OK}
    return {"status": OK, "backend": type(backend).__name__}


@check("broker")
def broker():
    """The Celery broker answers. Down means degraded: the outbox sweep delivers later."""
    if celery_app.conf.task_always_eager:
        return {"status": OK, "mode": "eager"}
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    return {"status": OK}


@check("outbox")
def outbox():
    """Mail waiting to be sent: how many, and how long the oldest has waited."""
    now = timezone.now()
    pending = Notification.objects.filter(status=Notification.Status.PENDING)
    summary = pending.aggregate(oldest=Min("created_at"))
    age = _age(summary["oldest"], now)
    limit = settings.EDEM_READY_OUTBOX_MAX_AGE
    return {
        "status": DEGRADED if age is not None and age > limit.total_seconds() else OK,
        "backlog": pending.count(),
        "oldest_age_seconds": age,
        "failed": Notification.objects.filter(status=Notification.Status.FAILED).count(),
    }


@check("beat")
def beat():
    """When Celery beat last started a periodic task (django-celery-beat writes ``last_run_at``
    back every few minutes). Never, or longer ago than ``EDEM_READY_BEAT_MAX_AGE``: degraded
    (deadline reminders and the outbox sweep are not running)."""
    now = timezone.now()
    last = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]
    age = _age(last, now)
    limit = settings.EDEM_READY_BEAT_MAX_AGE
    late = age is None or age > limit.total_seconds()
    return {
        "status": DEGRADED if late else OK,
        "last_run_at": last.isoformat() if last else None,
        "age_seconds": age,
    }
