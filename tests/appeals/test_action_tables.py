"""The tables that replace the views' if-chains: every action an official takes on the card
has its form and service, every action of the author after filing too, and a request the
form cannot read is answered with a message, never with an error page."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from appeals.actions import CARD_ACTIONS, CITIZEN_ACTIONS
from appeals.models import Rating
from appeals.workflow import ACTIONS, AUTHOR, Status
from tests.factories import AppealFactory

pytestmark = pytest.mark.django_db


def test_every_officials_action_of_the_workflow_has_a_form_and_a_service():
    assert set(CARD_ACTIONS) == {name for name, action in ACTIONS.items() if action.who != AUTHOR}
    for card_action in CARD_ACTIONS.values():
        assert callable(card_action.service)


def test_the_authors_workflow_actions_after_filing_are_in_the_citizens_table():
    # "withdraw" has its own confirmation page; the others are posted from the appeal's page.
    authors = {name for name, action in ACTIONS.items() if action.who == AUTHOR}
    assert authors - {"withdraw"} <= set(CITIZEN_ACTIONS)


@pytest.mark.parametrize("stars", ["", "five", "9"])
def test_a_rating_the_form_or_the_rule_refuses_comes_back_as_a_message(client, stars):
    appeal = AppealFactory(status=Status.ANSWERED, answered_at=timezone.now(), number="A-7")
    client.force_login(appeal.author)
    response = client.post(
        reverse("appeals:citizen_action", args=[appeal.pk, "rate"]), {"stars": stars}
    )
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert not Rating.objects.exists()


def test_invitations_take_addresses_separated_by_commas_or_lines(client):
    appeal = AppealFactory(status=Status.REGISTERED, is_collective=True)
    client.force_login(appeal.author)
    response = client.post(
        reverse("appeals:citizen_action", args=[appeal.pk, "invite"]),
        {"emails": "one@example.org, two@example.org\nthree@example.org"},
    )
    assert response.status_code == 302
    assert appeal.cosigners.count() == 3
