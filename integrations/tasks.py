"""Celery entry points of the integrations: each calls its concern's functions (the open data
task is imported here so that Celery's autodiscovery finds it)."""

from celery import shared_task
from django.conf import settings

from .api.tasks import purge_idempotency_keys
from .gateway import inbound
from .opendata_tasks import dump_open_data
from .webhooks.delivery import send_webhook, sweep_webhooks

__all__ = [
    "dump_open_data",
    "poll_gateway",
    "purge_idempotency_keys",
    "send_webhook",
    "sweep_webhooks",
]


@shared_task(name="integrations.tasks.poll_gateway", ignore_result=True)
def poll_gateway():
    """Every minute: read the gateway's mailbox (nothing to do without EDEM_GATEWAY_IMAP_HOST)."""
    if not settings.EDEM_GATEWAY_IMAP_HOST:
        return {}
    return inbound.poll()
