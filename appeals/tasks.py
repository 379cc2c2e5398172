from celery import shared_task
from django.utils import timezone

from . import reminders
from .services import new_work

WORK_DIGEST_HOUR = 8  # local time: the daily digest of new work goes with the first run from 08:00


@shared_task(ignore_result=True)
def send_deadline_reminders():
    """Beat entry point (hourly): reminders and escalations, each sent once per stage."""
    return reminders.send_due_reminders()


@shared_task(ignore_result=True)
def send_new_work_digests():
    """Beat entry point (hourly): officials who chose the daily digest get their new work in
    one mail a day, from 08:00 local time."""
    if timezone.localtime().hour < WORK_DIGEST_HOUR:
        return 0
    return new_work.send_work_digests()
