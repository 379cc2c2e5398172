"""The workflow kernel: a lifecycle as data, and the three questions every instrument asks of it.

An instrument (appeals, discussions, polls, petitions, budgets) describes its lifecycle as a
table of ``Action`` records (which states an action leaves from, which state it goes to, who
may take it) and the one rule that says whether *this* user may take *this* action on *this*
object now. ``Workflow`` turns that into:

* ``refusal(obj, user, name)``: the translated reason why not, or ``None`` if allowed;
* ``check(obj, user, name)``: the action, or ``TransitionNotAllowed`` with that reason;
* ``available_actions(obj, user)``: the actions allowed now, in table order, for views and
  templates (``{% if actions.register %}``, ``{% if "register" in actions %}``).

Services call ``check()``; views and templates ask ``available_actions()``. Nothing else decides
what is allowed. The meaning of ``who`` is the instrument's own (a permission on the object's
cabinet, its author, the calendar, a set of roles): the kernel never interprets it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


class TransitionNotAllowed(Exception):
    """A workflow guard refused; ``reason`` (also ``str(error)``) is translated and shown to the
    user. Services of every instrument raise this one type, and subclass it for their own
    refusals (``FilingRefused``, ``SigningRefused``)."""

    def __init__(self, reason=""):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Action:
    """One row of a lifecycle table.

    ``sources`` are the states the action leaves from (``None``: an action on an enclosing
    object that has no state of its own here, e.g. a budget cycle's action beside its
    projects'); ``target`` is the state it goes to (``None``: the state does not change);
    ``who`` says who may take it, in the instrument's terms. ``phases`` is an optional second
    state the action needs (the phase of the budget cycle a project belongs to); ``flags`` name
    extra conditions the instrument checks (``"executor_only"``, ``"before_approval"``).
    """

    name: str
    label: str
    sources: frozenset | None
    target: object = None
    who: object = None
    phases: frozenset | None = None
    flags: frozenset = field(default_factory=frozenset)

    def __post_init__(self):
        for name in ("sources", "phases"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))
        if not isinstance(self.flags, frozenset):
            object.__setattr__(self, "flags", frozenset(self.flags))

    @property
    def changes_state(self):
        return self.target is not None

    def leaves_from(self, state):
        """Whether the action may start from ``state`` (always, for a stateless action)."""
        return self.sources is None or state in self.sources


class AvailableActions(list):
    """The actions allowed now: a list of ``Action`` in table order that a template can also ask
    by name (``actions.register``, ``"register" in actions``)."""

    def __contains__(self, item):
        if isinstance(item, str):
            return any(action.name == item for action in self)
        return super().__contains__(item)

    def __getitem__(self, key):
        if isinstance(key, str):
            for action in self:
                if action.name == key:
                    return action
            raise KeyError(key)
        return super().__getitem__(key)

    @property
    def names(self):
        return [action.name for action in self]


# ``rule(obj, user, action, **context)``: the reason why ``user`` may not take ``action`` on
# ``obj`` now (translated), or None. ``user`` None stands for the portal itself (a beat task).
Rule = Callable[..., object]


class Workflow:
    """A lifecycle table and the rule that guards it.

    ``actions`` are the rows (a mapping name → action, or an iterable), in the order they are
    offered; ``rule`` is the instrument's check (state first, then who), called with the action
    record once its name is known.
    """

    def __init__(self, actions: Mapping[str, Action] | Iterable[Action], *, rule: Rule):
        if isinstance(actions, Mapping):
            if any(name != action.name for name, action in actions.items()):
                raise ValueError("each action must be keyed by its own name")
            self.actions = actions  # the instrument's own table, not a copy
        else:
            self.actions = {}
            for action in actions:
                if action.name in self.actions:
                    raise ValueError(f"action {action.name!r} appears twice in the table")
                self.actions[action.name] = action
        self.rule = rule

    def __getitem__(self, name):
        return self.actions[name]

    def refusal(self, obj, user, name, **context):
        """Why ``user`` may not take action ``name`` on ``obj`` now, or None if they may."""
        action = self.actions.get(name)
        if action is None:
            return _("Unknown action.")
        return self.rule(obj, user, action, **context)

    def check(self, obj, user, name, **context):
        """Raise ``TransitionNotAllowed`` unless ``user`` may take ``name`` now; return the
        action."""
        reason = self.refusal(obj, user, name, **context)
        if reason:
            raise TransitionNotAllowed(reason)
        return self.actions[name]

    def available_actions(self, obj, user, names=None, **context):
        """The actions ``user`` may take on ``obj`` now (among ``names``, when given), in table
        order."""
        return AvailableActions(
            action
            for name, action in self.actions.items()
            if (names is None or name in names) and self.refusal(obj, user, name, **context) is None
        )
