from celery import shared_task

from . import services


@shared_task
def refresh_rollup():
    """Fold the appeals' recent history into the rollup (beat: every few minutes)."""
    days = services.refresh_rollup()
    return None if days is None else len(days)
