"""Recording what happened: the item's immutable history line and its domain event, together.

Every workflow keeps its history in a model built on ``HistoryEvent`` whose foreign key to
the item has ``related_name="events"``. ``record`` writes that line (``to_status`` from the
item's ``status``) and publishes the domain event built from it, in the caller's transaction:
both stand or fall with the change, and subscribers hear of it only after commit."""

from .events import publish


def record(
    item,
    *,
    actor,
    action,
    from_status="",
    note="",
    event=None,
    columns=None,
    **data,
):
    """Write ``item``'s history line and publish its domain event.

    ``event`` is a domain event, or a callable that builds one from the history line (so the
    event can carry the line's id); ``columns`` are extra columns of the history model (such
    as ``is_public``); the remaining keyword arguments are stored as the line's details."""
    line = item.events.create(
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=getattr(item, "status", ""),
        note=note,
        data=data,
        **(columns or {}),
    )
    if event is not None:
        publish(event(line) if callable(event) else event)
    return line
