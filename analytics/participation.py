"""Participation per petition, poll, discussion and budget cycle: one ``INSERT … SELECT`` per
instrument, each row counted with correlated subqueries. Instruments number in the hundreds,
so the whole table is recomputed on every refresh."""

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from consultations.budgets.models import Ballot as BudgetBallot
from consultations.budgets.models import BudgetCycle, Project, Vote
from consultations.discussions.models import Comment, Discussion
from consultations.petitions.models import Petition, Signature
from consultations.polls.models import Ballot as PollBallot
from consultations.polls.models import Poll

from .models import Participation
from .rollup import local_day

COLUMNS = (
    "instrument",
    "object_id",
    "title",
    "cabinet",
    "territory",
    "status",
    "started",
    "participants",
    "signatures",
    "votes",
    "proposals",
    "answered",
)


def _count(model, fk, distinct=None, **filters):
    """How many ``model`` rows point at the outer row through ``fk`` (distinct ``distinct``)."""
    counted = (
        model.objects.filter(Q(**{fk: OuterRef("pk")}), **filters)
        .order_by()
        .values(fk)
        .annotate(n=Count(distinct or "pk", distinct=bool(distinct)))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _int(value):
    return Cast(Value(value), IntegerField())


def _flag(condition):
    return Case(When(condition, then=_int(1)), default=_int(0), output_field=IntegerField())


def _row(instrument, qs, *, title, territory, started, **measures):
    values = {
        "instrument": Cast(Value(instrument), CharField()),
        "object_id": Cast(F("pk"), BigIntegerField()),
        "title": F(title),
        "cabinet": F("cabinet_id"),
        "territory": territory,
        "status": F("status"),
        "started": Cast(started, DateField()),
        **{m: measures.get(m, _int(0)) for m in COLUMNS[7:]},
    }
    aliases = {f"p_{k}": v for k, v in values.items()}
    return qs.order_by().annotate(**aliases).values(*aliases)


def sources():
    valid = {"confirmed_at__isnull": False, "invalidated_at__isnull": True}
    return [
        _row(
            Participation.Instrument.PETITION,
            Petition.objects.all(),
            title="title",
            territory=F("territory_id"),
            started=local_day("published_at"),
            participants=_count(Signature, "petition", distinct="user", **valid),
            signatures=_count(Signature, "petition", **valid),
            answered=_flag(Q(answered_at__isnull=False)),
        ),
        _row(
            Participation.Instrument.POLL,
            Poll.objects.all(),
            title="title",
            territory=F("eligible_territory_id"),
            started=local_day("starts_at"),
            participants=_count(PollBallot, "poll"),
            votes=_count(PollBallot, "poll"),
            answered=_flag(Q(results_published_at__isnull=False)),
        ),
        _row(
            Participation.Instrument.DISCUSSION,
            Discussion.objects.all(),
            title="title",
            territory=F("territory_id"),
            started=local_day("starts_at"),
            participants=_count(Comment, "discussion", distinct="author", is_hidden=False),
            proposals=_count(Comment, "discussion", is_hidden=False),
            answered=_count(Comment, "discussion", is_hidden=False, decision__isnull=False),
        ),
        _row(
            Participation.Instrument.BUDGET,
            BudgetCycle.objects.all(),
            title="title",
            territory=F("territory_id"),
            started=F("submission_start"),
            participants=_count(BudgetBallot, "cycle"),
            votes=_count(Vote, "ballot__cycle"),
            proposals=_count(Project, "cycle"),
            answered=_count(Project, "cycle", reviewed_at__isnull=False),
        ),
    ]


@transaction.atomic
def rebuild_participation():
    Participation.objects.all().delete()
    qn = connection.ops.quote_name
    columns = ", ".join(qn(Participation._meta.get_field(c).column) for c in COLUMNS)
    select = ", ".join(qn(f"p_{c}") for c in COLUMNS)
    with connection.cursor() as cursor:
        for qs in sources():
            sql, params = qs.query.sql_with_params()
            # Only quoted names and Django's compiled SQL are formatted in; values stay bound.
            statement = "INSERT INTO {} ({}) SELECT {} FROM ({}) facts".format(  # noqa: S608, UP032
                qn(Participation._meta.db_table), columns, select, sql
            )
            cursor.execute(statement, params)
