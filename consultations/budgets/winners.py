"""Who wins a participatory budget (R36): a pure function, no database.

The rule, fixed before the vote and shown on every results page:

1. Each category is counted on its own, against its own fund. A cycle without categories is
   one group with the whole fund.
2. In a group, projects are ranked by votes, most first. Ties are broken by the earlier
   submission (the first submitted ranks higher); if two were submitted at the same instant,
   by the lower registration id.
3. Going down the ranking, a project is selected when its cost (after review) is not more than
   the money that remains in the group; the remaining money shrinks by its cost. A project that
   no longer fits is skipped, and counting continues with the next ones, which may be cheaper
   (CONSUL Democracy's ``Budget::Result``).
4. A project nobody voted for is never selected.
5. All vote counts are published, with the money that remains in each group.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class Candidate:
    id: int
    votes: int
    cost: Decimal
    submitted_at: datetime
    group: object = None  # the category's id, or None when the cycle has no categories


@dataclass
class GroupResult:
    group: object
    fund: Decimal
    ranking: list = field(default_factory=list)  # every candidate of the group, in rank order
    winners: list = field(default_factory=list)  # the selected ones, in rank order
    remaining: Decimal = Decimal("0")


def ranking_key(candidate):
    """Votes descending, then earlier submission, then lower id (rule 2)."""
    return (-candidate.votes, candidate.submitted_at, candidate.id)


def select_winners(candidates, funds, *, min_votes=1):
    """Apply the rule to ``candidates`` with ``funds`` ({group: Decimal}); returns
    {group: GroupResult}. Candidates of a group without a fund are ranked but never win."""
    results = {group: GroupResult(group=group, fund=Decimal(fund)) for group, fund in funds.items()}
    by_group = {}
    for candidate in candidates:
        by_group.setdefault(candidate.group, []).append(candidate)
    for group, members in by_group.items():
        result = results.setdefault(group, GroupResult(group=group, fund=Decimal("0")))
        result.ranking = sorted(members, key=ranking_key)
    for result in results.values():
        remaining = result.fund
        for candidate in result.ranking:
            if candidate.votes < min_votes:  # rule 4
                continue
            if candidate.cost <= remaining:  # rule 3
                result.winners.append(candidate)
                remaining -= candidate.cost
            # else: skipped; the next, cheaper projects may still fit
        result.remaining = remaining
    return results
