"""Issue 18 for polls: breakdowns show no count of 1 or 2 (R18, R30), and no ballot input
gives a server error: every answer is checked in the form and in the service (R27, R30)."""

import csv
import io
import re

import pytest
from django.urls import reverse

from cabinets.roles import Role
from consultations.polls import services
from consultations.polls.models import Answer, Ballot, Question
from tests.factories import CitizenFactory, TerritoryFactory, member

from .factories import PollFactory, opts, question

pytestmark = pytest.mark.django_db

SMALL_CELL = re.compile(r">\s*[12]\s*(<|\()")  # a cell or a bar label of 1 or 2


def _poll_with_a_one_voter_hamlet():
    poll = PollFactory(results_visibility="live")
    q = question(poll, Question.Kind.SINGLE, ["Так", "Ні"])
    yes, no = opts(q)
    places = {
        "Хутір": [yes],  # one voter: the "Хутір: [0, 1], 1"
        "Село": [no, no],
        "Місто": [yes, yes, yes, no, no],
        "Район": [yes, yes, yes, yes],
    }
    for name, choices in places.items():
        territory = TerritoryFactory(name=name)
        for choice in choices:
            services.cast_ballot(
                poll=poll, voter=CitizenFactory(territory=territory), answers={q.pk: choice}
            )
    return poll


def _breakdowns(page):
    """The HTML of the territory breakdowns: each question's table and the ballots section."""
    parts = re.findall(r'<details class="poll-territories">.*?</details>', page, re.S)
    parts += re.findall(
        r'<section[^>]*aria-labelledby="territories-title".*?</section>', page, re.S
    )
    return parts


def test_R18_no_public_page_or_csv_shows_a_count_of_1_or_2_in_a_breakdown(client):
    poll = _poll_with_a_one_voter_hamlet()
    public = client.get(reverse("polls:results", args=[poll.pk])).content.decode()
    client.force_login(member(poll.cabinet, Role.OBSERVER))
    staff = client.get(reverse("polls_service:results", args=[poll.pk])).content.decode()
    for page in (public, staff):
        parts = _breakdowns(page)
        assert len(parts) == 2 and "Хутір" in parts[0] and "Хутір" in parts[1]
        for part in parts:
            assert not SMALL_CELL.search(part), SMALL_CELL.search(part).group(0)
        assert 'id="small-counts-note"' in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("polls_service:results_csv", args=[poll.pk])).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    start = next(
        i
        for i, row in enumerate(rows)
        if len(row) == 2 and row[0] in ("Territory", "Территория", "Територія")
    )
    territory_rows = []
    for row in rows[start + 1 :]:
        if not row:
            break
        territory_rows.append(row)
    assert {row[0] for row in territory_rows} == {"Хутір", "Село", "Місто", "Район"}
    assert all(row[1] not in ("1", "2") for row in territory_rows)
    assert dict(territory_rows)["Місто"] == "5"


# --- every answer checked, no 5xx ----------------------------------------------------------

HUGE = 10**40
BAD = [
    # (kind, value): wrong types, lists, dicts, floats, huge values
    (Question.Kind.SINGLE, [1, 2, 3]),
    (Question.Kind.SINGLE, {"a": 1}),
    (Question.Kind.SINGLE, 2.7),
    (Question.Kind.SINGLE, HUGE),
    (Question.Kind.SINGLE, "9" * 5000),
    (Question.Kind.SINGLE, True),
    (Question.Kind.SINGLE, [[1]]),
    (Question.Kind.MULTIPLE, {"a": 1}),
    (Question.Kind.MULTIPLE, [2.5]),
    (Question.Kind.MULTIPLE, [HUGE]),
    (Question.Kind.MULTIPLE, "x,y"),
    (Question.Kind.MULTIPLE, [None, {}]),
    (Question.Kind.RANKING, [1, 2, 3]),
    (Question.Kind.RANKING, "1"),
    (Question.Kind.RANKING, {"x": 1}),
    (Question.Kind.RANKING, {"OPT0": 1.5, "OPT1": 2}),
    (Question.Kind.RANKING, {"OPT0": [1], "OPT1": 2}),
    (Question.Kind.RANKING, {"OPT0": HUGE, "OPT1": 1}),
    (Question.Kind.SCALE, 2.7),
    (Question.Kind.SCALE, "2.7"),
    (Question.Kind.SCALE, [3]),
    (Question.Kind.SCALE, {"v": 3}),
    (Question.Kind.SCALE, HUGE),
    (Question.Kind.SCALE, -1),
    (Question.Kind.SCALE, float("nan")),
    (Question.Kind.SCALE, True),
    (Question.Kind.TEXT, ["a", "b"]),
    (Question.Kind.TEXT, {"t": "x"}),
    (Question.Kind.TEXT, 42),
    (Question.Kind.TEXT, "x" * 100_000),
    (Question.Kind.TEXT, "nul \x00 byte"),
]


def _one_question_poll(kind):
    poll = PollFactory()
    options = ("А", "Б") if kind in Question.CHOICE_KINDS else ()
    return poll, question(poll, kind, options)


def _resolve(value, q):
    """Put the question's option ids where the table says OPT0, OPT1."""
    ids = opts(q)
    if isinstance(value, dict):
        return {(ids[int(k[3:])] if str(k).startswith("OPT") else k): v for k, v in value.items()}
    return value


@pytest.mark.parametrize(("kind", "value"), BAD, ids=[f"{k}-{i}" for i, (k, _v) in enumerate(BAD)])
def test_R30_every_wrong_answer_is_a_validation_error_in_the_service(kind, value):
    poll, q = _one_question_poll(kind)
    with pytest.raises(services.BallotInvalid) as caught:
        services.cast_ballot(poll=poll, voter=CitizenFactory(), answers={q.pk: _resolve(value, q)})
    assert set(caught.value.errors) == {q.pk}
    assert not Ballot.objects.filter(poll=poll).exists()


def test_R30_a_scale_answer_of_2_7_is_refused_not_cut_to_2():
    poll, q = _one_question_poll(Question.Kind.SCALE)
    with pytest.raises(services.BallotInvalid):
        services.cast_ballot(poll=poll, voter=CitizenFactory(), answers={q.pk: 2.7})
    assert not Answer.objects.filter(question=q).exists()
    services.cast_ballot(poll=poll, voter=CitizenFactory(), answers={q.pk: 2.0})  # whole: fine
    assert list(Answer.objects.filter(question=q).values_list("value", flat=True)) == [2]


def test_R30_answers_that_are_not_a_mapping_are_refused():
    poll, q = _one_question_poll(Question.Kind.SINGLE)
    for answers in ([opts(q)[0]], "x", None, 5):
        with pytest.raises(services.BallotInvalid):
            services.cast_ballot(poll=poll, voter=CitizenFactory(), answers=answers)


def test_R30_the_ballot_form_checks_the_question_rules_with_the_service_check():
    from consultations.polls.forms import BallotForm

    poll = PollFactory()
    ranking = question(poll, Question.Kind.RANKING, ["А", "Б", "В"])
    multiple = question(poll, Question.Kind.MULTIPLE, ["X", "Y", "Z"], max_choices=1)
    r, m = opts(ranking), opts(multiple)
    questions = list(poll.questions.prefetch_related("options"))
    data = {
        f"q{ranking.pk}_o{r[0]}": "1",
        f"q{ranking.pk}_o{r[1]}": "1",  # the same place twice
        f"q{ranking.pk}_o{r[2]}": "2",
        f"q{multiple.pk}": [str(m[0]), str(m[1])],  # two of at most one
    }
    form = BallotForm(data, questions=questions)
    assert not form.is_valid()
    assert set(form.question_errors) == {ranking.pk, multiple.pk}


POSTED = [
    (Question.Kind.SINGLE, ["2.7"]),
    (Question.Kind.SINGLE, ["9" * 5000]),
    (Question.Kind.SINGLE, ["[1, 2]"]),
    (Question.Kind.MULTIPLE, ["OPT0", "x"]),
    (Question.Kind.MULTIPLE, ["1e99"]),
    (Question.Kind.RANKING, ["1.5"]),
    (Question.Kind.RANKING, ["99999999999999999999999"]),
    (Question.Kind.RANKING, ["1", "2"]),
    (Question.Kind.SCALE, ["2.7"]),
    (Question.Kind.SCALE, ["6"]),
    (Question.Kind.SCALE, ["{'v': 3}"]),
    (Question.Kind.TEXT, ["x" * 5000]),
    (Question.Kind.TEXT, ["nul \x00 byte"]),
]


@pytest.mark.parametrize(
    ("kind", "values"), POSTED, ids=[f"{k}-{i}" for i, (k, _v) in enumerate(POSTED)]
)
def test_no_posted_ballot_gives_a_server_error(client, kind, values):
    poll, q = _one_question_poll(kind)
    ids = [str(i) for i in opts(q)]
    values = [ids[int(v[3:])] if v.startswith("OPT") else v for v in values]
    if kind == Question.Kind.RANKING:
        data = {f"q{q.pk}_o{ids[0]}": values[0]}
        if len(values) > 1:
            data[f"q{q.pk}_o{ids[0]}"] = values  # the same field twice
    else:
        data = {f"q{q.pk}": values}
    client.force_login(CitizenFactory())
    response = client.post(reverse("polls:detail", args=[poll.pk]), data)
    assert response.status_code in (200, 400)
    assert not Ballot.objects.filter(poll=poll).exists()
