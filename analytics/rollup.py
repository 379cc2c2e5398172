"""Computing the rollup (``analytics.models``) from the raw tables with set-based SQL.

Each rollup table is filled by one ``INSERT … SELECT … GROUP BY`` built from Django querysets
(so the same code runs on SQLite and PostgreSQL): the querysets select one row per fact — a
history event, a signed answer, a rating, a support — with its cell (local day, cabinet,
territory, category, channel, kind) and its measures; the outer statement sums them per cell.

A fact's cell:

* day: the local date (``settings.TIME_ZONE``) of the fact's time;
* cabinet: for a history event, the cabinet that held the appeal *at that moment*: the
  ``from_cabinet`` of the first forwarding at or after the event, else the appeal's cabinet
  now. Answers, ratings and supports belong to the appeal's current cabinet (an appeal is only
  forwarded before it is answered);
* territory, category, channel, kind: the appeal's current ones (a reclassification moves the
  appeal's whole record, which the refresh handles by recomputing all of its days).

``refresh(days)`` recomputes some days (delete their rows, insert them again);
``rebuild()`` recomputes everything. ``touched_days(since)`` finds the days to refresh.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
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
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Greatest, Least, TruncDate
from django.utils import timezone

from appeals.community.models import Support
from appeals.models import Answer, Appeal, AppealEvent, Rating
from appeals.workflow import OPEN_STATES

from .models import DAYS_CAP, AppealDay, ExecutorDay, NoMeritsDay, OverdueDay, ProcessingDays

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


def _day_bounds(days):
    """Q over a datetime field name -> the union of the local days' [start, next start)."""
    tz = _tz()

    def q(field):
        cond = Q(pk__in=[])
        for day in sorted(days):
            start = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
            end = start + datetime.timedelta(days=1)
            cond |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
        return cond

    return q


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


def cabinet_at_event():
    """The cabinet that held the appeal when the event happened (see the module docstring)."""
    next_forward = (
        AppealEvent.objects.filter(appeal_id=OuterRef("appeal_id"), action="forward")
        .filter(id__gte=OuterRef("id"))
        .order_by("id")
        .annotate(from_cabinet=Cast(KT("data__from_cabinet"), BigIntegerField()))
        .values("from_cabinet")[:1]
    )
    return Coalesce(Subquery(next_forward), F("appeal__cabinet_id"), output_field=BigIntegerField())


def _measures(**given):
    return {f"m_{name}": given.get(name, _int(0)) for name in DAY_MEASURES}


def _select(qs, annotations):
    return qs.order_by().annotate(**annotations).values(*annotations)


def day_sources(days=None):
    """The fact querysets of ``AppealDay`` (optionally only those dated on ``days``)."""
    within = _day_bounds(days) if days is not None else (lambda field: Q())
    events = _select(
        AppealEvent.objects.filter(
            within("at"),
            action__in=("receive", "register", "forward", "close_no_merits", *REOPEN_ACTIONS),
        ),
        {
            **_cell("appeal__", "at", cabinet_at_event()),
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
        Answer.objects.filter(within("signed_at"), signed_at__isnull=False),
        {
            **_cell("appeal__", "signed_at"),
            **_measures(
                answered=_int(1),
                answered_on_time=_flag(Q(on_time=True)),
                processing_days_sum=processing_days(),
                processing_days_count=_int(1),
            ),
        },
    )
    ratings = _select(
        Rating.objects.filter(within("created_at")),
        {
            **_cell("appeal__", "created_at"),
            **_measures(rating_sum=Cast("stars", IntegerField()), rating_count=_int(1)),
        },
    )
    supports = _select(
        Support.objects.filter(within("created_at")),
        {**_cell("appeal__", "created_at"), **_measures(supports=_int(1))},
    )
    return [events, answers, ratings, supports]


def processing_days():
    """Calendar days from the appeal's receipt (in the cabinet that answered) to the answer
    (never below zero: an answer always follows its receipt, a clock's slip is not counted)."""
    return Greatest(DaysBetween(local_day("signed_at"), local_day("appeal__received_at")), _int(0))


def processing_sources(days=None):
    within = _day_bounds(days) if days is not None else (lambda field: Q())
    return [
        _select(
            Answer.objects.filter(within("signed_at"), signed_at__isnull=False),
            {
                **_cell("appeal__", "signed_at"),
                "m_days": Least(processing_days(), _int(DAYS_CAP)),
                "m_answers": _int(1),
            },
        )
    ]


def no_merits_sources(days=None):
    within = _day_bounds(days) if days is not None else (lambda field: Q())
    return [
        _select(
            AppealEvent.objects.filter(within("at"), action="close_no_merits"),
            {
                **_cell("appeal__", "at", cabinet_at_event()),
                "m_ground": F("appeal__no_merits_ground"),
                "m_count": _int(1),
            },
        )
    ]


def executor_sources(days=None):
    within = _day_bounds(days) if days is not None else (lambda field: Q())
    return [
        _select(
            Answer.objects.filter(within("signed_at"), signed_at__isnull=False),
            {
                "c_day": local_day("signed_at"),
                "c_cabinet": F("appeal__cabinet_id"),
                "c_executor": F("drafted_by_id"),
                "m_answered": _int(1),
                "m_on_time": _flag(Q(on_time=True)),
            },
        )
    ]


EXECUTOR_CELL = (("day", "c_day"), ("cabinet", "c_cabinet"), ("executor", "c_executor"))
APPEAL_CELL = tuple(
    zip(
        ("day", "cabinet", "territory", "category", "channel", "kind"),
        ("c_day", "c_cabinet", "c_territory", "c_category", "c_channel", "c_kind"),
        strict=True,
    )
)


def _insert(model, sources, group_extra=(), sums=(), cell=APPEAL_CELL):
    """INSERT INTO model (cell, *group_extra, *sums) SELECT cell, extra, SUM(...) FROM (the
    union of the sources) GROUP BY cell, extra. ``group_extra`` and ``sums`` are
    (column, source alias) pairs."""
    compiled = sources[0] if len(sources) == 1 else sources[0].union(*sources[1:], all=True)
    sql, params = compiled.query.sql_with_params()
    qn = connection.ops.quote_name
    group = [qn(alias) for _col, alias in (*cell, *group_extra)]
    columns = [model._meta.get_field(col).column for col, _alias in (*cell, *group_extra)]
    columns += [model._meta.get_field(col).column for col, _alias in sums]
    select = group + [f"SUM({qn(alias)})" for _col, alias in sums]
    # Only quoted names and Django's compiled SQL are formatted in; values stay bound.
    statement = "INSERT INTO {} ({}) SELECT {} FROM ({}) facts GROUP BY {}".format(  # noqa: S608
        qn(model._meta.db_table),
        ", ".join(qn(c) for c in columns),
        ", ".join(select),
        sql,
        ", ".join(group),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _fill(days=None):
    _insert(AppealDay, day_sources(days), sums=[(m, f"m_{m}") for m in DAY_MEASURES])
    _insert(
        ProcessingDays,
        processing_sources(days),
        group_extra=[("days", "m_days")],
        sums=[("answers", "m_answers")],
    )
    _insert(
        NoMeritsDay,
        no_merits_sources(days),
        group_extra=[("ground", "m_ground")],
        sums=[("appeals", "m_count")],
    )
    _insert(
        ExecutorDay,
        executor_sources(days),
        sums=[("answered", "m_answered"), ("answered_on_time", "m_on_time")],
        cell=EXECUTOR_CELL,
    )


DAY_TABLES = (AppealDay, ProcessingDays, NoMeritsDay, ExecutorDay)


@transaction.atomic
def refresh(days):
    """Recompute the rows of these local days."""
    days = sorted(set(days))
    if not days:
        return
    for model in DAY_TABLES:
        model.objects.filter(day__in=days).delete()
    _fill(days)


@transaction.atomic
def rebuild():
    """Recompute every day-table from scratch, and today's overdue snapshot."""
    for model in DAY_TABLES:
        model.objects.all().delete()
    _fill()
    snapshot_overdue()


def touched_days(since):
    """The local days whose rows may have changed because of what happened since ``since``:
    every day of every appeal with a history event or a support since then (a forwarding
    moves the appeal's earlier events to another cabinet, a reclassification its whole
    record). Found through the indexed ``at`` and ``created_at`` columns."""
    # The appeals first (two index scans), then their facts by the appeal's index: an OR of
    # the two subqueries inside each fact query would read every fact table whole.
    appeals = set(AppealEvent.objects.filter(at__gte=since).values_list("appeal_id", flat=True))
    appeals.update(
        Support.objects.filter(created_at__gte=since).values_list("appeal_id", flat=True)
    )
    if not appeals:
        return set()
    appeals = Q(appeal_id__in=sorted(appeals))
    days = set()
    for model, field in (
        (AppealEvent, "at"),
        (Answer, "signed_at"),
        (Rating, "created_at"),
        (Support, "created_at"),
    ):
        days.update(
            model.objects.filter(appeals, **{f"{field}__isnull": False})
            .order_by()
            .annotate(d=local_day(field))
            .values_list("d", flat=True)
            .distinct()
        )
    return days


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
