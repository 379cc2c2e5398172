"""The history of a budget cycle is the kernel's immutable history (``HistoryEvent``), and the
migration that put it there kept every line it had."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from consultations.budgets.models import BudgetEvent
from consultations.budgets.workflow import Phase, ProjectStatus
from edem.core.history import HistoryEvent

from .factories import ProjectFactory, cycle_in


@pytest.mark.django_db
def test_budget_history_is_written_once_and_never_deleted():
    cycle = cycle_in(Phase.REVIEW)
    project = ProjectFactory(cycle=cycle)
    event = BudgetEvent.objects.create(
        cycle=cycle,
        project=project,
        action="return",
        from_status=ProjectStatus.SUBMITTED,
        to_status=ProjectStatus.RETURNED,
        note="Смета без расчёта",
    )
    assert isinstance(event, HistoryEvent)
    event.note = "другое"
    with pytest.raises(ValueError, match="immutable"):
        event.save()
    with pytest.raises(ValueError, match="never deleted"):
        event.delete()
    event.refresh_from_db()
    assert (event.from_status, event.to_status, event.note) == (
        "submitted",
        "returned",
        "Смета без расчёта",
    )


def test_budget_history_is_indexed_like_the_others():
    indexed = {tuple(index.fields) for index in BudgetEvent._meta.indexes}
    assert ("cycle", "action") in indexed
    assert BudgetEvent._meta.get_field("at").db_index


@pytest.mark.django_db(transaction=True)
def test_the_migration_to_the_kernel_history_keeps_every_line():
    before = [("budgets", "0001_initial")]
    after = [("budgets", "0002_budgetevent_history_event")]
    # The cycle is made with today's model, before the schema goes back: its row outlives
    # the columns the later migrations add (the titles in every language).
    cycle = cycle_in(Phase.SUBMISSION)
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        OldEvent = old.get_model("budgets", "BudgetEvent")
        OldEvent.objects.create(
            cycle_id=cycle.pk, action="phase", from_state="parameters", to_state="submission"
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:  # whatever happens, leave the database at the latest state for the other tests
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    event = BudgetEvent.objects.get(cycle=cycle)
    assert (event.action, event.from_status, event.to_status) == (
        "phase",
        "parameters",
        "submission",
    )
