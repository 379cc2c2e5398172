"""Celery entry points of the outbox. They are defined beside the outbox (``services.py``:
``notify`` queues the delivery task itself); named here for autodiscovery and for callers."""

from .services import deliver_notification, sweep_outbox

__all__ = ["deliver_notification", "sweep_outbox"]
