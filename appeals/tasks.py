from celery import shared_task

from . import reminders


@shared_task(ignore_result=True)
def send_deadline_reminders():
    """Beat entry point (hourly): reminders and escalations, each sent once per stage."""
    return reminders.send_due_reminders()
