"""Participation per instrument, counted by the set-based rebuild."""

import pytest
from django.utils import timezone

from analytics.models import Participation
from analytics.participation import rebuild_participation
from consultations.discussions.models import Decision
from tests.consultations.budgets.factories import BudgetCycleFactory, ProjectFactory
from tests.consultations.discussions.factories import CommentFactory, DiscussionFactory
from tests.consultations.petitions.factories import CollectingPetitionFactory, SignatureFactory
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def test_participation_counts_each_instrument():
    petition = CollectingPetitionFactory(answered_at=timezone.now())
    for _ in range(3):
        SignatureFactory(petition=petition)
    SignatureFactory(petition=petition, confirmed_at=None)  # not confirmed: not counted
    discussion = DiscussionFactory()
    author = CitizenFactory()
    first = CommentFactory(discussion=discussion, author=author)
    CommentFactory(discussion=discussion, author=author)
    CommentFactory(discussion=discussion, is_hidden=True, hidden_reason="obscenity")  # hidden
    Decision.objects.create(
        comment=first, outcome="accepted", reason="Учтено.", decided_by=discussion.initiator
    )
    cycle = BudgetCycleFactory()
    ProjectFactory(cycle=cycle, reviewed_at=timezone.now())
    ProjectFactory(cycle=cycle)

    rebuild_participation()
    rebuild_participation()  # again: replaces, never doubles

    rows = {p.instrument: p for p in Participation.objects.all()}
    assert len(rows) == 3
    assert (rows["petition"].signatures, rows["petition"].participants) == (3, 3)
    assert rows["petition"].answered == 1
    assert (rows["discussion"].proposals, rows["discussion"].participants) == (2, 1)
    assert rows["discussion"].answered == 1
    assert (rows["budget"].proposals, rows["budget"].answered) == (2, 1)
    assert rows["petition"].title == petition.title
