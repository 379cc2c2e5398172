"""Celery entry points of participatory budgeting; they only call services."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def advance_budget_cycles():
    """Beat entry point (hourly): move every cycle to the phase its dates have reached (R32),
    with each transition's side effects. Idempotent."""
    return services.advance_all()
