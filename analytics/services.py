"""The rollup's write side: the incremental refresh the beat task runs and the full rebuild
the management command runs. Nothing else writes the analytics tables."""

import datetime

from django.db import transaction
from django.utils import timezone

from . import rollup
from .models import RollupState
from .participation import rebuild_participation

# A history line is stamped before its transaction commits; a refresh that starts in between
# would miss it if it looked only at lines newer than its last run. Looking back this much
# further covers any transaction shorter than it (recomputing a day twice does no harm).
OVERLAP = datetime.timedelta(minutes=10)
STATE_KEY = "appeals"


def refresh_rollup(*, now=None):
    """Recompute the days touched since the last run, today's overdue snapshot and the
    participation table. Returns the days recomputed."""
    now = now or timezone.now()
    with transaction.atomic():
        state, _created = RollupState.objects.select_for_update().get_or_create(key=STATE_KEY)
        if state.last_run_at is None:
            rollup.rebuild()
            days = None
        else:
            days = rollup.touched_days(state.last_run_at - OVERLAP)
            rollup.refresh(days)
            rollup.snapshot_overdue(timezone.localdate(now))
        rebuild_participation()
        state.last_run_at = now
        state.save(update_fields=["last_run_at"])
    return days


def rebuild_all(*, now=None):
    """Rebuild every rollup table from scratch."""
    now = now or timezone.now()
    with transaction.atomic():
        state, _created = RollupState.objects.select_for_update().get_or_create(key=STATE_KEY)
        rollup.rebuild()
        rebuild_participation()
        state.last_run_at = now
        state.save(update_fields=["last_run_at"])
