"""Participatory budgets (R32–R36): ``fixtures/demo/consultations/budgets.toml``."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import CommandError
from django.utils import timezone

from consultations.budgets import services as budget_services
from consultations.budgets import tasks as budget_tasks
from consultations.budgets import voting as budget_voting
from consultations.budgets.models import Ballot as BudgetBallot
from consultations.budgets.models import (
    BudgetCategory,
    BudgetCycle,
    BudgetEvent,
    CostLine,
    ImplementationUpdate,
    Project,
    Vote,
)
from consultations.budgets.workflow import ImplementationStatus

from . import Story, age, by_language, markdown_by_language


class CycleStory(Story):
    """A budget cycle: each step happens ``on`` its date; between steps of different dates the
    cycle's time stamps move back by the days between (its phase dates stay), and after the
    last step up to today."""

    kind = "budget cycle"

    def __init__(self, town, item, common):
        super().__init__(town, item | {"title": common["title"]})
        self.common = common
        self.today = timezone.localdate()
        self.year = self.today.year + item["year"]

    def day(self, value):
        """A date of the data: days from today, or "MM-DD" in the cycle's year."""
        if isinstance(value, int):
            return self.today + timedelta(days=value)
        month, day = map(int, value.split("-"))
        return date(self.year, month, day)

    def rows(self):
        c = self.obj
        return (
            BudgetCycle.objects.filter(pk=c.pk),
            BudgetEvent.objects.filter(cycle=c),
            Project.objects.filter(cycle=c),
            BudgetBallot.objects.filter(cycle=c),
            Vote.objects.filter(ballot__cycle=c),
            ImplementationUpdate.objects.filter(project__cycle=c),
        )

    def play(self):
        self.projects = {}  # key -> pk
        last = None
        for step in self.item["step"]:
            args = dict(step)
            on, name = self.day(args.pop("on")), args.pop("do")
            if last is not None and on != last:
                age(timedelta(days=(on - last).days), *self.rows(), dates=False)
            method = getattr(self, f"do_{name}", None)
            if method is None:
                raise CommandError(f"{self.item['key']}: no {self.kind} step «{name}»")
            method(on, **args)
            last = on
        if last != self.today:
            age(timedelta(days=(self.today - last).days), *self.rows(), dates=False)

    def do_create(self, on, by):
        item, common = self.item, self.common
        titles = {
            f"title_{code}": text.format(year=self.year)
            for code, text in by_language(common, "title").items()
        }
        descriptions = {
            f"description_{code}": text
            for code, text in markdown_by_language(common["description"]).items()
        }
        cycle = BudgetCycle(
            **titles,
            **descriptions,
            year=self.year,
            cabinet=self.town.cabinets[common["cabinet"]],
            total_fund=Decimal(item["total_fund"]),
            currency=common["currency"],
            votes_per_voter=common["votes_per_voter"],
            **{name: self.day(value) for name, value in item["dates"].items()},
        )
        cycle.full_clean()
        rows = []
        for position, row in enumerate(item["category"]):
            category = BudgetCategory(
                **{f"name_{code}": text for code, text in by_language(row, "name").items()},
                **{
                    f"description_{code}": text
                    for code, text in by_language(row, "description").items()
                },
                fund=Decimal(row["fund"]),
                max_project_cost=Decimal(row["max_project_cost"]),
                position=position,
            )
            category.full_clean(exclude=["cycle"])
            rows.append(category)
        actor = self.person(by)
        cycle = budget_services.save_cycle(actor=actor, cycle=cycle, categories=rows)
        self.obj = budget_services.approve_parameters(cycle=cycle, actor=actor)
        self.categories = dict(
            zip(
                [row["key"] for row in item["category"]],
                self.obj.categories.order_by("position"),
                strict=True,
            )
        )

    def do_advance(self, on):
        budget_services.advance(cycle=self.obj, today=on)

    def do_beat(self, on):
        if on != self.today:
            raise CommandError(f"{self.item['key']}: the beat runs only today")
        budget_tasks.advance_budget_cycles()

    def do_submit(self, on):
        for row in self.item["project"]:
            project = budget_services.submit_project(
                cycle=self.obj,
                author=self.person(row["author"]),
                cost_lines=[
                    CostLine(description=d, quantity=Decimal(q), unit_price=Decimal(p))
                    for d, q, p in row["cost_lines"]
                ],
                today=on,
                category=self.categories[row["category"]],
                title=row["title"],
                problem=row["problem"],
                description=row["description"],
                beneficiaries=row["beneficiaries"],
                address=row["address"],
                latitude=Decimal(row["latitude"]),
                longitude=Decimal(row["longitude"]),
            )
            self.projects[row["key"]] = project.pk

    def do_review(self, on, by):
        for row in self.item["project"]:
            project = Project.objects.get(pk=self.projects[row["key"]])
            review = row.get("review", {"decision": "accept"})
            extra = {"reason": review["reason"]} if "reason" in review else {}
            if "cost_added" in review:
                extra["approved_cost"] = project.cost + Decimal(review["cost_added"])
            budget_services.review(
                project=project,
                actor=self.person(by),
                decision=review["decision"],
                today=on,
                **extra,
            )

    def do_vote(self, on):
        projects = Project.objects.in_bulk(self.projects.values())
        for short, keys in self.item["votes"].items():
            budget_voting.cast_votes(
                cycle=self.obj,
                user=self.person(short),
                projects=[projects[self.projects[key]] for key in keys],
                today=on,
            )

    def do_publish_results(self, on, by):
        budget_voting.publish_results(cycle=self.obj, actor=self.person(by), today=on)  # R36

    def do_update(self, on, by, project, status, text):
        budget_services.post_update(
            project=Project.objects.get(pk=self.projects[project]),
            actor=self.person(by),
            status=ImplementationStatus(status),
            text=text,
            happened_on=on,
        )
