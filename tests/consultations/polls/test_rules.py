"""One test per rule of RULES.md section E as it applies to polls (R27–R31)."""

import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from cabinets.roles import Role
from consultations.eligibility import NotEligible, voter_key
from consultations.polls import selectors, services
from consultations.polls.models import (
    Answer,
    Ballot,
    InitiatorKind,
    PollEvent,
    Question,
    ResultsVisibility,
    TerminationReason,
)
from consultations.polls.workflow import Status
from edem.accounts.models import User
from edem.core.workflow import TransitionNotAllowed
from tests.conftest import needs_services
from tests.factories import CabinetFactory, CitizenFactory, TerritoryFactory, UserFactory, member

from .factories import PollFactory, opts, outbox, question

pytestmark = pytest.mark.django_db


def test_R27_simple_and_complex_poll_forms():
    """Simple polls: single or multiple choice; complex: ranking and scoring; plus free text.
    Each kind is validated by its own rule and counted its own way."""
    poll = PollFactory()
    single = question(poll, Question.Kind.SINGLE, ["Да", "Нет"])
    multiple = question(
        poll, Question.Kind.MULTIPLE, ["Парк", "Сквер", "Стадион"], min_choices=1, max_choices=2
    )
    ranking = question(poll, Question.Kind.RANKING, ["А", "Б", "В"])
    scale = question(poll, Question.Kind.SCALE, options=())
    text = question(poll, Question.Kind.TEXT, options=(), required=False)
    s, m, r = opts(single), opts(multiple), opts(ranking)

    bad = {
        single.pk: [s[0], s[1]],  # two answers to a single choice
        multiple.pk: m,  # three of at most two
        ranking.pk: {r[0]: 1, r[1]: 1, r[2]: 2},  # the same place twice
        scale.pk: 6,  # off the scale
    }
    with pytest.raises(services.BallotInvalid) as caught:
        services.cast_ballot(poll=poll, voter=CitizenFactory(), answers=bad)
    assert set(caught.value.errors) == {single.pk, multiple.pk, ranking.pk, scale.pk}
    with pytest.raises(services.BallotInvalid) as caught:  # incomplete ranking
        services.cast_ballot(
            poll=poll,
            voter=CitizenFactory(),
            answers={single.pk: s[0], multiple.pk: [m[0]], ranking.pk: {r[0]: 1}, scale.pk: 3},
        )
    assert set(caught.value.errors) == {ranking.pk}
    assert Ballot.objects.count() == 0

    votes = [
        (s[0], [m[0], m[1]], {r[0]: 1, r[1]: 2, r[2]: 3}, 5, "Больше скамеек"),
        (s[0], [m[1]], {r[1]: 1, r[0]: 2, r[2]: 3}, 4, ""),
        (s[1], [m[1], m[2]], {r[0]: 1, r[2]: 2, r[1]: 3}, 3, ""),
    ]
    for a, b, c, d, e in votes:
        services.cast_ballot(
            poll=poll,
            voter=CitizenFactory(),
            answers={single.pk: a, multiple.pk: b, ranking.pk: c, scale.pk: d, text.pk: e},
        )
    result = {q.question.pk: q for q in selectors.results(poll).questions}
    assert [o["count"] for o in result[single.pk].options] == [2, 1]
    assert [o["count"] for o in result[multiple.pk].options] == [1, 3, 1]
    assert result[multiple.pk].options[1]["percent"] == 100.0
    # Borda (n − r points): А 2+1+2 = 5, Б 1+2+0 = 3, В 0+0+1 = 1
    assert [(o["option"].text, o["points"]) for o in result[ranking.pk].options] == [
        ("А", 5),
        ("Б", 3),
        ("В", 1),
    ]
    assert result[ranking.pk].options[0]["place"] == pytest.approx(4 / 3, abs=0.01)
    assert result[scale.pk].average == 4.0
    assert [x["count"] for x in result[scale.pk].scale] == [0, 0, 1, 1, 1]
    assert result[text.pk].pending == 1 and result[text.pk].texts == []


def test_R28_initiators_and_moderation():
    cabinet = CabinetFactory(email="adm@example.org")
    head, executor = member(cabinet, Role.HEAD), member(cabinet, Role.EXECUTOR)
    resident = CitizenFactory()
    starts = timezone.now() + timedelta(days=2)
    proposal = {
        "cabinet": cabinet,
        "title": "Где поставить детскую площадку?",
        "description": "Предложение жителей",
        "starts_at": starts,
        "ends_at": starts + timedelta(days=20),
        "question_text": "Место",
        "options": ["У школы", "У реки"],
    }
    with pytest.raises(TransitionNotAllowed):  # a resident proposes only once verified
        services.propose_poll(
            actor=UserFactory(), initiator_kind=InitiatorKind.RESIDENT, **proposal
        )
    with pytest.raises(TransitionNotAllowed):  # an NGO names itself
        services.propose_poll(actor=resident, initiator_kind=InitiatorKind.NGO, **proposal)
    with pytest.raises(TransitionNotAllowed):  # a resident cannot pose as the authority
        services.propose_poll(actor=resident, initiator_kind=InitiatorKind.CABINET, **proposal)

    poll = services.propose_poll(
        actor=resident,
        initiator_kind=InitiatorKind.NGO,
        organisation_name="ОСН «Заречье»",
        **proposal,
    )
    assert poll.status == Status.MODERATION and poll.questions.count() == 1
    assert poll.initiator == resident and poll.initiator_label == "ОСН «Заречье»"
    assert outbox("adm@example.org", "proposed")  # the cabinet is told
    assert poll not in selectors.public_polls()  # not public before moderation

    with pytest.raises(TransitionNotAllowed):  # only the responsible cabinet's staff moderate
        services.approve(poll=poll, actor=member(CabinetFactory(), Role.HEAD))
    with pytest.raises(TransitionNotAllowed):  # an executor has no right to moderate
        services.approve(poll=poll, actor=executor)
    with pytest.raises(TransitionNotAllowed):  # a refusal gives its reason
        services.refuse(poll=poll, actor=head, reason="  ")
    services.approve(poll=poll, actor=head, note="Согласовано")
    poll.refresh_from_db()
    assert poll.status == Status.SCHEDULED and poll in selectors.public_polls()
    assert outbox(resident.email, "approved")

    other = services.propose_poll(actor=resident, initiator_kind=InitiatorKind.RESIDENT, **proposal)
    services.refuse(poll=other, actor=head, reason="Вопрос вне компетенции")
    other.refresh_from_db()
    assert other.status == Status.REFUSED and other.refusal_reason == "Вопрос вне компетенции"
    assert "Вопрос вне компетенции" in outbox(resident.email, "refused", poll=other)[0]

    # The cabinet's own poll skips moderation: DRAFT → SCHEDULED.
    own = services.create_poll(
        actor=head, cabinet=cabinet, title="Опрос администрации", starts_at=starts,
        ends_at=starts + timedelta(days=14),
    )  # fmt: skip
    assert own.initiator_kind == InitiatorKind.CABINET and own.status == Status.DRAFT
    with pytest.raises(TransitionNotAllowed):  # not without a question
        services.schedule(poll=own, actor=head)
    services.save_question(
        poll=own, actor=head, text="Нравится?", kind="single", options=["Да", "Нет"]
    )
    assert services.schedule(poll=own, actor=head).status == Status.SCHEDULED
    with pytest.raises(TransitionNotAllowed):
        services.create_poll(actor=resident, cabinet=cabinet, title="x", starts_at=starts,
                             ends_at=starts + timedelta(days=14))  # fmt: skip


def test_R29_lifecycle_by_date_termination_and_frozen_questions():
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(TransitionNotAllowed):  # default duration 14–30 days
        services.create_poll(actor=head, cabinet=cabinet, title="Коротко", starts_at=start,
                             ends_at=start + timedelta(days=3))  # fmt: skip
    poll = services.create_poll(
        actor=head,
        cabinet=cabinet,
        title="Сквер",
        starts_at=start,
        ends_at=start + timedelta(days=14),
    )
    q = services.save_question(
        poll=poll, actor=head, text="Да?", kind="single", options=["Да", "Нет"]
    )
    services.schedule(poll=poll, actor=head)
    voter = CitizenFactory()

    assert services.advance_by_date() == (0, 0)  # not yet
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert services.advance_by_date() == (1, 0)
        assert services.advance_by_date() == (0, 0)  # idempotent
        poll.refresh_from_db()
        assert poll.status == Status.ACTIVE
        # R29: frozen once ACTIVE, in the service...
        with (  # the language outside: the match reads the (lazy) message on the way out
            translation.override("en"),
            pytest.raises(TransitionNotAllowed, match="no longer change"),
        ):
            services.update_poll(poll=poll, actor=head, ends_at=poll.ends_at + timedelta(days=1))
        with pytest.raises(TransitionNotAllowed):
            services.save_question(poll=poll, actor=head, question=q, text="Нет?", kind="single",
                                   options=["А", "Б"])  # fmt: skip
        with pytest.raises(TransitionNotAllowed):
            services.delete_question(question=q, actor=head)
        services.cast_ballot(poll=poll, voter=voter, answers={q.pk: opts(q)[0]})
    with time_machine.travel(start + timedelta(days=14, minutes=1), tick=False):
        assert services.advance_by_date() == (0, 1)
        assert services.advance_by_date() == (0, 0)
    poll.refresh_from_db()
    assert poll.status == Status.COMPLETED and poll.closed_at is not None
    assert outbox(voter.email, "completed")  # participants are told
    with pytest.raises(TransitionNotAllowed):  # the decision is required (R31)
        services.publish_results(poll=poll, actor=head, decision="")
    services.publish_results(poll=poll, actor=head, decision="Сквер благоустроим.")
    poll.refresh_from_db()
    assert poll.status == Status.RESULTS_PUBLISHED
    assert [e.action for e in poll.events.order_by("pk")] == [
        "create", "add_question", "schedule", "start", "complete", "publish_results",
    ]  # fmt: skip
    event = poll.events.first()
    with pytest.raises(ValueError):  # the history is immutable
        event.save()
    with pytest.raises(ValueError):
        event.delete()

    # TERMINATED_EARLY with a reason from the list and an explanation
    running = PollFactory(cabinet=cabinet)
    rq = question(running)
    other_voter = CitizenFactory()
    services.cast_ballot(poll=running, voter=other_voter, answers={rq.pk: opts(rq)[0]})
    with pytest.raises(TransitionNotAllowed):
        services.terminate(poll=running, actor=head, reason="boring", note="x")
    with pytest.raises(TransitionNotAllowed):
        services.terminate(
            poll=running, actor=head, reason=TerminationReason.TECHNICAL_ERROR, note=" "
        )
    services.terminate(
        poll=running, actor=head, reason=TerminationReason.TECHNICAL_ERROR, note="Сбой подсчёта"
    )
    running.refresh_from_db()
    assert running.status == Status.TERMINATED_EARLY
    assert running.termination_reason == TerminationReason.TECHNICAL_ERROR
    body = outbox(other_voter.email, "terminated")[0]
    assert "Сбой подсчёта" in body
    assert "Technical error" in body or "Техническая ошибка" in body
    with pytest.raises(TransitionNotAllowed):  # closed: no more ballots
        services.cast_ballot(poll=running, voter=CitizenFactory(), answers={rq.pk: opts(rq)[0]})
    with pytest.raises(IntegrityError), transaction.atomic():  # the database keeps the reason
        type(running).objects.filter(pk=running.pk).update(termination_reason="")


def test_R30_eligibility_one_ballot_per_person_and_changeable_setting():
    town = TerritoryFactory(name="Заречье")
    poll = PollFactory(
        eligible_verification=User.Verification.RESIDENT, eligible_territory=town, min_age=16
    )
    q = question(poll)
    yes, no = opts(q)
    # An ineligible user is refused with the reason.
    outsider = CitizenFactory(
        territory=TerritoryFactory(name="Другой"), birth_date=date(1990, 1, 1)
    )
    with pytest.raises(NotEligible) as caught, translation.override("en"):
        services.cast_ballot(poll=poll, voter=outsider, answers={q.pk: yes})
    with translation.override("en"):
        assert "Заречье" in str(caught.value.reason)
    with pytest.raises(NotEligible):  # e-mail-only account
        services.cast_ballot(
            poll=poll,
            voter=UserFactory(territory=town, birth_date=date(1990, 1, 1)),
            answers={q.pk: yes},
        )
    with pytest.raises(NotEligible):  # too young
        services.cast_ballot(
            poll=poll,
            voter=CitizenFactory(
                territory=town, birth_date=timezone.localdate() - timedelta(days=365 * 10)
            ),
            answers={q.pk: yes},
        )
    voter = CitizenFactory(territory=town, birth_date=date(1990, 1, 1))
    ballot = services.cast_ballot(poll=poll, voter=voter, answers={q.pk: yes})
    assert ballot.territory == town and ballot.voter_key == voter_key(voter)
    # Not changeable (Diia-style): the second ballot is refused and the first one stays.
    with pytest.raises(TransitionNotAllowed, match="already voted"), translation.override("en"):
        services.cast_ballot(poll=poll, voter=voter, answers={q.pk: no})
    assert list(Answer.objects.filter(ballot__poll=poll).values_list("option_id", flat=True)) == [
        yes
    ]
    # The database itself refuses a second row for the same person.
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(poll=poll, voter=voter, voter_key=voter_key(voter))
    # Changeable: the ballot is replaced, still one row.
    poll.ballots_changeable = True
    poll.save()
    again = services.cast_ballot(poll=poll, voter=voter, answers={q.pk: no})
    assert again.pk == ballot.pk and again.was_changed
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert list(Answer.objects.filter(ballot__poll=poll).values_list("option_id", flat=True)) == [
        no
    ]
    # After the poll closes a ballot can no longer change.
    poll.status = Status.COMPLETED
    poll.save()
    with pytest.raises(TransitionNotAllowed):
        services.cast_ballot(poll=poll, voter=voter, answers={q.pk: yes})


@needs_services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("changeable", [False, True])
def test_R30_parallel_ballots_leave_exactly_one_row_per_person(changeable):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency needs PostgreSQL")
    poll = PollFactory(ballots_changeable=changeable)
    q = question(poll)
    voter = CitizenFactory()
    options = opts(q)
    barrier = threading.Barrier(8)
    outcomes = []

    def vote(i):
        try:
            barrier.wait()
            services.cast_ballot(poll=poll, voter=voter, answers={q.pk: options[i % 2]})
            outcomes.append("ok")
        except TransitionNotAllowed:
            outcomes.append("refused")
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert Answer.objects.filter(ballot__poll=poll).count() == 1
    if changeable:
        assert outcomes == ["ok"] * 8
    else:
        assert sorted(outcomes) == ["ok"] + ["refused"] * 7


def test_R31_results_visibility_archive_and_moderated_free_text():
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    after = PollFactory(cabinet=cabinet, results_visibility=ResultsVisibility.AFTER_CLOSE)
    live = PollFactory(cabinet=cabinet, results_visibility=ResultsVisibility.LIVE)
    assert not after.results_visible and live.results_visible
    assert selectors.can_see_results(after, staff=True)  # staff follow the count live

    q = question(after, Question.Kind.TEXT, options=())
    for text in ["Нужны скамейки", "КУПИТЕ СЛОНА http://spam.example", "Больше света"]:
        services.cast_ballot(poll=after, voter=CitizenFactory(), answers={q.pk: text})
    pending = list(selectors.texts_to_moderate(after))
    assert len(pending) == 3 and all(a.text_status == "pending" for a in pending)
    services.moderate_text(answer=pending[0], actor=head, approve=True)
    services.moderate_text(answer=pending[1], actor=head, approve=False, note="Реклама")
    with pytest.raises(TransitionNotAllowed):  # not by an outsider
        services.moderate_text(
            answer=pending[2], actor=member(CabinetFactory(), Role.HEAD), approve=True
        )
    result = selectors.results(after).questions[0]
    assert result.texts == ["Нужны скамейки"]  # only approved text is shown
    assert (result.pending, result.rejected) == (1, 1)
    assert PollEvent.objects.filter(poll=after, action="moderate_text").count() == 2

    after.status = Status.COMPLETED
    after.save()
    assert after.results_visible
    assert list(selectors.archive()) == [after]  # the archive keeps closed polls
