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
# further covers any transaction shorter than it; of the lines it looks back at, the refresh
# folds only those the last run did not see (``rollup.touched_appeals``), and folding an
# appeal twice does no harm (its share is unchanged, so nothing is written).
OVERLAP = datetime.timedelta(minutes=10)
STATE_KEY = "appeals"


def _new_hour(last, now):
    """Whether ``now`` is in another local hour than ``last``: the open and overdue snapshot
    (a count over every open appeal, not an event count) is taken once an hour, the last one
    of a day standing for its end."""
    fmt = "%Y-%m-%d %H"
    return timezone.localtime(last).strftime(fmt) != timezone.localtime(now).strftime(fmt)


def refresh_rollup(*, now=None):
    """Fold the appeals touched since the last run into the rollup and take the hourly open
    and overdue snapshot when an hour has turned. Returns the appeals whose share of the
    rollup changed (None after a first, full build, which counts participation too)."""
    now = now or timezone.now()
    with transaction.atomic():
        state, _created = RollupState.objects.select_for_update().get_or_create(key=STATE_KEY)
        if state.last_run_at is None:
            rollup.rebuild()
            rebuild_participation()
            changed = None
            state.folded = ""  # the next run looks at its whole look-back
        else:
            rollup.commit_without_waiting()
            touched, state.folded = rollup.touched_appeals(
                state.last_run_at - OVERLAP, state.folded
            )
            changed = rollup.fold(touched)
            if _new_hour(state.last_run_at, now):
                rollup.snapshot_overdue(timezone.localdate(now))
        state.last_run_at = now
        state.save(update_fields=["last_run_at", "folded"])
    return changed


def refresh_participation():
    """Recount participation per petition, poll, discussion and budget cycle (instruments
    number in the hundreds: the whole table, apart from the appeals' refresh)."""
    rebuild_participation()


def rebuild_all(*, now=None):
    """Rebuild every rollup table from scratch."""
    now = now or timezone.now()
    with transaction.atomic():
        state, _created = RollupState.objects.select_for_update().get_or_create(key=STATE_KEY)
        rollup.rebuild()
        rebuild_participation()
        state.last_run_at = now
        state.folded = ""  # the next refresh looks at its whole look-back
        state.save(update_fields=["last_run_at", "folded"])
