"""Recording what happened: the item's immutable history line and its domain event, together.

Every workflow keeps its history in a model built on ``edem.core.history.HistoryEvent`` whose
foreign key to the item has ``related_name="events"``. ``record`` writes that line
(``to_status`` from the item's ``status``) and publishes the domain event built from it, in
the caller's transaction: both stand or fall with the change, and subscribers hear of it only
after commit. An app binds its event once (``functools.partial(record, event=...)``)."""

from .events import ConsultationChanged, publish


def record(
    item,
    *,
    actor,
    action,
    from_status="",
    to_status=None,
    note="",
    is_public=None,
    event=None,
    columns=None,
    **data,
):
    """Write ``item``'s history line and publish its domain event.

    ``event(item, line)`` builds the domain event from the item and the new line (so the event
    carries the line's id); ``to_status`` defaults to the item's ``status``; ``is_public``
    fills the column of that name, for the histories that have one, and ``columns`` any other
    column of the history model (a budget line's project); the remaining keyword arguments are
    stored as the line's details."""
    columns = dict(columns or {})
    if is_public is not None:
        columns["is_public"] = is_public
    line = item.events.create(
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=getattr(item, "status", "") if to_status is None else to_status,
        note=note,
        data=data,
        **columns,
    )
    if event is not None:
        publish(event(item, line))
    return line


def consultation_changed(item, line):
    """The event of a line in a consultation instrument's history (discussion, poll,
    petition: the model's name)."""
    return ConsultationChanged(
        instrument=item._meta.model_name,
        object_id=item.pk,
        cabinet_id=getattr(item, "cabinet_id", None),
        history_id=line.pk,
        action=line.action,
        status=line.to_status,
        at=line.at,
    )
