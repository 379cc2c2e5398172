"""The workflow as data: every (state, action, role) triple is allowed or refused with a
translated reason, and only the services change state."""

import itertools

import pytest

from appeals import workflow
from appeals.workflow import ACTIONS, AUTHOR, Status
from cabinets.roles import Role
from tests.factories import AppealFactory, CabinetFactory, CitizenFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    cabinet = CabinetFactory()
    people = {role.value: member(cabinet, role) for role in Role}
    people["other_cabinet_head"] = member(CabinetFactory(), Role.HEAD)
    people["citizen"] = CitizenFactory()
    appeal = AppealFactory(cabinet=cabinet, executor=people["executor"])
    people["author"] = appeal.author
    return appeal, people


EXPECTED_WHO = {
    "register": {"head", "registrar"},
    "forward": {"head", "registrar"},
    "return": {"head"},
    "assign": {"head"},
    "extend": {"head"},  # R9: the head or an authorised person
    "draft_answer": {"head", "executor"},
    "sign_answer": {"head"},  # R12
    "close_no_merits": {"head"},
    "merge": {"head"},
    "withdraw": {"author"},  # R10
    "reopen": {"author"},
    "reopen_by_head": {"head"},
    "defer": set(),  # R17: only a request for information (test_R17_information_requests)
    "request_documents": {"head", "executor"},  # R7: the executor of the appeal or the head
}


def test_every_state_action_role_triple_is_decided(cast):
    appeal, people = cast
    for status, (name, action), (who, user) in itertools.product(
        Status, ACTIONS.items(), people.items()
    ):
        appeal.status = status
        reason = workflow.refusal(appeal, user, name)
        allowed = status in action.sources and who in EXPECTED_WHO[name]
        assert (reason is None) == allowed, (status, name, who, reason)
        if reason is not None:
            assert str(reason).strip(), (status, name, who)


def test_available_actions_match_refusals(cast):
    appeal, people = cast
    appeal.status = Status.REGISTERED
    names = [a.name for a in workflow.available_actions(appeal, people["head"])]
    assert names == [
        "forward",
        "return",
        "assign",
        "extend",
        "request_documents",
        "close_no_merits",
        "merge",
    ]
    assert [a.name for a in workflow.available_actions(appeal, people["author"])] == ["withdraw"]
    assert workflow.available_actions(appeal, people["citizen"]) == []


def test_R10_withdrawal_reachable_from_every_open_state_and_no_final_one(cast):
    appeal, people = cast
    for status in Status:
        appeal.status = status
        allowed = workflow.refusal(appeal, people["author"], "withdraw") is None
        assert allowed == status.is_open, status


def test_anonymous_and_unknown_actions_are_refused(cast):
    from django.contrib.auth.models import AnonymousUser

    appeal, _ = cast
    assert workflow.refusal(appeal, AnonymousUser(), "withdraw")
    assert workflow.refusal(appeal, appeal.author, "teleport")


def test_every_action_names_who_performs_it():
    for action in ACTIONS.values():
        assert action.who == AUTHOR or action.who.startswith("cabinets.")
        assert action.sources
