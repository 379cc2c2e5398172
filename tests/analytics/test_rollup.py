"""The rollup against a direct computation from the raw tables, on random appeals and
histories (hypothesis), the monthly tables against the daily ones, and the incremental
refresh (appeal by appeal, through the ledger) against a full rebuild."""

import datetime
import threading
import zoneinfo
from collections import Counter, defaultdict

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from analytics import rollup, selectors, services
from analytics.models import (
    DAYS_CAP,
    AppealDay,
    AppealMonth,
    ExecutorDay,
    ExecutorMonth,
    NoMeritsDay,
    NoMeritsMonth,
    ProcessingDays,
    ProcessingMonth,
    RollupState,
)
from appeals.community.models import Support
from appeals.models import Answer, Appeal, AppealEvent, Category, Rating
from tests.factories import AppealFactory, CabinetFactory, CitizenFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
CHANNELS = ["portal", "paper"]
KINDS = ["statement", "complaint"]
GROUNDS = ["abusive", "unclear"]

step = st.one_of(
    st.tuples(st.just("register")),
    st.tuples(st.just("forward"), st.integers(0, 2)),
    st.tuples(st.just("answer"), st.booleans(), st.one_of(st.none(), st.integers(1, 5))),
    st.tuples(st.just("close_no_merits"), st.sampled_from(GROUNDS)),
    st.tuples(st.just("reopen")),
    st.tuples(st.just("support"), st.integers(0, 2)),
)
appeal = st.fixed_dictionaries(
    {
        "cabinet": st.integers(0, 2),
        "territory": st.sampled_from([None, 0, 1]),
        "category": st.sampled_from([None, 0]),
        "channel": st.sampled_from(CHANNELS),
        "kind": st.sampled_from(KINDS),
        "start": st.integers(0, 20 * 24),  # hours after START
        "steps": st.lists(st.tuples(step, st.integers(1, 60)), max_size=4),  # (step, hours later)
    }
)


@pytest.fixture
def world(db):
    return {
        "cabinets": [CabinetFactory() for _ in range(3)],
        "territories": [TerritoryFactory() for _ in range(2)],
        "categories": [Category.objects.create(name="Дороги")],
        "users": [CitizenFactory() for _ in range(3)],
    }


def _event(appeal_row, at, action, **data):
    return AppealEvent.objects.create(
        appeal=appeal_row, at=at, action=action, to_status=appeal_row.status, data=data
    )


def make_appeal(world, spec, offset=datetime.timedelta(0)):
    """Write one appeal and its history straight into the raw tables."""
    at = START + offset + datetime.timedelta(hours=spec["start"])
    cabinets = world["cabinets"]
    row = AppealFactory(
        cabinet=cabinets[spec["cabinet"]],
        territory=None if spec["territory"] is None else world["territories"][spec["territory"]],
        category=None if spec["category"] is None else world["categories"][spec["category"]],
        channel=spec["channel"],
        kind=spec["kind"],
        received_at=at,
        author=world["users"][0],
    )
    _event(row, at, "receive")
    play(world, row, spec["steps"], at)
    return row


def play(world, row, steps, at):
    for (action, *args), hours in steps:
        at = at + datetime.timedelta(hours=hours)
        row.refresh_from_db()
        if action == "register":
            _event(row, at, "register")
        elif action == "forward" and not row.answers.exists():  # only before an answer
            to = world["cabinets"][args[0]]
            _event(row, at, "forward", from_cabinet=row.cabinet_id, to_cabinet=to.pk)
            Appeal.objects.filter(pk=row.pk).update(cabinet=to, received_at=at)
            _event(row, at, "receive", forwarded=True)
        elif action == "answer":
            Answer.objects.create(
                appeal=row,
                text="…",
                drafted_by=world["users"][1 + args[0]],
                signed_at=at,
                on_time=args[0],
            )
            _event(row, at, "sign_answer")
            if args[1] is not None:
                Rating.objects.update_or_create(
                    appeal=row, defaults={"stars": args[1], "created_at": at}
                )
                _event(row, at, "rate", stars=args[1])
        elif action == "close_no_merits":
            Appeal.objects.filter(pk=row.pk).update(no_merits_ground=args[0])
            _event(row, at, "close_no_merits")
        elif action == "reopen":
            _event(row, at, "reopen")
        elif action == "support":
            user = world["users"][args[0]]
            if not Support.objects.filter(appeal=row, user=user).exists():
                Support.objects.create(appeal=row, user=user, created_at=at)
    return at


# --- the direct computation -----------------------------------------------------------------


def _local(value):
    return value.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def _cell(appeal_row, when, cabinet_id):
    return (
        _local(when),
        cabinet_id,
        appeal_row.territory_id,
        appeal_row.category_id,
        appeal_row.channel,
        appeal_row.kind,
    )


def expected():
    days, hist, grounds, executors = defaultdict(Counter), Counter(), Counter(), Counter()
    for row in Appeal.objects.all():
        cabinet = row.cabinet_id
        for event in row.events.order_by("-id"):  # walk back: a forwarding names the old one
            if event.action == "forward":
                cabinet = event.data["from_cabinet"]
            cell = _cell(row, event.at, cabinet)
            if event.action == "receive":
                days[cell]["received"] += 1
            elif event.action == "register":
                days[cell]["registered"] += 1
            elif event.action == "forward":
                days[cell]["forwarded_out"] += 1
            elif event.action == "close_no_merits":
                days[cell]["no_merits"] += 1
                grounds[(*cell, row.no_merits_ground)] += 1
            elif event.action in ("reopen", "reopen_by_head"):
                days[cell]["reopened"] += 1
        for answer in row.answers.filter(signed_at__isnull=False):
            cell = _cell(row, answer.signed_at, row.cabinet_id)
            spent = max(0, (_local(answer.signed_at) - _local(row.received_at)).days)
            days[cell]["answered"] += 1
            days[cell]["answered_on_time"] += int(bool(answer.on_time))
            days[cell]["processing_days_sum"] += spent
            days[cell]["processing_days_count"] += 1
            hist[(*cell, min(spent, DAYS_CAP))] += 1
            executor = (_local(answer.signed_at), row.cabinet_id, answer.drafted_by_id)
            executors[(*executor, "answered")] += 1
            executors[(*executor, "on_time")] += int(bool(answer.on_time))
        rating = Rating.objects.filter(appeal=row).first()
        if rating:
            cell = _cell(row, rating.created_at, row.cabinet_id)
            days[cell]["rating_sum"] += rating.stars
            days[cell]["rating_count"] += 1
        for support in row.supports.all():
            days[_cell(row, support.created_at, row.cabinet_id)]["supports"] += 1
    return (
        {cell: +measures for cell, measures in days.items() if +measures},
        +hist,
        +grounds,
        +executors,
    )


def actual():
    names = ("day", "cabinet_id", "territory_id", "category_id", "channel", "kind")
    days = defaultdict(Counter)
    for row in AppealDay.objects.values():
        cell = tuple(row[n] for n in names)
        for field in services.rollup.DAY_MEASURES:
            days[cell][field] += row[field]
    hist = Counter()
    for row in ProcessingDays.objects.values():
        hist[(*(row[n] for n in names), row["days"])] += row["answers"]
    grounds = Counter()
    for row in NoMeritsDay.objects.values():
        grounds[(*(row[n] for n in names), row["ground"])] += row["appeals"]
    executors = Counter()
    for row in ExecutorDay.objects.values():
        executor = (row["day"], row["cabinet_id"], row["executor_id"])
        executors[(*executor, "answered")] += row["answered"]
        executors[(*executor, "on_time")] += row["answered_on_time"]
    return ({c: +m for c, m in days.items() if +m}, +hist, +grounds, +executors)


def months_from_days():
    """The monthly tables as the day tables summed per month."""
    names = ("cabinet_id", "territory_id", "category_id", "channel", "kind")
    cells, hist, executors = defaultdict(Counter), Counter(), Counter()
    for row in AppealDay.objects.values():
        cell = (row["day"].replace(day=1), *(row[n] for n in names))
        for field in services.rollup.DAY_MEASURES:
            cells[cell][field] += row[field]
    for row in ProcessingDays.objects.values():
        month = row["day"].replace(day=1)
        hist[(month, row["cabinet_id"], row["territory_id"], row["days"])] += row["answers"]
    for row in ExecutorDay.objects.values():
        key = (row["day"].replace(day=1), row["cabinet_id"], row["executor_id"])
        executors[(*key, "answered")] += row["answered"]
        executors[(*key, "on_time")] += row["answered_on_time"]
    grounds = Counter()
    for row in NoMeritsDay.objects.values():
        month = row["day"].replace(day=1)
        grounds[(month, row["cabinet_id"], row["territory_id"], row["ground"])] += row["appeals"]
    return {c: +m for c, m in cells.items() if +m}, +hist, +executors, +grounds


def months():
    names = ("cabinet_id", "territory_id", "category_id", "channel", "kind")
    cells, hist, executors = defaultdict(Counter), Counter(), Counter()
    for row in AppealMonth.objects.values():
        cell = (row["month"], *(row[n] for n in names))
        for field in services.rollup.DAY_MEASURES:
            cells[cell][field] += row[field]
    for row in ProcessingMonth.objects.values():
        key = (row["month"], row["cabinet_id"], row["territory_id"], row["days"])
        hist[key] += row["answers"]
    for row in ExecutorMonth.objects.values():
        key = (row["month"], row["cabinet_id"], row["executor_id"])
        executors[(*key, "answered")] += row["answered"]
        executors[(*key, "on_time")] += row["answered_on_time"]
    grounds = Counter()
    for row in NoMeritsMonth.objects.values():
        grounds[(row["month"], row["cabinet_id"], row["territory_id"], row["ground"])] += row[
            "appeals"
        ]
    return {c: +m for c, m in cells.items() if +m}, +hist, +executors, +grounds


PERIODS = [
    (datetime.date(2026, 3, 5), datetime.date(2026, 4, 20)),  # partial months at both ends
    (datetime.date(2026, 3, 1), datetime.date(2026, 4, 30)),  # whole months only
    (datetime.date(2026, 2, 10), datetime.date(2026, 3, 3)),
    (datetime.date(2026, 3, 7), datetime.date(2026, 3, 19)),  # inside one month
]


def periods_agree():
    """What the dashboard reads (whole months from the monthly tables, the ends from the
    daily ones) equals the daily tables summed over the same days."""
    for start, end in PERIODS:
        read = selectors.over_period(
            (AppealDay, AppealMonth),
            Q(),
            start,
            end,
            {"cabinet": F("cabinet_id")},
            {"received": Sum("received"), "answered": Sum("answered")},
            by_month=True,
        )
        direct = Counter()
        for row in AppealDay.objects.filter(day__gte=start, day__lte=end).values():
            key = (row["day"].replace(day=1), row["cabinet_id"])
            direct[(*key, "received")] += row["received"]
            direct[(*key, "answered")] += row["answered"]
        got = Counter()
        for key, row in read.items():
            for name in ("received", "answered"):
                got[(*key, name)] += row[name]
        assert +got == +direct, (start, end)


def test_split_period():
    d = datetime.date
    assert selectors.split_period(d(2026, 3, 5), d(2026, 6, 10)) == (
        (d(2026, 4, 1), d(2026, 5, 1)),
        [(d(2026, 3, 5), d(2026, 3, 31)), (d(2026, 6, 1), d(2026, 6, 10))],
    )
    assert selectors.split_period(d(2026, 3, 1), d(2026, 3, 31)) == (
        (d(2026, 3, 1), d(2026, 3, 1)),
        [],
    )
    assert selectors.split_period(d(2026, 3, 2), d(2026, 3, 30)) == (
        None,
        [(d(2026, 3, 2), d(2026, 3, 30))],
    )
    assert selectors.split_period(d(2025, 12, 15), d(2026, 1, 31)) == (
        (d(2026, 1, 1), d(2026, 1, 1)),
        [(d(2025, 12, 15), d(2025, 12, 31))],
    )


FEW = hsettings(
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FEW
@given(specs=st.lists(appeal, min_size=1, max_size=5))
def test_rollup_equals_a_direct_count_of_the_raw_tables(world, specs):
    with transaction.atomic():
        for spec in specs:
            make_appeal(world, spec)
        services.rebuild_all()
        assert actual() == expected()
        assert months() == months_from_days()
        periods_agree()
        transaction.set_rollback(True)


@FEW
@given(
    first=st.lists(appeal, min_size=1, max_size=4),
    later=st.lists(
        st.tuples(st.integers(0, 3), st.lists(st.tuples(step, st.integers(1, 60)))), max_size=4
    ),
    new=st.lists(appeal, max_size=2),
)
def test_incremental_refresh_equals_a_full_rebuild(world, first, later, new):
    """A first refresh, then more history on old appeals (forwardings move their earlier days
    to another cabinet) and new appeals, a second refresh: the tables equal a rebuild."""
    with transaction.atomic():
        rows = [make_appeal(world, spec) for spec in first]
        first_run = START + datetime.timedelta(days=40)
        services.refresh_rollup(now=first_run)  # a full build
        # A refresh that leaves its marker: the lines below are written by this (test's)
        # transaction, still in progress, which the marker must not count as seen.
        services.refresh_rollup(now=first_run)
        for index, steps in later:
            play(world, rows[index % len(rows)], steps, first_run)
        for spec in new:
            make_appeal(world, spec, offset=datetime.timedelta(days=40))
        services.refresh_rollup(now=first_run + datetime.timedelta(days=30))
        incremental, incremental_months = actual(), months()
        assert incremental_months == months_from_days()
        services.rebuild_all()
        assert incremental == actual() == expected()
        assert incremental_months == months()
        transaction.set_rollback(True)


ANSWERED = {
    "cabinet": 0,
    "territory": None,
    "category": 0,
    "channel": "portal",
    "kind": "statement",
    "start": 5,
    "steps": [(("register",), 2), (("answer", True, 4), 30)],
}


def test_folding_an_appeal_again_writes_nothing(world):
    first, second = make_appeal(world, ANSWERED), make_appeal(world, {**ANSWERED, "cabinet": 1})
    services.rebuild_all()
    _event(first, START + datetime.timedelta(days=3), "reopen")
    assert rollup.fold([first.pk]) == [first.pk]
    folded = actual(), months()
    assert rollup.fold([first.pk]) == []
    assert rollup.fold([second.pk, first.pk]) == []
    assert (actual(), months()) == folded
    assert folded == (expected(), months_from_days())


def _unseen():
    state = RollupState.objects.get(key=services.STATE_KEY)
    return rollup.touched_appeals(state.last_run_at - services.OVERLAP, state.folded)[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_a_line_whose_transaction_commits_after_a_later_one_is_folded(world):
    """Two history lines: the earlier (lower id, earlier time) commits after the later one,
    and after a refresh that folded the later one. The next refresh still folds it, and no
    refresh folds again a line it has already seen."""
    early, late = make_appeal(world, ANSWERED), make_appeal(world, {**ANSWERED, "cabinet": 1})
    services.refresh_rollup()  # the full build
    services.refresh_rollup()  # the first marker
    assert _unseen() == set()
    written, commit, ids, errors = threading.Event(), threading.Event(), [], []

    def slow_transaction():
        try:
            with transaction.atomic():
                ids.append(_event(early, timezone.now(), "reopen").id)
                written.set()
                commit.wait(10)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_transaction)
    thread.start()
    assert written.wait(10)
    line = _event(late, timezone.now(), "reopen")
    assert ids[0] < line.id
    assert services.refresh_rollup() == [late.pk]
    assert _unseen() == set()
    commit.set()
    thread.join()
    assert not errors
    assert _unseen() == {early.pk}
    assert services.refresh_rollup() == [early.pk]
    assert _unseen() == set()
    assert services.refresh_rollup() == []
    assert actual() == expected()
    assert months() == months_from_days()
