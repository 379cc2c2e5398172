"""Reads of polls: the public list and archive, the staff's polls, a person's votes, and the
results (R31).

How results are counted:

* single and multiple choice: ballots per option; the percentage is of the ballots that
  answered the question (in a multiple-choice question they add up to more than 100 %);
* scale 1–5: the number of ballots per value and the mean value;
* ranking: a Borda count. Among ``n`` options, the option a voter puts in place ``r`` gets
  ``n − r`` points (first place ``n − 1``, last place 0); options are ordered by their total
  points, and the table also shows each option's average place;
* free text: only answers a moderator approved are shown (R31), with the number still waiting
  and the number rejected;
* territories: ballots are counted by the voter's territory of residence at voting time, where
  it is known, and for choice questions the counts per option in each territory. These
  breakdowns go through ``edem.core.disclosure``: a count of 1 or 2 is shown as "fewer than 3",
  with another cell hidden where it could be worked out from the totals (R18, R30).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import formats
from django.utils.translation import gettext as _

from consultations._shared import staff_cabinet_ids
from edem.core import disclosure
from edem.geo.models import Territory

from .charts import bar_chart
from .models import Answer, Ballot, Poll, Question
from .workflow import CLOSED_STATES, Status


def _filtered(qs, filters):
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("cabinet"):
        qs = qs.filter(cabinet=filters["cabinet"])
    if filters.get("territory"):
        territory = filters["territory"]
        qs = qs.filter(
            Q(eligible_territory=territory)
            | Q(eligible_territory__parent=territory)
            | Q(eligible_territory__isnull=True)
        )
    if filters.get("q"):
        qs = qs.filter(Q(title__icontains=filters["q"]) | Q(description__icontains=filters["q"]))
    return qs


def public_polls(filters=None):
    """Polls the public sees (scheduled and later), newest first."""
    qs = _filtered(Poll.objects.public(), filters)
    return (
        qs.select_related("cabinet", "eligible_territory")
        .annotate(ballot_count=Count("ballots"))
        .order_by("-starts_at", "-pk")
    )


def archive(filters=None):
    """Closed polls, kept with their results (R31)."""
    qs = _filtered(Poll.objects.archived(), filters)
    return (
        qs.select_related("cabinet", "eligible_territory")
        .annotate(ballot_count=Count("ballots"))
        .order_by("-ends_at", "-pk")
    )


def public_poll(pk):
    poll = (
        Poll.objects.public().select_related("cabinet", "eligible_territory").filter(pk=pk).first()
    )
    if poll is None:
        raise Http404
    return poll


def staff_polls(user, filters=None):
    """The polls of the cabinets where ``user`` works, moderation first, then by start."""
    qs = _filtered(Poll.objects.filter(cabinet_id__in=staff_cabinet_ids(user)), filters)
    return (
        qs.select_related("cabinet")
        .annotate(ballot_count=Count("ballots"))
        .order_by("-starts_at", "-pk")
    )


def staff_status_counts(user):
    qs = Poll.objects.filter(cabinet_id__in=staff_cabinet_ids(user)).order_by()
    return dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


def poll_for_staff(user, pk):
    """The poll if ``user`` works in its cabinet; otherwise 404 (never 403)."""
    poll = (
        Poll.objects.filter(cabinet_id__in=staff_cabinet_ids(user))
        .select_related("cabinet", "initiator", "eligible_territory")
        .filter(pk=pk)
        .first()
    )
    if poll is None:
        raise Http404
    return poll


def my_ballots(user):
    return (
        Ballot.objects.filter(voter=user)
        .select_related("poll", "poll__cabinet")
        .order_by("-updated_at", "-pk")
    )


def texts_to_moderate(poll, status=Answer.TextStatus.PENDING):
    return (
        Answer.objects.filter(question__poll=poll, text_status=status)
        .select_related("question")
        .order_by("question__order", "pk")
    )


def pending_text_count(poll):
    return Answer.objects.filter(question__poll=poll, text_status=Answer.TextStatus.PENDING).count()


def can_see_results(poll, user=None, *, staff=False):
    """Per the poll's setting: live while voting, or only once it closed. Staff of the
    responsible cabinet always may."""
    if staff:
        return poll.status in (Status.ACTIVE, *CLOSED_STATES)
    return poll.results_visible


@dataclass
class QuestionResult:
    question: Question
    respondents: int = 0
    options: list = field(default_factory=list)  # dicts: option, count, percent, points, place
    scale: list = field(default_factory=list)  # dicts: value, count, percent
    average: float | None = None
    texts: list = field(default_factory=list)
    pending: int = 0
    rejected: int = 0
    territories: list = field(default_factory=list)  # (name, [Cell per option], Cell total)
    chart: str = ""

    @property
    def kind(self):
        return self.question.kind


@dataclass
class Results:
    poll: Poll
    ballots: int
    questions: list
    territories: list  # (name, ballots as a disclosure.Cell)
    territories_chart: str = ""


def _percent(part, whole):
    return round(100.0 * part / whole, 1) if whole else 0.0


def _shown(count, percent):
    """What a bar says after it: the count and the share, in the current locale."""
    return f"{count} ({formats.number_format(percent, 1)} %)"


def _shown_cell(cell, whole):
    """The same for a cell of a breakdown: a hidden one says so, with no share to divide."""
    return str(cell) if cell.hidden else _shown(cell.value, _percent(cell.value, whole))


def results(poll, *, with_texts=True):
    """Aggregate results of ``poll``: a fixed number of queries whatever its size."""
    questions = list(poll.questions.prefetch_related("options"))
    answers = Answer.objects.filter(question__poll=poll)
    respondents = dict(
        answers.values("question_id")
        .annotate(n=Count("ballot", distinct=True))
        .values_list("question_id", "n")
    )
    per_option = {
        row["option_id"]: row
        for row in answers.filter(option__isnull=False)
        .values("option_id")
        .annotate(n=Count("pk"), rank_sum=Sum("rank"))
    }
    scale = defaultdict(dict)
    for row in (
        answers.filter(value__isnull=False).values("question_id", "value").annotate(n=Count("pk"))
    ):
        scale[row["question_id"]][row["value"]] = row["n"]
    texts, text_counts = defaultdict(list), defaultdict(lambda: defaultdict(int))
    for row in (
        answers.exclude(text_status="").values("question_id", "text_status").annotate(n=Count("pk"))
    ):
        text_counts[row["question_id"]][row["text_status"]] = row["n"]
    if with_texts:
        for question_id, text in (
            answers.filter(text_status=Answer.TextStatus.APPROVED)
            .order_by("question_id", "moderated_at", "pk")
            .values_list("question_id", "text")
        ):
            texts[question_id].append(text)
    ballot_territories = list(
        Ballot.objects.filter(poll=poll)
        .values("territory_id")
        .annotate(n=Count("pk"))
        .order_by("territory_id")
    )
    names = dict(
        Territory.objects.filter(
            pk__in=[r["territory_id"] for r in ballot_territories if r["territory_id"]]
        ).values_list("pk", "name")
    )
    unknown = _("Territory not known")
    territories = sorted(
        ((names.get(r["territory_id"], unknown), r["n"]) for r in ballot_territories),
        key=lambda item: (item[0] == unknown, item[0]),
    )
    territories = list(
        zip(
            [name for name, _n in territories],
            disclosure.line([n for _name, n in territories]),
            strict=True,
        )
    )
    matrix = defaultdict(lambda: defaultdict(int))
    for row in (
        answers.filter(
            option__isnull=False,
            question__kind__in=[Question.Kind.SINGLE, Question.Kind.MULTIPLE],
        )
        .values("question_id", "option_id", "ballot__territory_id")
        .annotate(n=Count("pk"))
    ):
        territory = names.get(row["ballot__territory_id"], unknown)
        matrix[(row["question_id"], territory)][row["option_id"]] += row["n"]

    out = []
    for index, question in enumerate(questions, 1):
        result = QuestionResult(question=question, respondents=respondents.get(question.pk, 0))
        options = list(question.options.all())
        chart_id = f"poll-{poll.pk}-q{question.pk}"
        if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            for option in options:
                count = per_option.get(option.pk, {}).get("n", 0)
                result.options.append(
                    {
                        "option": option,
                        "count": count,
                        "percent": _percent(count, result.respondents),
                    }
                )
            result.chart = bar_chart(
                [
                    (o["option"].text, o["count"], _shown(o["count"], o["percent"]))
                    for o in result.options
                ],
                title=f"{index}. {question.text}",
                chart_id=chart_id,
            )
            names_in_rows, rows = [], []
            for name, _n in territories:
                counts = matrix.get((question.pk, name))
                if counts:
                    names_in_rows.append(name)
                    rows.append([counts.get(o.pk, 0) for o in options])
            cells, totals = disclosure.table(rows)
            result.territories = list(zip(names_in_rows, cells, totals, strict=True))
        elif question.kind == Question.Kind.RANKING:
            n = len(options)
            for option in options:
                row = per_option.get(option.pk, {})
                count, rank_sum = row.get("n", 0), row.get("rank_sum") or 0
                result.options.append(
                    {
                        "option": option,
                        "count": count,
                        "points": count * n - rank_sum,  # Borda: n − r points per ballot
                        "place": round(rank_sum / count, 2) if count else None,
                    }
                )
            result.options.sort(key=lambda o: (-o["points"], o["option"].order, o["option"].pk))
            result.chart = bar_chart(
                [(o["option"].text, o["points"], str(o["points"])) for o in result.options],
                title=f"{index}. {question.text}",
                chart_id=chart_id,
                description=_("Borda points."),
            )
        elif question.kind == Question.Kind.SCALE:
            counts = scale.get(question.pk, {})
            total = sum(counts.values())
            for value in range(Question.SCALE_MIN, Question.SCALE_MAX + 1):
                count = counts.get(value, 0)
                result.scale.append(
                    {"value": value, "count": count, "percent": _percent(count, total)}
                )
            if total:
                result.average = round(sum(v * c for v, c in counts.items()) / total, 2)
            result.chart = bar_chart(
                [
                    (str(s["value"]), s["count"], _shown(s["count"], s["percent"]))
                    for s in result.scale
                ],
                title=f"{index}. {question.text}",
                chart_id=chart_id,
            )
        else:
            result.texts = texts.get(question.pk, [])
            counts = text_counts.get(question.pk, {})
            result.pending = counts.get(Answer.TextStatus.PENDING, 0)
            result.rejected = counts.get(Answer.TextStatus.REJECTED, 0)
        out.append(result)
    total = Ballot.objects.filter(poll=poll).count()
    territories_chart = (
        bar_chart(
            [(name, n.bar, _shown_cell(n, total)) for name, n in territories],
            title=_("Ballots by territory"),
            chart_id=f"poll-{poll.pk}-territories",
        )
        if territories
        else ""
    )
    return Results(
        poll=poll,
        ballots=total,
        questions=out,
        territories=territories,
        territories_chart=territories_chart,
    )
