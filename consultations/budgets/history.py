"""The history of a budget cycle: one line per step, with its domain event, written by the
kernel's ``record`` like every other instrument's history."""

from edem.core.events import ConsultationChanged
from edem.core.recording import record


def budget_changed(cycle, line):
    """The event of a line in a budget cycle's history."""
    return ConsultationChanged(
        instrument="budget",
        object_id=cycle.pk,
        cabinet_id=cycle.cabinet_id,
        history_id=line.pk,
        action=line.action,
        status=cycle.status,
        at=line.at,
    )


def record_event(cycle, *, action, actor=None, project=None, from_state="", to_state="", **kw):
    """Write the cycle's history line (about one of its projects, when given) and publish its
    domain event (``ConsultationChanged``). ``from_state``/``to_state`` are the states of what
    changed: the cycle's phase or the project's status."""
    return record(
        cycle,
        actor=actor,
        action=action,
        from_status=from_state,
        to_status=to_state,
        note=kw.pop("note", ""),
        is_public=kw.pop("is_public", True),
        event=budget_changed,
        columns={"project": project},
        **kw,
    )
