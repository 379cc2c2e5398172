from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def run_petitions_by_date():
    """Beat entry point (hourly, idempotent): collection periods that ended become EXPIRED
    (R24, R26); missed moderation (R23) and consideration (R25) terms are flagged once and the
    cabinet is told."""
    return services.run_by_date()
