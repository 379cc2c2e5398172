"""docker/healthcheck.py beat: healthy while beat keeps sending its periodic tasks."""

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

SCRIPT = Path(__file__).resolve().parents[2] / "docker" / "healthcheck.py"
spec = importlib.util.spec_from_file_location("edem_container_healthcheck", SCRIPT)
healthcheck = importlib.util.module_from_spec(spec)
spec.loader.exec_module(healthcheck)

pytestmark = pytest.mark.django_db


def task(name, last_run_at, enabled=True):
    every = IntervalSchedule.objects.get_or_create(every=60, period=IntervalSchedule.SECONDS)[0]
    return PeriodicTask.objects.create(
        name=name, task="x", interval=every, last_run_at=last_run_at, enabled=enabled
    )


def test_beat_is_unhealthy_before_its_first_run_and_after_a_long_silence():
    PeriodicTask.objects.all().delete()
    assert healthcheck.beat() == 1
    task("sweep", timezone.now() - timedelta(minutes=11))
    assert healthcheck.beat() == 1
    task("disabled", timezone.now(), enabled=False)
    assert healthcheck.beat() == 1


def test_beat_is_healthy_when_a_task_was_sent_recently():
    PeriodicTask.objects.all().delete()
    task("sweep", timezone.now() - timedelta(minutes=2))
    assert healthcheck.beat() == 0
