"""R31: hiding a proposal moderates its text, not the body's duty to answer it. A hidden
proposal still needs a decision before the outcome is published, and the outcome table lists
it with the decision and the moderation reason in place of the text."""

import pytest
from django.urls import reverse

from consultations.discussions import selectors, services
from consultations.discussions.workflow import Status
from edem.core.workflow import TransitionNotAllowed
from tests.factories import CabinetFactory, member

from .factories import CommentFactory, DiscussionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cabinet = CabinetFactory()
    head = member(cabinet, "head")
    discussion = DiscussionFactory(cabinet=cabinet, status=Status.COMPLETED)
    proposal = CommentFactory(
        discussion=discussion, kind="wording", text="Новая редакция, с руганью в конце."
    )
    return discussion, head, proposal


def test_R31_a_hidden_proposal_still_blocks_publishing_until_it_has_a_decision(world):
    discussion, head, proposal = world
    services.hide_comment(comment=proposal, actor=head, reason="obscenity")
    assert list(services.undecided(discussion)) == [proposal]
    with pytest.raises(TransitionNotAllowed, match="1 still without a decision"):
        services.publish_results(discussion=discussion, actor=head)
    services.decide(comment=proposal, actor=head, outcome="rejected", reason="Не по существу.")
    assert services.publish_results(discussion=discussion, actor=head).status == (
        Status.RESULTS_PUBLISHED
    )


def test_R31_a_proposal_decided_then_hidden_keeps_its_decision_in_the_count(world):
    discussion, head, proposal = world
    services.decide(comment=proposal, actor=head, outcome="accepted", reason="Учтено.")
    services.hide_comment(comment=proposal, actor=head, reason="personal_data")
    assert not services.undecided(discussion).exists()
    rows = selectors.outcome_rows(discussion)
    assert rows == [proposal] and rows[0].decision.outcome == "accepted"


def test_R31_the_outcome_table_lists_a_hidden_proposal_with_decision_and_moderation_reason(
    client, world
):
    discussion, head, proposal = world
    visible = CommentFactory(discussion=discussion, text="Обычный комментарий.")
    spam = CommentFactory(discussion=discussion, text="Купите окна недорого!")
    services.hide_comment(comment=proposal, actor=head, reason="obscenity")
    services.hide_comment(comment=spam, actor=head, reason="advertising")
    services.decide(comment=proposal, actor=head, outcome="rejected", reason="Решение по сути.")
    services.decide(comment=visible, actor=head, outcome="accepted", reason="Принято.")
    services.publish_results(discussion=discussion, actor=head)
    assert {c.pk for c in selectors.outcome_rows(discussion)} == {proposal.pk, visible.pk}
    page = client.get(reverse("discussions:outcome", args=[discussion.pk])).content.decode()
    assert "Решение по сути." in page and "Принято." in page
    assert 'class="outcome-hidden"' in page and "Obscene language" in page
    assert "с руганью" not in page  # the hidden text stays hidden
    assert "Купите окна" not in page  # a hidden plain comment is not owed an answer
    pdf = client.get(reverse("discussions:outcome_pdf", args=[discussion.pk]))
    assert pdf.status_code == 200


def test_R31_the_official_decides_on_a_hidden_proposal_in_the_cabinet(client, world):
    discussion, head, proposal = world
    services.hide_comment(comment=proposal, actor=head, reason="hate")
    client.force_login(head)
    page = client.get(reverse("discussions_service:comments", args=[discussion.pk]))
    assert reverse("discussions_service:decide", args=[proposal.pk]) in page.content.decode()
    response = client.post(
        reverse("discussions_service:decide", args=[proposal.pk]),
        {
            f"c{proposal.pk}-outcome": "not_related",
            f"c{proposal.pk}-reason": "Не относится к пункту.",
        },
    )
    assert response.status_code in (302, 303)
    proposal.refresh_from_db()
    assert proposal.decision.outcome == "not_related"
