"""Factories of participatory budgeting; ``cycle_in(phase)`` builds a cycle whose dates put
``today`` in that phase."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from consultations.budgets.models import BudgetCategory, BudgetCycle, CostLine, Project
from consultations.budgets.workflow import Phase, ProjectStatus
from tests.factories import CabinetFactory, CitizenFactory

# Offsets (days from the cycle's first day) of each dated phase, 10 days each.
OFFSETS = {
    Phase.PARAMETERS: -5,
    Phase.SUBMISSION: 0,
    Phase.SUPPORT: 10,
    Phase.REVIEW: 20,
    Phase.VOTING: 30,
    Phase.COUNT: 40,
}


def phase_dates(base, support=False):
    d = lambda n: base + timedelta(days=n)  # noqa: E731
    dates = {
        "submission_start": d(0),
        "submission_end": d(9),
        "review_start": d(20),
        "review_end": d(29),
        "voting_start": d(30),
        "voting_end": d(39),
    }
    if support:
        dates.update(support_start=d(10), support_end=d(19))
    else:
        dates.update(submission_end=d(19))
    return dates


def cycle_in(phase, today=None, *, support=False, **fields):
    """A public (announced) cycle whose dates make ``phase`` current on ``today`` (day 2 of
    the phase), stored in that phase."""
    today = today or timezone.localdate()
    base = today - timedelta(days=OFFSETS[Phase(phase)] + 2)
    return BudgetCycleFactory(status=phase, **{**phase_dates(base, support=support), **fields})


class VoterFactory(CitizenFactory):
    birth_date = date(1990, 5, 17)


class BudgetCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetCycle

    title = factory.Sequence(lambda n: f"Бюджет участия {n}")
    year = 2026
    cabinet = factory.SubFactory(CabinetFactory)
    total_fund = Decimal("1000000.00")
    currency = "RUB"
    votes_per_voter = 3
    min_age = 16
    parameters_approved_at = factory.LazyFunction(timezone.now)
    status = Phase.SUBMISSION
    submission_start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=2))
    submission_end = factory.LazyAttribute(lambda o: o.submission_start + timedelta(days=19))
    review_start = factory.LazyAttribute(lambda o: o.submission_start + timedelta(days=20))
    review_end = factory.LazyAttribute(lambda o: o.submission_start + timedelta(days=29))
    voting_start = factory.LazyAttribute(lambda o: o.submission_start + timedelta(days=30))
    voting_end = factory.LazyAttribute(lambda o: o.submission_start + timedelta(days=39))


class BudgetCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetCategory

    cycle = factory.SubFactory(BudgetCycleFactory)
    name = factory.Sequence(lambda n: f"Категория {n}")
    fund = Decimal("500000.00")
    max_project_cost = Decimal("300000.00")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    cycle = factory.SubFactory(BudgetCycleFactory)
    author = factory.SubFactory(VoterFactory)
    title = factory.Sequence(lambda n: f"Сквер № {n}")
    problem = "Во дворе нет скамеек."
    description = "Поставить **скамейки**."
    description_html = "<p>Поставить <strong>скамейки</strong>.</p>"
    beneficiaries = "Жители квартала"
    address = "ул. Садовая, 1"
    cost = Decimal("100000.00")
    status = ProjectStatus.SUBMITTED

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            CostLine.objects.create(
                project=obj, description="Работы", quantity=Decimal("1"), unit_price=obj.cost
            )
