"""Celery entry points of discussions; they only call services."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def run_discussion_calendar():
    """Beat entry point: open scheduled discussions and close finished ones (R29). Idempotent."""
    started, completed = services.run_calendar()
    return {"started": started, "completed": completed}
