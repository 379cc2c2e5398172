"""Celery entry points of the kernel. The outbox's tasks are defined beside the outbox
(``events.py``: delivery queues its own retries); they are named here for autodiscovery."""

from .events import deliver_event, sweep_events

__all__ = ["deliver_event", "sweep_events"]
