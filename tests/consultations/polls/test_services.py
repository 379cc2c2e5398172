"""Service details of polls: question checks, the beat task, mail, charts and Markdown."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cabinets.roles import Role
from consultations.polls import services, workflow
from consultations.polls.charts import bar_chart
from consultations.polls.models import Poll, Question
from consultations.polls.tasks import advance_polls
from consultations.polls.workflow import Status
from edem.celery import BEAT_SCHEDULE
from edem.core.workflow import TransitionNotAllowed
from tests.factories import CabinetFactory, CitizenFactory, member

from .factories import PollFactory, opts, question

pytestmark = pytest.mark.django_db


def test_question_rules_are_checked_in_the_service():
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    poll = PollFactory(cabinet=cabinet, status=Status.DRAFT)
    with pytest.raises(TransitionNotAllowed):  # a choice needs two options
        services.save_question(poll=poll, actor=head, text="Да?", kind="single", options=["Да"])
    with pytest.raises(TransitionNotAllowed):  # more required choices than options
        services.save_question(
            poll=poll, actor=head, text="Что?", kind="multiple", options=["А", "Б"], min_choices=3
        )
    with pytest.raises(TransitionNotAllowed):
        services.save_question(poll=poll, actor=head, text=" ", kind="text")
    scale = services.save_question(
        poll=poll, actor=head, text="Оценка", kind="scale", options=["x"]
    )
    assert scale.options.count() == 0  # a scale has no options
    same = services.save_question(
        poll=poll, actor=head, text="Выбор", kind="multiple", options=["А", "А", " Б ", ""]
    )
    assert list(same.options.values_list("text", flat=True)) == ["А", "Б"]
    assert [q.order for q in poll.questions.all()] == [1, 2]


def test_optional_questions_may_stay_empty_but_a_ballot_is_not_blank():
    poll = PollFactory()
    q = question(poll, required=False)
    t = question(poll, Question.Kind.TEXT, options=(), required=False)
    with pytest.raises(services.BallotInvalid):
        services.cast_ballot(poll=poll, voter=CitizenFactory(), answers={})
    ballot = services.cast_ballot(poll=poll, voter=CitizenFactory(), answers={t.pk: "Только текст"})
    assert ballot.answers.count() == 1
    with pytest.raises(services.BallotInvalid):  # an option of another question
        services.cast_ballot(poll=poll, voter=CitizenFactory(), answers={q.pk: 999999})


def test_voting_outside_the_dates_is_refused():
    poll = PollFactory(
        starts_at=timezone.now() - timedelta(days=20), ends_at=timezone.now() - timedelta(days=1)
    )  # still ACTIVE: the beat has not run yet
    q = question(poll)
    with pytest.raises(TransitionNotAllowed):
        services.cast_ballot(poll=poll, voter=CitizenFactory(), answers={q.pk: opts(q)[0]})


def test_the_beat_task_is_scheduled_and_delivers_mail(django_capture_on_commit_callbacks):
    assert any(
        task == "consultations.polls.tasks.advance_polls" for task, _s in BEAT_SCHEDULE.values()
    )
    initiator = CitizenFactory(email="author@example.org")
    poll = PollFactory(
        status=Status.SCHEDULED,
        initiator=initiator,
        initiator_kind="resident",
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(days=14),
    )
    question(poll)
    with django_capture_on_commit_callbacks(execute=True):
        result = advance_polls.delay().get()
    assert result == {"opened": 1, "closed": 0}
    poll.refresh_from_db()
    assert poll.status == Status.ACTIVE
    assert [m.to for m in mail.outbox] == [["author@example.org"]]
    assert poll.title in mail.outbox[0].subject


def test_workflow_table_answers_who_may_do_what():
    cabinet = CabinetFactory()
    head, executor = member(cabinet, Role.HEAD), member(cabinet, Role.EXECUTOR)
    poll = PollFactory(cabinet=cabinet, status=Status.MODERATION)
    assert {a.name for a in workflow.available_actions(poll, head)} == {"edit", "approve", "refuse"}
    assert workflow.available_actions(poll, executor) == []
    assert workflow.refusal(poll, None, "start") is not None  # wrong state
    poll.status = Status.SCHEDULED
    assert workflow.refusal(poll, None, "start") is None  # the portal, by date
    assert workflow.refusal(poll, head, "start") is not None  # never a person


def test_charts_escape_text_and_markdown_is_sanitised():
    svg = str(bar_chart([("<script>x</script>", 3, "3")], title="A & B", chart_id="c1"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "A &amp; B" in svg
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    poll = PollFactory(description="**Важно** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>Важно</strong>" in poll.description_html
    assert "<script" not in poll.description_html
    assert 'href="javascript' not in poll.description_html


def test_territory_breakdown_counts_ballots_by_the_voters_territory(client):
    from tests.factories import TerritoryFactory

    north, south = TerritoryFactory(name="Север"), TerritoryFactory(name="Юг")
    poll = PollFactory(results_visibility="live")
    q = question(poll, Question.Kind.SINGLE, ["Да", "Нет"])
    yes, no = opts(q)
    for territory, choice in [(north, yes)] * 4 + [(south, no)] * 3 + [(None, yes)] * 3:
        services.cast_ballot(
            poll=poll, voter=CitizenFactory(territory=territory), answers={q.pk: choice}
        )
    from consultations.polls.selectors import results

    res = results(poll)
    names = {name: cell.value for name, cell in res.territories}
    assert names["Север"] == 4 and names["Юг"] == 3 and sum(names.values()) == 10
    rows = {
        name: [c.value for c in counts] for name, counts, _total in res.questions[0].territories
    }
    assert rows["Север"] == [4, 0] and rows["Юг"] == [0, 3]
    page = client.get(reverse("polls:results", args=[poll.pk])).content.decode()
    assert "Север" in page and "Юг" in page


def test_poll_model_refuses_an_end_before_the_start():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PollFactory(ends_at=timezone.now() - timedelta(days=5))
    assert Poll.objects.count() == 0
