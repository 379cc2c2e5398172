"""Celery entry points of the integrations; they only call the gateway's functions."""

from celery import shared_task
from django.conf import settings

from .gateway import inbound


@shared_task(name="integrations.tasks.poll_gateway", ignore_result=True)
def poll_gateway():
    """Every minute: read the gateway's mailbox (nothing to do without EDEM_GATEWAY_IMAP_HOST)."""
    if not settings.EDEM_GATEWAY_IMAP_HOST:
        return {}
    return inbound.poll()
