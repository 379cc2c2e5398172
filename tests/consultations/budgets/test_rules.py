"""One test (at least) per rule of participatory budgeting, R32–R36."""

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from cabinets.roles import Role
from consultations.budgets import services, tasks, voting
from consultations.budgets.models import Ballot, BudgetEvent, CostLine, Vote
from consultations.budgets.workflow import Phase, ProjectStatus
from edem.accounts.models import User
from edem.celery import BEAT_SCHEDULE
from edem.core.workflow import TransitionNotAllowed
from tests.factories import CitizenFactory, TerritoryFactory, member

from .factories import (
    BudgetCategoryFactory,
    BudgetCycleFactory,
    ProjectFactory,
    VoterFactory,
    cycle_in,
    phase_dates,
)

pytestmark = pytest.mark.django_db

D = Decimal


def line(description, quantity, price):
    return CostLine(description=description, quantity=D(quantity), unit_price=D(price))


def project_fields(**extra):
    return {
        "title": "Скамейки во дворе",
        "problem": "Негде присесть.",
        "description": "Поставить *пять* скамеек.",
        "beneficiaries": "Пожилые жители",
        "address": "ул. Садовая, 1",
        "latitude": None,
        "longitude": None,
        **extra,
    }


# --- R32: the cycle -------------------------------------------------------------------------


def test_R32_phase_dates_must_be_in_order_and_never_overlap():
    base = date(2026, 3, 1)
    good = BudgetCycleFactory.build(cabinet=None, **phase_dates(base, support=True))
    good.support_threshold = 75
    good.clean()  # no error
    overlapping = BudgetCycleFactory.build(
        cabinet=None, **{**phase_dates(base), "review_start": base + timedelta(days=19)}
    )
    with pytest.raises(ValidationError) as error:
        overlapping.clean()
    assert "review_start" in error.value.message_dict
    reversed_phase = BudgetCycleFactory.build(
        cabinet=None, **{**phase_dates(base), "voting_end": base + timedelta(days=29)}
    )
    with pytest.raises(ValidationError) as error:
        reversed_phase.clean()
    assert "voting_end" in error.value.message_dict
    support_without_threshold = BudgetCycleFactory.build(
        cabinet=None, **phase_dates(base, support=True)
    )
    with pytest.raises(ValidationError) as error:
        support_without_threshold.clean()
    assert "support_threshold" in error.value.message_dict
    late_results = BudgetCycleFactory.build(
        cabinet=None, results_date=base + timedelta(days=39), **phase_dates(base)
    )
    with pytest.raises(ValidationError):
        late_results.clean()


def test_R32_beat_task_moves_the_cycle_by_its_dates_idempotently_and_drops_unsupported(
    django_capture_on_commit_callbacks,
):
    start = date(2026, 3, 1)
    cycle = BudgetCycleFactory(
        status=Phase.PARAMETERS,
        parameters_approved_at=None,
        support_threshold=2,
        results_date=start + timedelta(days=45),
        **phase_dates(start, support=True),
    )
    strong, weak = ProjectFactory(cycle=cycle), ProjectFactory(cycle=cycle)
    assert services.advance(cycle=cycle, today=start + timedelta(days=3)) == []  # not approved
    cycle.parameters_approved_at = timezone.now()
    cycle.save()
    assert services.advance(cycle=cycle, today=start + timedelta(days=3)) == [Phase.SUBMISSION]
    assert services.advance(cycle=cycle, today=start + timedelta(days=12)) == [Phase.SUPPORT]
    for supporter in (VoterFactory(), VoterFactory()):
        services.support(project=strong, user=supporter, today=start + timedelta(days=12))
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(datetime(2026, 3, 22, 9, 0, tzinfo=UTC), tick=False),
    ):
        tasks.advance_budget_cycles.delay()  # the beat task (R32), eager in tests
    cycle.refresh_from_db()
    strong.refresh_from_db(), weak.refresh_from_db()
    assert cycle.status == Phase.REVIEW
    assert strong.status == ProjectStatus.SUBMITTED
    assert weak.status == ProjectStatus.NOT_SUPPORTED  # R32 (Kyiv: 75 supporters)
    assert any(weak.author.email in m.to for m in mail.outbox)
    events = BudgetEvent.objects.count()
    assert services.advance_all(today=start + timedelta(days=21)) == 0  # idempotent
    assert "consultations.budgets.tasks.advance_budget_cycles" in {
        task for task, _seconds in BEAT_SCHEDULE.values()
    }
    assert BudgetEvent.objects.count() == events
    # several phases at once when the task has not run for a while: voting, count, results
    assert services.advance(cycle=cycle, today=start + timedelta(days=46)) == [
        Phase.VOTING,
        Phase.COUNT,
        Phase.WINNERS_PUBLISHED,
    ]
    cycle.refresh_from_db()
    assert cycle.results_published_at is not None and cycle.lots_drawn_at is not None


def test_R32_computed_phase_follows_the_dates_before_the_beat_task_runs():
    cycle = cycle_in(Phase.SUBMISSION)
    today = timezone.localdate()
    assert cycle.phase(today) == Phase.SUBMISSION
    assert cycle.phase(cycle.voting_start) == Phase.VOTING
    assert cycle.phase(cycle.voting_end + timedelta(days=30)) == Phase.COUNT  # never results
    assert cycle.is_open(Phase.SUBMISSION, today)
    assert not cycle.is_open(Phase.VOTING, today)


def test_R32_support_is_one_per_person():
    cycle = cycle_in(Phase.SUPPORT, support=True, support_threshold=75)
    project, voter = ProjectFactory(cycle=cycle), VoterFactory()
    assert services.support(project=project, user=voter) == 1
    with pytest.raises(TransitionNotAllowed):
        services.support(project=project, user=voter)


# --- R33: submission ------------------------------------------------------------------------


def test_R33_eligible_resident_submits_an_itemised_cost_within_the_category_cap():
    cycle = cycle_in(Phase.SUBMISSION)
    small = BudgetCategoryFactory(cycle=cycle, name="Малые", max_project_cost=D("300000.00"))
    author = VoterFactory()
    lines = [line("Скамейка", "5", "12345.67"), line("Урна", "2.5", "0.10")]
    project = services.submit_project(
        cycle=cycle, author=author, cost_lines=lines, **project_fields(category=small)
    )
    # 5 × 12 345.67 + 2.5 × 0.10 = 61 728.35 + 0.25, exactly (no float)
    assert project.cost == D("61728.60")
    assert [line.total for line in project.cost_lines.all()] == [D("61728.35"), D("0.25")]
    assert "<em>пять</em>" in project.description_html
    with pytest.raises(TransitionNotAllowed, match="300"):  # R33: over the cap
        services.submit_project(
            cycle=cycle,
            author=author,
            cost_lines=[line("Площадка", "1", "300000.01")],
            **project_fields(category=small),
        )
    with pytest.raises(TransitionNotAllowed):  # a category is required when there are some
        services.submit_project(
            cycle=cycle, author=author, cost_lines=lines, **project_fields(category=None)
        )
    with pytest.raises(TransitionNotAllowed):  # an itemised cost is required
        services.submit_project(
            cycle=cycle, author=author, cost_lines=[], **project_fields(category=small)
        )
    minor = CitizenFactory(birth_date=timezone.localdate() - timedelta(days=365 * 15))
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="age of 16"):
        services.submit_project(
            cycle=cycle, author=minor, cost_lines=lines, **project_fields(category=small)
        )


def test_R33_no_submission_outside_the_submission_window():
    cycle = cycle_in(Phase.REVIEW)
    with pytest.raises(TransitionNotAllowed):
        services.submit_project(
            cycle=cycle,
            author=VoterFactory(),
            cost_lines=[line("x", "1", "10")],
            **project_fields(),
        )


# --- R34: review ----------------------------------------------------------------------------


@pytest.fixture
def review_cycle():
    cycle = cycle_in(Phase.REVIEW, max_project_cost=D("200000.00"))
    return cycle, member(cycle.cabinet, Role.EXECUTOR)


def test_R34_review_decisions_are_published_with_a_reason_and_the_author_is_told(
    review_cycle, django_capture_on_commit_callbacks
):
    cycle, reviewer = review_cycle
    project = ProjectFactory(cycle=cycle)
    with pytest.raises(TransitionNotAllowed):  # a reason is required to reject
        services.review(project=project, actor=reviewer, decision="reject", reason=" ")
    with pytest.raises(TransitionNotAllowed):  # an outsider may not review
        services.review(project=project, actor=member(), decision="accept")
    with pytest.raises(TransitionNotAllowed):  # the adjusted cost stays within the cap
        services.review(
            project=project, actor=reviewer, decision="accept", approved_cost=D("250000")
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.review(
            project=project,
            actor=reviewer,
            decision="return",
            reason="Уточните адрес и смету.",
        )
    project.refresh_from_db()
    assert project.status == ProjectStatus.RETURNED
    assert project.review_reason == "Уточните адрес и смету."
    assert mail.outbox[-1].to == [project.author.email]
    event = project.events.get(action="return")
    assert event.is_public and event.note == "Уточните адрес и смету."
    # the author changes it, which submits it again
    services.edit_project(
        project=project,
        actor=project.author,
        cost_lines=[line("Работы", "1", "150000")],
        **project_fields(),
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED and project.cost == D("150000.00")
    services.review(
        project=project, actor=reviewer, decision="accept", approved_cost=D("140000.004")
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED
    assert project.effective_cost == D("140000.00")


def test_R34_the_author_may_appeal_a_rejection_once(review_cycle):
    cycle, reviewer = review_cycle
    project = ProjectFactory(cycle=cycle)
    services.review(project=project, actor=reviewer, decision="reject", reason="Не наша земля")
    with pytest.raises(TransitionNotAllowed):  # only the author
        services.appeal_rejection(project=project, actor=VoterFactory(), text="Пересмотрите")
    services.appeal_rejection(project=project, actor=project.author, text="Земля городская")
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPEALED
    services.review(project=project, actor=reviewer, decision="reject", reason="Подтверждаем")
    with pytest.raises(TransitionNotAllowed):
        services.appeal_rejection(project=project, actor=project.author, text="Ещё раз")
    assert project.events.filter(action="appeal").count() == 1


def test_R34_admitted_projects_get_numbers_drawn_by_lot_at_the_end_of_review(review_cycle):
    cycle, reviewer = review_cycle
    admitted = [ProjectFactory(cycle=cycle) for _ in range(6)]
    rejected = ProjectFactory(cycle=cycle)
    for project in admitted:
        services.review(project=project, actor=reviewer, decision="accept")
    services.review(project=rejected, actor=reviewer, decision="reject", reason="Нельзя")
    assert services.advance(cycle=cycle, today=cycle.voting_start) == [Phase.VOTING]
    numbers = sorted(p.number for p in type(rejected).objects.filter(status="accepted"))
    assert numbers == [1, 2, 3, 4, 5, 6]
    rejected.refresh_from_db()
    assert rejected.number is None
    draw = BudgetEvent.objects.get(action="draw_numbers")
    order = draw.data["order"]
    assert sorted(order) == sorted(p.pk for p in admitted)
    for position, pk in enumerate(order, start=1):
        assert type(rejected).objects.get(pk=pk).number == position
    cycle.refresh_from_db()
    assert cycle.lots_drawn_at is not None
    services.advance(cycle=cycle, today=cycle.voting_start)  # run again: no second draw
    assert BudgetEvent.objects.filter(action="draw_numbers").count() == 1
    assert [type(rejected).objects.get(pk=pk).number for pk in order] == [1, 2, 3, 4, 5, 6]


# --- R35: voting ----------------------------------------------------------------------------


@pytest.fixture
def ballot():
    cycle = cycle_in(Phase.VOTING, votes_per_voter=3)
    projects = [
        ProjectFactory(cycle=cycle, status=ProjectStatus.ACCEPTED, number=i) for i in range(1, 6)
    ]
    return cycle, projects


def test_R35_each_voter_backs_up_to_k_distinct_projects(ballot):
    cycle, projects = ballot
    voter = VoterFactory()
    voting.cast_votes(cycle=cycle, user=voter, projects=projects[:2])
    with pytest.raises(TransitionNotAllowed):  # already voted for these
        voting.cast_votes(cycle=cycle, user=voter, projects=projects[:1])
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="1 left"):
        voting.cast_votes(cycle=cycle, user=voter, projects=projects[2:4])
    voting.cast_votes(cycle=cycle, user=voter, projects=projects[2:3])
    assert Vote.objects.filter(ballot__cycle=cycle).count() == 3
    assert Ballot.objects.filter(cycle=cycle).count() == 1
    submitted = ProjectFactory(cycle=cycle)  # not admitted: not on the ballot
    with pytest.raises(TransitionNotAllowed):
        voting.cast_votes(cycle=cycle, user=VoterFactory(), projects=[submitted])


def test_R35_one_vote_per_category_when_the_cycle_says_so():
    cycle = cycle_in(Phase.VOTING, votes_per_voter=3, one_vote_per_category=True)
    small, large = BudgetCategoryFactory(cycle=cycle), BudgetCategoryFactory(cycle=cycle)
    a, b = (ProjectFactory(cycle=cycle, category=small, status="accepted") for _ in range(2))
    c = ProjectFactory(cycle=cycle, category=large, status="accepted")
    voter = VoterFactory()
    with pytest.raises(TransitionNotAllowed):
        voting.cast_votes(cycle=cycle, user=voter, projects=[a, b])
    voting.cast_votes(cycle=cycle, user=voter, projects=[a, c])
    with pytest.raises(TransitionNotAllowed):
        voting.cast_votes(cycle=cycle, user=voter, projects=[b])


def test_R35_an_ineligible_user_is_refused_with_the_reason(ballot):
    cycle, projects = ballot
    town = TerritoryFactory(name="Демоград")
    cycle.eligible_territory = town
    cycle.save()
    with translation.override("en"):
        with pytest.raises(TransitionNotAllowed, match="Only members of the community of Демоград"):
            voting.cast_votes(
                cycle=cycle,
                user=VoterFactory(territory=TerritoryFactory(name="Elsewhere")),
                projects=projects[:1],
            )
        with pytest.raises(TransitionNotAllowed, match="verification"):
            unverified = VoterFactory(verification_level=User.Verification.EMAIL, territory=town)
            voting.cast_votes(cycle=cycle, user=unverified, projects=projects[:1])
    assert not Vote.objects.exists()


def test_R35_paper_and_online_votes_of_one_person_share_one_ballot(ballot):
    cycle, projects = ballot
    registrar = member(cycle.cabinet, Role.REGISTRAR)
    voter = VoterFactory()
    voting.cast_votes(cycle=cycle, user=voter, projects=projects[:2])
    with pytest.raises(TransitionNotAllowed):  # one ballot: K counts both channels
        voting.enter_paper_ballot(cycle=cycle, actor=registrar, voter=voter, projects=projects[2:4])
    voting.enter_paper_ballot(cycle=cycle, actor=registrar, voter=voter, projects=projects[2:3])
    assert Ballot.objects.filter(cycle=cycle).count() == 1
    assert sorted(Vote.objects.values_list("channel", flat=True)) == ["online", "online", "paper"]
    # without an account: the document reference is the key, the official confirms eligibility
    with pytest.raises(TransitionNotAllowed):
        voting.enter_paper_ballot(
            cycle=cycle,
            actor=registrar,
            document_kind="passport",
            document_number="45 01 123456",
            projects=projects[:1],
        )
    voting.enter_paper_ballot(
        cycle=cycle,
        actor=registrar,
        document_kind="passport",
        document_number="45 01 123456",
        eligibility_confirmed=True,
        projects=projects[:1],
    )
    with pytest.raises(TransitionNotAllowed):  # the same document again, written differently
        voting.enter_paper_ballot(
            cycle=cycle,
            actor=registrar,
            document_kind="passport",
            document_number="4501-123456",
            eligibility_confirmed=True,
            projects=projects[:1],
        )
    with pytest.raises(TransitionNotAllowed):  # an executor may not enter ballots
        voting.enter_paper_ballot(
            cycle=cycle,
            actor=member(cycle.cabinet, Role.EXECUTOR),
            voter=VoterFactory(),
            projects=projects[:1],
        )


def test_R35_the_ballot_is_locked_at_close(ballot):
    cycle, projects = ballot
    voter = VoterFactory()
    voting.cast_votes(cycle=cycle, user=voter, projects=projects[:1])
    assert services.advance(cycle=cycle, today=cycle.voting_end + timedelta(days=1)) == [
        Phase.COUNT
    ]
    ballot = Ballot.objects.get(cycle=cycle)
    assert ballot.locked_at is not None
    with pytest.raises(TransitionNotAllowed):
        voting.cast_votes(cycle=cycle, user=voter, projects=projects[1:2])
    # even if the phase were set back by mistake, a locked ballot takes no more votes
    type(cycle).objects.filter(pk=cycle.pk).update(status=Phase.VOTING)
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="closed"):
        voting.cast_votes(cycle=cycle, user=voter, projects=projects[1:2])


def _parallel(calls):
    """Run each callable in its own thread with its own connection; return the errors."""
    errors, barrier = [], threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            call()
        except TransitionNotAllowed as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_R35_parallel_votes_give_one_row_per_person_per_project_and_never_more_than_k():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises every write")
    cycle = cycle_in(Phase.VOTING, votes_per_voter=3)
    projects = [ProjectFactory(cycle=cycle, status="accepted") for _ in range(8)]
    voter, other = VoterFactory(), VoterFactory()
    # the same person votes for the same project from 6 requests at once
    errors = _parallel(
        [lambda: voting.cast_votes(cycle=cycle, user=voter, projects=projects[:1])] * 6
    )
    assert len(errors) == 5
    assert Vote.objects.filter(project=projects[0]).count() == 1
    # and for 7 other projects at once, with 2 votes left: exactly 2 succeed
    errors = _parallel(
        [
            (lambda p=p: voting.cast_votes(cycle=cycle, user=voter, projects=[p]))
            for p in projects[1:]
        ]
    )
    assert len(errors) == 5
    assert Vote.objects.filter(ballot__cycle=cycle, ballot__user=voter).count() == 3
    assert Ballot.objects.filter(cycle=cycle).count() == 1
    # many people at once for one project: every vote counted, exactly
    extra = ProjectFactory(cycle=cycle, status="accepted")
    people = [VoterFactory() for _ in range(8)] + [other]
    errors = _parallel(
        [(lambda u=u: voting.cast_votes(cycle=cycle, user=u, projects=[extra])) for u in people]
    )
    assert errors == []
    assert Vote.objects.filter(project=extra).count() == len(people)
    assert Ballot.objects.filter(cycle=cycle).count() == 1 + len(people)


# --- R36: winners ---------------------------------------------------------------------------


def test_R36_winners_are_chosen_greedily_per_category_and_all_counts_are_published(
    django_capture_on_commit_callbacks,
):
    cycle = cycle_in(Phase.VOTING, votes_per_voter=3, total_fund=D("1000000"))
    small = BudgetCategoryFactory(cycle=cycle, name="Малые", fund=D("300000"))
    t0 = timezone.now()

    def project(cost, minutes, category=small):
        return ProjectFactory(
            cycle=cycle,
            category=category,
            status="accepted",
            cost=D(cost),
            submitted_at=t0 - timedelta(minutes=minutes),
        )

    big = project("250000", 10)  # most votes
    too_big = project("100000", 9)  # second: does not fit (50 000 left) -> skipped
    cheap_late = project("50000", 1)  # tie with cheap_early on votes; later submission
    cheap_early = project("50000", 5)
    nobody = project("1000", 0)  # no votes: never wins
    voters = [VoterFactory() for _ in range(4)]
    ballots = {
        0: [big, too_big, cheap_early],
        1: [big, too_big, cheap_late],
        2: [big, cheap_early],
        3: [cheap_late, too_big],
    }
    for i, chosen in ballots.items():
        voting.cast_votes(cycle=cycle, user=voters[i], projects=chosen)
    head = member(cycle.cabinet, Role.HEAD)
    with pytest.raises(TransitionNotAllowed):  # not before the count
        voting.publish_results(cycle=cycle, actor=head)
    with django_capture_on_commit_callbacks(execute=True):
        voting.publish_results(cycle=cycle, actor=head, today=cycle.voting_end + timedelta(days=1))
    for p in (big, too_big, cheap_late, cheap_early, nobody):
        p.refresh_from_db()
    assert [big.final_votes, too_big.final_votes, cheap_early.final_votes] == [3, 3, 2]
    assert cheap_late.final_votes == 2 and nobody.final_votes == 0
    # ranking: big (3, earlier) > too_big (3) > cheap_early (2, earlier) > cheap_late > nobody
    assert [big.rank, too_big.rank, cheap_early.rank, cheap_late.rank, nobody.rank] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert big.status == cheap_early.status == ProjectStatus.SELECTED
    assert too_big.status == ProjectStatus.NOT_SELECTED  # skipped: 100 000 > 50 000 left
    assert cheap_late.status == ProjectStatus.NOT_SELECTED  # the tie went to the earlier one
    assert nobody.status == ProjectStatus.NOT_SELECTED
    results = BudgetEvent.objects.get(action="results")
    assert results.data["remaining"] == {str(small.pk): "0.00"}
    recipients = {tuple(m.to) for m in mail.outbox}
    assert (big.author.email,) in recipients and (voters[3].email,) in recipients
    with pytest.raises(TransitionNotAllowed):
        voting.publish_results(cycle=cycle, actor=head)
