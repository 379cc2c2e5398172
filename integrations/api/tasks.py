"""The API's periodic chores."""

from celery import shared_task

from . import idempotency


@shared_task(name="integrations.api.tasks.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys():
    """Daily: forget the writes' idempotency keys older than EDEM_API_IDEMPOTENCY_DAYS."""
    return idempotency.purge()
