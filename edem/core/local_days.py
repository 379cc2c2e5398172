"""Reading the municipality's local days off and working days for ``edem.core.calendar``."""

import logging
from contextlib import nullcontext

from django.db import DatabaseError, connection, transaction

from . import calendar

logger = logging.getLogger(__name__)


def load():
    """``{date: is_working}`` from ``core.LocalDay``; None when the table cannot be read (during
    the migrations that precede it, or with the database away). A savepoint keeps a failed read
    from breaking the caller's transaction."""
    from .models import LocalDay

    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            rows = list(LocalDay.objects.values_list("day", "kind"))
    except DatabaseError as error:
        logger.warning("Local days unreadable (%s); the country's calendar alone applies.", error)
        return None
    return {day: kind == LocalDay.Kind.WORKING for day, kind in rows}


def changed(**kwargs):
    """post_save / post_delete handler: forget the process's copy now and after commit."""
    calendar.forget_local_days()
    transaction.on_commit(calendar.forget_local_days, using=kwargs.get("using"))
