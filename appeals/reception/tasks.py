"""Celery entry points of personal reception; they only call services."""

from celery import shared_task

from . import services


@shared_task
def send_reception_reminders():
    """Beat: remind the citizens booked for tomorrow (R15)."""
    return services.send_reminders()
