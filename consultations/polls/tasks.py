from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def advance_polls():
    """Beat entry point: open and close polls by date (R29). Idempotent."""
    opened, closed = services.advance_by_date()
    return {"opened": opened, "closed": closed}
