"""Celery entry points of the integrations (each module's tasks are imported here, so that
Celery's autodiscovery finds them)."""

from .opendata_tasks import dump_open_data

__all__ = ["dump_open_data"]
