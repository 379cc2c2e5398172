"""``manage.py sync_beat_schedule`` writes the schedule declared in edem/celery.py."""

from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from edem.celery import BEAT_SCHEDULE

pytestmark = pytest.mark.django_db


def test_sync_beat_schedule_writes_every_declared_task_and_disables_stale_ones():
    every_minute = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="stale", task="edem.gone", interval=every_minute)
    out = StringIO()
    call_command("sync_beat_schedule", stdout=out)
    rows = {
        task.name: (task.task, task.interval.every)
        for task in PeriodicTask.objects.filter(enabled=True)
    }
    assert rows == dict(BEAT_SCHEDULE)
    assert not PeriodicTask.objects.get(name="stale").enabled
    assert "disabled stale task stale" in out.getvalue()
