"""The workflow kernel (``edem.core.workflow``): a table of actions and one rule give the three
questions every instrument asks, with one error type."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from appeals import workflow as appeals_workflow
from consultations.budgets import workflow as budgets_workflow
from consultations.discussions import workflow as discussions_workflow
from consultations.petitions import workflow as petitions_workflow
from consultations.polls import workflow as polls_workflow
from edem.core.workflow import Action, AvailableActions, TransitionNotAllowed, Workflow

OWNER = "owner"


def _rule(item, user, action):
    if not action.leaves_from(item.state):
        return f"not from {item.state}"
    if action.who == OWNER and item.owner != user:
        return "only the owner"
    return None


DOOR = Workflow(
    [
        Action("open", "Open", ["closed"], "open", OWNER),
        Action("close", "Close", ["open"], "closed", OWNER),
        Action("knock", "Knock", None, None, "anyone"),
    ],
    rule=_rule,
)


def test_refusal_check_and_available_actions_come_from_the_table_and_the_rule():
    door = SimpleNamespace(state="closed", owner="ann")
    assert DOOR.refusal(door, "ann", "open") is None
    assert DOOR.refusal(door, "bob", "open") == "only the owner"
    assert DOOR.refusal(door, "ann", "close") == "not from closed"
    with translation.override("en"):
        assert str(DOOR.refusal(door, "ann", "fly")) == "Unknown action."
    assert DOOR.check(door, "ann", "open") is DOOR["open"]
    with pytest.raises(TransitionNotAllowed) as refused:
        DOOR.check(door, "bob", "open")
    assert refused.value.reason == str(refused.value) == "only the owner"
    assert DOOR.available_actions(door, "ann").names == ["open", "knock"]
    assert DOOR.available_actions(door, "ann", names=["knock"]).names == ["knock"]
    assert DOOR.available_actions(door, "bob") == [DOOR["knock"]]


def test_an_action_is_immutable_data_with_normalised_states():
    action = Action("open", "Open", ["closed", "ajar"], "open", OWNER, flags=["loud"])
    assert action.sources == frozenset({"closed", "ajar"}) and action.flags == {"loud"}
    assert action.changes_state and not DOOR["knock"].changes_state
    assert DOOR["knock"].leaves_from("anything")
    with pytest.raises(AttributeError):
        action.target = "closed"


def test_a_table_names_each_action_once():
    with pytest.raises(ValueError, match="twice"):
        Workflow([DOOR["open"], DOOR["open"]], rule=_rule)
    with pytest.raises(ValueError, match="own name"):
        Workflow({"shut": DOOR["close"]}, rule=_rule)


def test_templates_ask_the_available_actions_by_name():
    actions = AvailableActions([DOOR["open"], DOOR["knock"]])
    assert "open" in actions and "close" not in actions and DOOR["knock"] in actions
    html = Template(
        "{% if actions.open %}{{ actions.open.label }}{% endif %}"
        "{% if actions.close %}Close{% endif %}"
        '{% if "knock" in actions %} and knock{% endif %}'
    ).render(Context({"actions": actions}))
    assert html == "Open and knock"


@pytest.mark.parametrize(
    "module",
    [
        appeals_workflow,
        discussions_workflow,
        polls_workflow,
        petitions_workflow,
        budgets_workflow,
    ],
)
def test_every_instrument_uses_the_kernel_and_keeps_no_copy(module):
    assert isinstance(module.WORKFLOW, Workflow)
    assert module.WORKFLOW.actions is module.ACTIONS
    assert all(type(action) is Action for action in module.ACTIONS.values())
    assert not hasattr(module, "TransitionNotAllowed")
    assert not hasattr(module, "_a") and module.Action is Action
