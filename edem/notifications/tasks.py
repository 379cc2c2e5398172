from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def deliver_notification(notification_id):
    """Deliver one outbox row; a failure is recorded on the row and retried by the sweep."""
    return services.deliver(notification_id)


@shared_task(ignore_result=True)
def sweep_outbox():
    """Every minute: re-queue what is still pending (see ``services.sweep``)."""
    return services.sweep()
