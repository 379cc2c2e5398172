"""Computing the rollup (``analytics.models``) from the raw tables with set-based SQL, and
keeping it current appeal by appeal.

The ledger (``AppealShare``) holds each appeal's share: one row per appeal and fact cell, with
the fact's measures. It is computed from fact querysets that select one row per fact — a
history event, a signed answer, a rating, a support — with its cell (local day, cabinet,
territory, category, channel, kind; the executor and processing days of an answer; the ground
of a closing without an answer on the merits) and its measures. Every other rollup table is a
sum of the ledger.

A fact's cell:

* day: the local date (``settings.TIME_ZONE``) of the fact's time;
* cabinet: for a history event, the cabinet that held the appeal *at that moment*: the
  ``from_cabinet`` of the first forwarding at or after the event, else the appeal's cabinet
  now. Answers, ratings and supports belong to the appeal's current cabinet (an appeal is only
  forwarded before it is answered);
* territory, category, channel, kind: the appeal's current ones (a reclassification moves the
  appeal's whole record).

``rebuild()`` recomputes everything with one ``INSERT … SELECT … GROUP BY`` per table (built
from Django querysets, so the same code runs on SQLite and PostgreSQL): the ledger from the
facts, the day and month tables from the ledger. ``fold(appeals)`` is the incremental
refresh: it computes the share of each given appeal again (a few index reads), compares it
with the ledger, and adds the difference (new rows minus old rows) to exactly the rollup rows
it concerns — so an event that changes no figure writes nothing, and one that does changes a
handful of rows, whatever the size of the archive (on PostgreSQL in one statement).
``touched_appeals(since, folded)`` finds the appeals to fold: those with history lines in the
look-back that the last run did not see (on PostgreSQL by the transactions' ids against the
last run's snapshot, so a line whose transaction commits late is still found and a line
already folded is not folded again).
"""

import datetime
import functools
import json
import operator
import re
import zoneinfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Greatest, Least, TruncDate, TruncMonth
from django.utils import timezone

from appeals.community.models import Support
from appeals.models import Answer, Appeal, AppealEvent, Rating
from appeals.workflow import OPEN_STATES
from edem.core import prepared
from edem.core.prepared import Typed

from .models import (
    DAYS_CAP,
    AppealDay,
    AppealMonth,
    AppealShare,
    ExecutorDay,
    ExecutorMonth,
    NoMeritsDay,
    NoMeritsMonth,
    OverdueDay,
    ProcessingDays,
    ProcessingMonth,
)

DAY_MEASURES = (
    "received",
    "registered",
    "answered",
    "answered_on_time",
    "forwarded_out",
    "no_merits",
    "reopened",
    "processing_days_sum",
    "processing_days_count",
    "rating_sum",
    "rating_count",
    "supports",
)
REOPEN_ACTIONS = ("reopen", "reopen_by_head")


class DaysBetween(Func):
    """Whole calendar days from the second date to the first."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, conn, **extra):
        return super().as_sql(compiler, conn, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler, conn, **extra):
        return super().as_sql(
            compiler,
            conn,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_day(field):
    return TruncDate(field, tzinfo=_tz())


def _int(value):
    return Cast(Value(value), IntegerField())


def _flag(condition):
    return Case(When(condition, then=_int(1)), default=_int(0), output_field=IntegerField())


def _cell(prefix, day_field, cabinet=None):
    """The cell of a fact whose appeal is reached through ``prefix`` ("appeal__" or "")."""
    return {
        "c_day": local_day(day_field),
        "c_cabinet": cabinet if cabinet is not None else F(f"{prefix}cabinet_id"),
        "c_territory": F(f"{prefix}territory_id"),
        "c_category": F(f"{prefix}category_id"),
        "c_channel": F(f"{prefix}channel"),
        "c_kind": F(f"{prefix}kind"),
    }


def cabinet_at_event(every=False):
    """The cabinet that held the appeal when the event happened (see the module docstring).
    ``every``: written for reading every event (a rebuild); otherwise for a few appeals'."""
    next_forward = (
        AppealEvent.objects.filter(appeal_id=OuterRef("appeal_id"), action="forward")
        .filter(id__gte=OuterRef("id"))
        .order_by("id")
        .annotate(from_cabinet=Cast(KT("data__from_cabinet"), BigIntegerField()))
        .values("from_cabinet")[:1]
    )
    at_event = Coalesce(
        Subquery(next_forward), F("appeal__cabinet_id"), output_field=BigIntegerField()
    )
    if not every:
        return at_event
    forwarded = AppealEvent.objects.filter(action="forward").order_by().values("appeal_id")
    # Forwardings are few: the uncorrelated IN is one hashed set, so only the events of
    # appeals that were ever forwarded look for their next forwarding.
    return Case(
        When(
            appeal_id__in=forwarded,
            then=at_event,
        ),
        default=F("appeal__cabinet_id"),
        output_field=BigIntegerField(),
    )


def _measures(**given):
    return {f"m_{name}": given.get(name, _int(0)) for name in DAY_MEASURES}


def _select(qs, annotations):
    return qs.order_by().annotate(**annotations).values(*annotations)


def _none(field):
    return Cast(Value(None), field)


def _share_key(prefix, day_field, cabinet=None, executor=None, ground=None, days=None):
    """A fact's ledger key: its appeal and cell, the executor and processing days of an
    answer, the ground of a closing without an answer on the merits."""
    return {
        "c_appeal": F("appeal_id"),
        **_cell(prefix, day_field, cabinet),
        "c_executor": executor if executor is not None else _none(BigIntegerField()),
        "c_ground": ground if ground is not None else Cast(Value(""), CharField()),
        "c_days": days if days is not None else _none(IntegerField()),
    }


def share_sources(appeals=None):
    """The fact querysets of the ledger, one row per fact (optionally only those of
    ``appeals``, ids or a subquery of them): history events, signed answers, ratings,
    supports."""
    mine = Q() if appeals is None else Q(appeal_id__in=appeals)
    events = _select(
        AppealEvent.objects.filter(
            mine, action__in=("receive", "register", "forward", "close_no_merits", *REOPEN_ACTIONS)
        ),
        {
            **_share_key(
                "appeal__",
                "at",
                cabinet_at_event(every=appeals is None),
                ground=Case(
                    When(action="close_no_merits", then=F("appeal__no_merits_ground")),
                    default=Value(""),
                    output_field=CharField(),
                ),
            ),
            **_measures(
                received=_flag(Q(action="receive")),
                registered=_flag(Q(action="register")),
                forwarded_out=_flag(Q(action="forward")),
                no_merits=_flag(Q(action="close_no_merits")),
                reopened=_flag(Q(action__in=REOPEN_ACTIONS)),
            ),
        },
    )
    answers = _select(
        Answer.objects.filter(mine, signed_at__isnull=False),
        {
            **_share_key(
                "appeal__",
                "signed_at",
                executor=Cast(F("drafted_by_id"), BigIntegerField()),
                days=Least(processing_days(), _int(DAYS_CAP)),
            ),
            **_measures(
                answered=_int(1),
                answered_on_time=_flag(Q(on_time=True)),
                processing_days_sum=processing_days(),
                processing_days_count=_int(1),
            ),
        },
    )
    ratings = _select(
        Rating.objects.filter(mine),
        {
            **_share_key("appeal__", "created_at"),
            **_measures(rating_sum=Cast("stars", IntegerField()), rating_count=_int(1)),
        },
    )
    supports = _select(
        Support.objects.filter(mine),
        {**_share_key("appeal__", "created_at"), **_measures(supports=_int(1))},
    )
    return [events, answers, ratings, supports]


def processing_days():
    """Calendar days from the appeal's receipt (in the cabinet that answered) to the answer
    (never below zero: an answer always follows its receipt, a clock's slip is not counted)."""
    return Greatest(DaysBetween(local_day("signed_at"), local_day("appeal__received_at")), _int(0))


CELL = ("day", "cabinet_id", "territory_id", "category_id", "channel", "kind")
SHARE_KEY = ("appeal_id", *CELL, "executor_id", "ground", "days")
SHARE_ALIASES = (
    "c_appeal",
    "c_day",
    "c_cabinet",
    "c_territory",
    "c_category",
    "c_channel",
    "c_kind",
    "c_executor",
    "c_ground",
    "c_days",
)


def _insert(model, sources, group, sums, grouped=True):
    """INSERT INTO model (group columns, sum columns) SELECT group, SUM(...) FROM (the union of
    the sources) GROUP BY group. ``group`` and ``sums`` are (field, source alias) pairs.
    Not ``grouped``: the rows are inserted as they are, one per fact."""
    compiled = sources[0] if len(sources) == 1 else sources[0].union(*sources[1:], all=True)
    sql, params = compiled.query.sql_with_params()
    qn = connection.ops.quote_name
    keys = [qn(alias) for _field, alias in group]
    columns = [model._meta.get_field(name).column for name, _alias in (*group, *sums)]
    pattern = "SUM({})" if grouped else "{}"
    select = keys + [pattern.format(qn(alias)) for _field, alias in sums]
    # Only quoted names and Django's compiled SQL are formatted in; values stay bound.
    statement = "INSERT INTO {} ({}) SELECT {} FROM ({}) facts".format(  # noqa: S608
        qn(model._meta.db_table),
        ", ".join(qn(c) for c in columns),
        ", ".join(select),
        sql,
    )
    if grouped:
        # In the order of the keys (the day or month first): the rows of a period then lie
        # together on disk, so a dashboard's read of a few days touches few pages.
        statement += " GROUP BY {0} ORDER BY {0}".format(", ".join(keys))
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _rows(model, where=None, month=False, **columns):
    """A table's rows (``where``) as the source of a derived table: ``columns`` maps each of
    its fields to an expression on ``model``; ``month`` adds the month of the day."""
    extra = {"s_month": TruncMonth("day")} if month else {}
    return [
        model.objects.filter(where or Q())
        .order_by()
        .annotate(**extra, **{f"s_{name}": expr for name, expr in columns.items()})
        .values(*extra, *(f"s_{name}" for name in columns))
    ]


def _derive():
    """Every rollup table with set-based SQL: the day tables from the ledger, the month
    tables from the day tables."""
    cell = {name.removesuffix("_id"): F(name) for name in CELL}
    measures = {name: F(name) for name in DAY_MEASURES}

    def pairs(names):
        return [(name, f"s_{name}") for name in names]

    _insert(AppealDay, _rows(AppealShare, **cell, **measures), pairs(cell), pairs(measures))
    _insert(
        ProcessingDays,
        _rows(
            AppealShare,
            Q(days__isnull=False),
            **cell,
            days=F("days"),
            answers=F("processing_days_count"),
        ),
        pairs([*cell, "days"]),
        pairs(["answers"]),
    )
    _insert(
        NoMeritsDay,
        _rows(AppealShare, Q(no_merits__gt=0), **cell, ground=F("ground"), appeals=F("no_merits")),
        pairs([*cell, "ground"]),
        pairs(["appeals"]),
    )
    by_executor = {"cabinet": F("cabinet_id"), "executor": F("executor_id")}
    executed = {"answered": F("answered"), "answered_on_time": F("answered_on_time")}
    _insert(
        ExecutorDay,
        _rows(AppealShare, Q(executor_id__isnull=False), day=F("day"), **by_executor, **executed),
        pairs(["day", *by_executor]),
        pairs(executed),
    )
    month_cell = {k: v for k, v in cell.items() if k != "day"}
    _insert(
        AppealMonth,
        _rows(AppealDay, month=True, **month_cell, **measures),
        [("month", "s_month"), *pairs(month_cell)],
        pairs(measures),
    )
    histogram = {"cabinet": F("cabinet_id"), "territory": F("territory_id"), "days": F("days")}
    _insert(
        ProcessingMonth,
        _rows(ProcessingDays, month=True, **histogram, answers=F("answers")),
        [("month", "s_month"), *pairs(histogram)],
        pairs(["answers"]),
    )
    grounds = {"cabinet": F("cabinet_id"), "territory": F("territory_id"), "ground": F("ground")}
    _insert(
        NoMeritsMonth,
        _rows(NoMeritsDay, month=True, **grounds, appeals=F("appeals")),
        [("month", "s_month"), *pairs(grounds)],
        pairs(["appeals"]),
    )
    _insert(
        ExecutorMonth,
        _rows(ExecutorDay, month=True, **by_executor, **executed),
        [("month", "s_month"), *pairs(by_executor)],
        pairs(executed),
    )


DERIVED = (
    AppealDay,
    AppealMonth,
    ProcessingDays,
    ProcessingMonth,
    NoMeritsDay,
    NoMeritsMonth,
    ExecutorDay,
    ExecutorMonth,
)


def _empty(*models):
    """Empty these tables (TRUNCATE where the database has it: deleting millions of rows one
    by one is most of a rebuild's time)."""
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses a table with foreign-key checks still pending in this
            # transaction (rows a refresh wrote just before): run those checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 — a quoted table name


@transaction.atomic
def rebuild():
    """Recompute the ledger and every table derived from it from scratch, and today's overdue
    snapshot: one INSERT … SELECT … GROUP BY each."""
    _empty(AppealShare, *DERIVED)
    if connection.vendor == "postgresql":
        # Room for the GROUP BYs over millions of facts to hash in memory rather than sort
        # on disk (this transaction only).
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # Compiling these few big statements costs more than it saves.
            cursor.execute("SET LOCAL jit = off")
    _insert(
        AppealShare,
        share_sources(),
        list(zip(SHARE_KEY, SHARE_ALIASES, strict=True)),
        [(m, f"m_{m}") for m in DAY_MEASURES],
        grouped=False,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(AppealShare._meta.db_table)}")
    _derive()
    snapshot_overdue()


# --- the incremental refresh ------------------------------------------------------------------


def commit_without_waiting():
    """PostgreSQL: let this transaction's COMMIT return before its WAL reaches the disk (the
    flush is most of a small refresh's time on a busy machine). The rollup is derived: a crash
    can lose only the last refreshes whole — the tables, the ledger and the state's marker
    together — and the next refresh folds the same history again. Never lost: the appeals'
    own data, committed by their own transactions."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


class _Ids:
    """A list of appeal ids as ONE bound parameter (a PostgreSQL array, a JSON text for
    SQLite), so that the statements that take it are built once per process and prepared once
    per connection (``edem.core.prepared``), not per refresh: building, compiling and planning
    them costs more than running them."""

    def __init__(self, ids):
        self.ids = ids

    def subquery(self):
        if connection.vendor == "postgresql":
            return RawSQL("SELECT unnest(%s::bigint[])", [self])
        return RawSQL("SELECT value FROM json_each(%s)", [self])

    def condition(self, column):
        """SQL: ``column`` is one of the ids (one parameter, ``value()``)."""
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s::bigint[])"
        return f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608 — a quoted name

    def value(self):
        if connection.vendor == "postgresql":
            return Typed(list(self.ids), "bigint[]")
        return json.dumps(self.ids)


_SHARES_SQL = {}


def _shares_statement():
    """(sql, params) of the statement of ``_shares``, built once per database vendor: the facts
    of some appeals (``share_sources``) and their ledger rows; each ``_Ids`` placeholder among
    the params stands for the appeals' ids."""
    if connection.vendor not in _SHARES_SQL:
        placeholder = _Ids([])
        sources = share_sources(placeholder.subquery())
        sql, params = sources[0].union(*sources[1:], all=True).query.sql_with_params()
        qn = connection.ops.quote_name
        kept_columns = ", ".join(
            qn(AppealShare._meta.get_field(name).column) for name in (*SHARE_KEY, *DAY_MEASURES)
        )
        # Only quoted names and Django's compiled SQL are formatted in; values stay bound.
        statement = (  # noqa: S608
            "SELECT 1 AS now, facts.* FROM ({}) facts UNION ALL SELECT 0, {} FROM {} WHERE {}"
        ).format(
            sql,
            kept_columns,
            qn(AppealShare._meta.db_table),
            placeholder.condition(qn(AppealShare._meta.get_field("appeal").column)),
        )
        _SHARES_SQL[connection.vendor] = (statement, [*params, placeholder])
    return _SHARES_SQL[connection.vendor]


def _shares(appeals):
    """The ledger rows these appeals should have now, computed from the raw tables, and the
    rows the ledger keeps for them, summed per key (a rebuild writes one row per fact, a fold
    one per key): ({appeal: {key: measures}}, the same kept). One statement, one round trip."""
    sql, params = _shares_statement()
    ids = _Ids(appeals).value()
    with connection.cursor() as cursor:
        # On its generic plan (index reads by the appeals' ids, whatever they are): planning
        # the union of four fact queries for each refresh took 2 ms, running it 0.4.
        prepared.execute(
            cursor,
            "analytics_shares",
            sql,
            [ids if isinstance(p, _Ids) else p for p in params],
            generic=True,
        )
        rows = cursor.fetchall()
    now, kept = {}, {}
    width = len(SHARE_KEY)
    for row in rows:
        key, measures = list(row[1 : 1 + width]), row[1 + width :]
        if isinstance(key[1], str):  # SQLite gives the date as text
            key[1] = datetime.date.fromisoformat(key[1][:10])
        key = tuple(key)
        cells = (now if row[0] else kept).setdefault(key[0], {})
        old = cells.get(key)
        cells[key] = measures if old is None else tuple(map(operator.add, old, measures))
    return now, kept


def _targets(key, measures):
    """(model, cell lookup, {field: amount}) for each rollup row a ledger row adds to."""
    _appeal, day, cabinet, territory, category, channel, kind, executor, ground, days = key
    m = dict(zip(DAY_MEASURES, measures, strict=True))
    month = day.replace(day=1)
    cell = {
        "cabinet_id": cabinet,
        "territory_id": territory,
        "category_id": category,
        "channel": channel,
        "kind": kind,
    }
    yield AppealDay, {"day": day, **cell}, m
    yield AppealMonth, {"month": month, **cell}, m
    if days is not None:
        answers = {"answers": m["processing_days_count"]}
        yield ProcessingDays, {"day": day, **cell, "days": days}, answers
        yield (
            ProcessingMonth,
            {"month": month, "cabinet_id": cabinet, "territory_id": territory, "days": days},
            answers,
        )
    if m["no_merits"]:
        closed = {"appeals": m["no_merits"]}
        yield NoMeritsDay, {"day": day, **cell, "ground": ground}, closed
        yield (
            NoMeritsMonth,
            {"month": month, "cabinet_id": cabinet, "territory_id": territory, "ground": ground},
            closed,
        )
    if executor is not None:
        executed = {"answered": m["answered"], "answered_on_time": m["answered_on_time"]}
        yield ExecutorDay, {"day": day, "cabinet_id": cabinet, "executor_id": executor}, executed
        yield (
            ExecutorMonth,
            {"month": month, "cabinet_id": cabinet, "executor_id": executor},
            executed,
        )


@functools.cache
def _target_shapes():
    """{model: (cell fields, measure fields)} of every table ``_targets`` can add to, in its
    order (read off a ledger row that reaches them all)."""
    everything = (0, datetime.date(2000, 1, 1), 0, 0, 0, "", "", 0, "", 0)
    return {
        model: (tuple(lookup), tuple(amounts))
        for model, lookup, amounts in _targets(everything, (1,) * len(DAY_MEASURES))
    }


def _apply(deltas):
    """Add each delta to its row (a row that is not there yet is created)."""
    for (model, lookup), amounts in deltas.items():
        amounts = {name: n for name, n in amounts.items() if n}
        if not amounts:
            continue
        lookup = dict(lookup)
        updated = model.objects.filter(**lookup).update(
            **{name: F(name) + n for name, n in amounts.items()}
        )
        if not updated:
            model.objects.create(**lookup, **amounts)


def _array(model, name):
    """The SQL type of an array of the column's values."""
    return f"{model._meta.get_field(name).db_type(connection)}[]"


_WRITE_SQL = {}


def _write_statement(tables):
    """(sql, [(model, cell, measures)], ledger types) of the write of
    ``_write_in_one_statement`` for deltas to the rollup tables numbered ``tables`` (a bit
    mask over ``_target_shapes``), built once per process (cell, measures: [(field, array
    type)]): per table, the deltas as arrays (one per column: the row's number, its cell, its
    measures) unnested, an UPDATE adding them to the rows that exist and an INSERT of those
    that do not; then the appeals' old ledger rows deleted and their new ones inserted. Its
    parameters, in order: per table, the numbers and each column's array; the changed
    appeals' ids; each ledger column's array. A table without deltas is left out of the text:
    each one in it costs the statement the opening of the table and its indexes."""
    if tables not in _WRITE_SQL:
        qn = connection.ops.quote_name
        ctes, shapes = [], []
        for index, (model, (keys, measures)) in enumerate(_target_shapes().items()):
            if not tables & (1 << index):
                continue
            names = [*keys, *measures]
            columns = [qn(model._meta.get_field(name).column) for name in names]
            arrays = ", ".join(["%s::integer[]", *(f"%s::{_array(model, n)}" for n in names)])
            table, d, u = qn(model._meta.db_table), f"d{index}", f"u{index}"
            match = " AND ".join(
                f"t.{c} {'IS NOT DISTINCT FROM' if model._meta.get_field(n).null else '='} {d}.{c}"
                for n, c in zip(keys, columns[: len(keys)], strict=True)
            )
            added = ", ".join(f"{c} = t.{c} + {d}.{c}" for c in columns[len(keys) :])
            ctes += [
                f"{d} (n, {', '.join(columns)}) AS (SELECT * FROM unnest({arrays}))",  # noqa: S608
                f"{u} AS (UPDATE {table} t SET {added} FROM {d} "  # noqa: S608 — see the end
                f"WHERE {match} RETURNING {d}.n)",
                f"i{index} AS (INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT {', '.join(columns)} FROM {d} WHERE n NOT IN (SELECT n FROM {u}))",
            ]
            shapes.append(
                (
                    model,
                    [(name, _array(model, name)) for name in keys],
                    [(name, _array(model, name)) for name in measures],
                )
            )
        ledger = qn(AppealShare._meta.db_table)
        ctes.append(
            f"gone AS (DELETE FROM {ledger} "  # noqa: S608 — see the end
            f"WHERE {qn(AppealShare._meta.get_field('appeal').column)} = ANY(%s::bigint[]))"
        )
        names = [*SHARE_KEY, *DAY_MEASURES]
        columns = ", ".join(qn(AppealShare._meta.get_field(name).column) for name in names)
        arrays = ", ".join(f"%s::{_array(AppealShare, name)}" for name in names)
        ctes.append(
            f"kept AS (INSERT INTO {ledger} ({columns}) "  # noqa: S608 — see the end
            f"SELECT * FROM unnest({arrays}))"
        )
        ledger_types = [_array(AppealShare, name) for name in names]
        # Only quoted names and casts to the columns' types are formatted in; values are bound.
        statement = f"WITH {', '.join(ctes)} SELECT 1"  # noqa: S608
        _WRITE_SQL[tables] = (statement, shapes, ledger_types)
    return _WRITE_SQL[tables]


def _write_in_one_statement(deltas, changed, shares):
    """PostgreSQL: the rollup's deltas and the changed appeals' new ledger rows in ONE
    statement (data-modifying CTEs over arrays, ``_write_statement``) whose text depends only
    on which rollup tables get deltas, prepared once per connection: one round trip for any
    number of rows, and no planning per refresh. The refresh holds the rollup's lock
    (``RollupState``), so no other writer races the INSERTs."""
    by_model = {}
    for (model, lookup), amounts in deltas.items():
        if any(amounts.values()):
            by_model.setdefault(model, []).append((dict(lookup), amounts))
    tables = sum(1 << index for index, model in enumerate(_target_shapes()) if model in by_model)
    sql, shapes, ledger_types = _write_statement(tables)
    params = []
    for model, keys, measures in shapes:
        rows = by_model[model]
        params.append(Typed(list(range(len(rows))), "integer[]"))
        params += [Typed([lookup[name] for lookup, _n in rows], type_) for name, type_ in keys]
        params += [
            Typed([amounts.get(name, 0) for _lookup, amounts in rows], type_)
            for name, type_ in measures
        ]
    params.append(_Ids(changed).value())
    new_rows = [
        (*key, *measures) for appeal in changed for key, measures in shares.get(appeal, {}).items()
    ]
    for column, type_ in enumerate(ledger_types):
        params.append(Typed([row[column] for row in new_rows], type_))
    with connection.cursor() as cursor:
        # On its generic plan: PostgreSQL would plan it afresh on every run (it costs the few
        # rows of the unnested arrays lower than a plan for any number), and planning a
        # statement of up to 26 parts costs more than running it.
        prepared.execute(cursor, f"analytics_fold_write_{tables}", sql, params, generic=True)


@transaction.atomic(savepoint=False)  # inside the refresh's transaction: no round trips
def fold(appeals):
    """Bring the rollup up to date for these appeals: compute each one's ledger rows from the
    raw tables, and where they differ from the kept ones, add the difference to exactly the
    rollup rows concerned and keep the new rows. Returns the appeals whose share changed."""
    appeals = sorted(set(appeals))
    if not appeals:
        return []
    now, kept = _shares(appeals)
    changed = [a for a in appeals if now.get(a, {}) != kept.get(a, {})]
    if not changed:
        return []
    deltas = {}
    for appeal in changed:
        for sign, rows in ((-1, kept.get(appeal, {})), (1, now.get(appeal, {}))):
            for key, measures in rows.items():
                for model, lookup, amounts in _targets(key, measures):
                    into = deltas.setdefault((model, tuple(lookup.items())), {})
                    for name, n in amounts.items():
                        into[name] = into.get(name, 0) + sign * n
    if connection.vendor == "postgresql":
        _write_in_one_statement(deltas, changed, now)
        return changed
    _apply(deltas)
    AppealShare.objects.filter(appeal_id__in=changed).delete()
    AppealShare.objects.bulk_create(
        AppealShare(
            **dict(zip(SHARE_KEY, key, strict=True)),
            **dict(zip(DAY_MEASURES, measures, strict=True)),
        )
        for appeal in changed
        for key, measures in now.get(appeal, {}).items()
    )
    return changed


# The look-back's search on PostgreSQL. ``s``: this statement's snapshot, its xmax as a number
# (``ref``), and when the server started. ``m.seen``: the last run's snapshot, from its marker
# ("<server start>/<snapshot>"), only if the server has not restarted since: transaction ids
# are those of one cluster, and a database restored elsewhere counts them anew (a stale
# snapshot would pass new lines for seen ones); after a restart the whole look-back is folded.
# A line is new unless the last run's snapshot saw its transaction (``xmin``, widened from 32
# bits to the full id nearest to ``ref``: the look-back's lines are minutes old, not two
# billion transactions) — or it is in progress still, which among the lines this statement
# sees means ours: no earlier run can have seen them committed.
_TOUCHED_PREAMBLE = """WITH s AS MATERIALIZED (SELECT pg_current_snapshot() AS now,
    pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS ref,
    extract(epoch FROM pg_postmaster_start_time())::text AS started),
m AS MATERIALIZED (SELECT CASE WHEN %s = s.started THEN %s::pg_snapshot END AS seen FROM s)
SELECT NULL, s.started || '/' || s.now::text FROM s"""
_TOUCHED_PART = """SELECT r.{appeal}, NULL FROM {table} r, s, m WHERE r.{stamp} >= %s AND (
    SELECT CASE WHEN pg_visible_in_snapshot(x.id, m.seen)
        THEN pg_xact_status(x.id) = 'in progress' ELSE true END
    FROM (SELECT GREATEST(3, w + CASE WHEN w - s.ref > 2147483648 THEN -4294967296
        WHEN s.ref - w > 2147483648 THEN 4294967296 ELSE 0 END)::text::xid8 AS id
        FROM (SELECT ((s.ref >> 32) << 32) | r.xmin::text::bigint AS w) widened) x)"""
_MARKER = re.compile(r"(?P<started>[0-9.]+)/(?P<snapshot>[0-9]+:[0-9]+:[0-9,]*)")


def touched_appeals(since, folded=""):
    """The appeals with a history line or a support since ``since`` (through the indexed
    ``at`` and ``created_at`` columns) — the only ones whose share can have changed, since every
    change of an appeal (a forwarding, a reclassification, an answer, a rating) writes its
    history line — and the marker to pass as ``folded`` next time.

    On PostgreSQL, given the marker of the last run (the snapshot its statement read), only
    the lines that run could not see: committed since, or in a transaction then still in
    progress — a line stamped earlier whose transaction commits later is found, a line already
    folded is not looked at again. Without a marker (SQLite, whose writers take turns; the
    first run after a rebuild or a server restart), every appeal of the look-back: folding an
    appeal again writes nothing when its share is unchanged."""
    if connection.vendor != "postgresql":
        events = AppealEvent.objects.filter(at__gte=since).order_by().values("appeal_id")
        supports = Support.objects.filter(created_at__gte=since).order_by().values("appeal_id")
        return set(events.union(supports).values_list("appeal_id", flat=True)), ""
    qn = connection.ops.quote_name
    parts = [
        _TOUCHED_PART.format(
            appeal=qn(model._meta.get_field("appeal").column),
            table=qn(model._meta.db_table),
            stamp=qn(model._meta.get_field(stamp).column),
        )
        for model, stamp in ((AppealEvent, "at"), (Support, "created_at"))
    ]
    # No marker or not one of ours: a start no server has, the empty snapshot (every line of
    # the look-back is new).
    marker = _MARKER.fullmatch(folded)
    started, snapshot = marker.group("started", "snapshot") if marker else ("", "1:1:")
    with connection.cursor() as cursor:
        # Only quoted names are formatted in.
        prepared.execute(
            cursor,
            "analytics_touched",
            " UNION ALL ".join([_TOUCHED_PREAMBLE, *parts]),
            [started, snapshot, since, since],
        )
        rows = cursor.fetchall()
    return {appeal for appeal, _marker in rows if appeal is not None}, next(
        marker for appeal, marker in rows if appeal is None
    )


@transaction.atomic
def snapshot_overdue(today=None):
    """Write today's open and overdue counts per cell (replacing an earlier run's of today)."""
    today = today or timezone.localdate()
    OverdueDay.objects.filter(day=today).delete()
    rows = (
        Appeal.objects.filter(status__in=sorted(OPEN_STATES))
        .order_by()
        .values("cabinet_id", "territory_id", "category_id", "channel", "kind")
        .annotate(
            n_open=Count("id"),
            n_overdue=Count("id", filter=Q(legal_due__lt=today)),
        )
    )
    OverdueDay.objects.bulk_create(
        OverdueDay(day=today, open=r.pop("n_open"), overdue=r.pop("n_overdue"), **r) for r in rows
    )
