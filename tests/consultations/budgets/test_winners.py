"""R36: property tests of the winners rule (``consultations/budgets/winners.py``), a pure
function: no database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from consultations.budgets.winners import Candidate, ranking_key, select_winners

T0 = datetime(2026, 3, 1, tzinfo=UTC)

money = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("500000"), places=2, allow_nan=False
)


@st.composite
def contests(draw):
    groups = draw(st.lists(st.sampled_from([None, 1, 2, 3]), min_size=1, max_size=3, unique=True))
    funds = {group: draw(money) * 3 for group in groups}
    n = draw(st.integers(min_value=0, max_value=25))
    candidates = [
        Candidate(
            id=i + 1,
            votes=draw(st.integers(min_value=0, max_value=6)),  # small range: many ties
            cost=draw(money),
            submitted_at=T0 + timedelta(minutes=draw(st.integers(min_value=0, max_value=5))),
            group=draw(st.sampled_from(groups)),
        )
        for i in range(n)
    ]
    return candidates, funds


@settings(max_examples=300, deadline=None)
@given(contests())
def test_R36_winners_never_exceed_the_fund_and_the_remainder_is_exact(contest):
    candidates, funds = contest
    for group, result in select_winners(candidates, funds).items():
        spent = sum((c.cost for c in result.winners), Decimal("0"))
        assert spent <= funds[group]
        assert result.remaining == funds[group] - spent
        assert result.remaining >= 0
        assert all(c.group == group for c in result.ranking)


@settings(max_examples=300, deadline=None)
@given(contests())
def test_R36_the_greedy_rule_is_followed(contest):
    """Walking down the ranking, a project with votes is selected exactly when it fits the
    money that remains; one that does not fit is skipped and the walk continues."""
    candidates, funds = contest
    for group, result in select_winners(candidates, funds).items():
        remaining = funds[group]
        winners = set()
        for candidate in result.ranking:
            fits = candidate.votes >= 1 and candidate.cost <= remaining
            assert (candidate in result.winners) == fits
            if fits:
                winners.add(candidate.id)
                remaining -= candidate.cost
        # nothing left out could still be paid for: each voted-for project left out costs
        # more than what finally remains (the remainder only shrinks)
        for candidate in result.ranking:
            if candidate.id not in winners and candidate.votes >= 1:
                assert candidate.cost > result.remaining
        assert [c.id for c in result.winners] == [c.id for c in result.ranking if c.id in winners]


@settings(max_examples=300, deadline=None)
@given(contests())
def test_R36_ranking_is_by_votes_then_earlier_submission_then_lower_id(contest):
    candidates, funds = contest
    for result in select_winners(candidates, funds).values():
        for higher, lower in zip(result.ranking, result.ranking[1:], strict=False):
            assert higher.votes >= lower.votes
            if higher.votes == lower.votes:
                assert higher.submitted_at <= lower.submitted_at
                if higher.submitted_at == lower.submitted_at:
                    assert higher.id < lower.id
        assert result.ranking == sorted(result.ranking, key=ranking_key)


@given(
    cost=money,
    votes=st.integers(min_value=1, max_value=100),
    earlier=st.integers(min_value=1, max_value=1000),
)
def test_R36_a_tie_goes_to_the_earlier_submission_when_only_one_fits(cost, votes, earlier):
    late = Candidate(id=1, votes=votes, cost=cost, submitted_at=T0)
    early = Candidate(id=2, votes=votes, cost=cost, submitted_at=T0 - timedelta(seconds=earlier))
    result = select_winners([late, early], {None: cost})[None]
    assert result.winners == [early]
    assert result.remaining == 0


def test_R36_a_project_that_does_not_fit_is_skipped_and_cheaper_ones_still_win():
    a = Candidate(id=1, votes=10, cost=Decimal("700"), submitted_at=T0)
    b = Candidate(id=2, votes=9, cost=Decimal("400"), submitted_at=T0)
    c = Candidate(id=3, votes=8, cost=Decimal("300"), submitted_at=T0)
    d = Candidate(id=4, votes=0, cost=Decimal("1"), submitted_at=T0)
    result = select_winners([d, c, b, a], {None: Decimal("1000")})[None]
    assert [w.id for w in result.winners] == [1, 3]
    assert result.remaining == Decimal("0")
    assert [r.id for r in result.ranking] == [1, 2, 3, 4]
