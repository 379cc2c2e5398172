"""Participatory budgeting (RULES section F, R32–R36): a cycle per year and territory, its
categories, the residents' projects with itemised costs, support, ballots and votes, and the
implementation of the winners. Money is ``Decimal`` everywhere (DESIGN §4)."""

from .cycle import CENT, MONEY, BudgetCategory, BudgetCycle, default_currency, money
from .project import BudgetEvent, CostLine, ImplementationUpdate, Photo, Project, ReviewQueue
from .voting import Ballot, Channel, Support, Vote

__all__ = [
    "CENT",
    "MONEY",
    "Ballot",
    "BudgetCategory",
    "BudgetCycle",
    "BudgetEvent",
    "Channel",
    "CostLine",
    "ImplementationUpdate",
    "Photo",
    "Project",
    "ReviewQueue",
    "Support",
    "Vote",
    "default_currency",
    "money",
]
