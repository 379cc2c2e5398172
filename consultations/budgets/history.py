"""The history of a budget cycle: one line per step, with its domain event."""

from edem.core.events import ConsultationChanged, publish

from .models import BudgetEvent


def record_event(cycle, *, action, actor=None, project=None, from_state="", to_state="", **kw):
    """Write the cycle's history line and publish its domain event (``ConsultationChanged``)."""
    line = BudgetEvent.objects.create(
        cycle=cycle,
        project=project,
        actor=actor,
        action=action,
        from_status=from_state,
        to_status=to_state,
        note=kw.pop("note", ""),
        is_public=kw.pop("is_public", True),
        data=kw,
    )
    publish(
        ConsultationChanged(
            instrument="budget",
            object_id=cycle.pk,
            cabinet_id=cycle.cabinet_id,
            history_id=line.pk,
            action=action,
            status=cycle.status,
        )
    )
    return line
