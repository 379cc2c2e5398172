"""Demo content of the four consultation instruments for the demo town (``seed_demo`` first).

The content is data: ``fixtures/demo/consultations/*.toml`` (each file's header says what its
steps mean) and the drafts in ``texts/``. This command plays each item's steps in order through
the instruments' own services (workflow checks, eligibility, one voice per person, history,
notifications to the outbox); phases that the calendar moves are moved by the instruments' beat
task functions. Only one thing is not a service: time. The demo runs each step *now* and then
moves the timestamps of the rows it has just written back by so many days (an ``age`` step),
as if the calendar had passed; that is a direct ORM write, on the demo's own rows only, because
no service moves time (and none should).

Idempotent: each instrument is skipped when its demo items are already there (the title of its
first item is the marker), and the demo citizens are created only when missing. A second run
changes nothing.
"""

import json
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone

from cabinets.management.commands.seed_demo import FIXTURE
from cabinets.models import Cabinet
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
from consultations.discussions import services as discussion_services
from consultations.discussions import tasks as discussion_tasks
from consultations.discussions.models import (
    Comment,
    Decision,
    Discussion,
    DiscussionEvent,
    DraftVersion,
    Support,
)
from consultations.petitions import services as petition_services
from consultations.petitions import signing
from consultations.petitions import tasks as petition_tasks
from consultations.petitions.models import Petition, PetitionEvent, PetitionSettings, Signature
from consultations.polls import services as poll_services
from consultations.polls import tasks as poll_tasks
from consultations.polls.models import (
    Answer,
    Ballot,
    InitiatorKind,
    Poll,
    PollEvent,
    Question,
    ResultsVisibility,
)
from edem.geo.models import Territory

DATA = Path(settings.BASE_DIR) / "fixtures" / "demo" / "consultations"


@cache
def load(name):
    """One data file, ``fixtures/demo/consultations/<name>.toml``."""
    return tomllib.loads((DATA / f"{name}.toml").read_text(encoding="utf-8"))


def markdown(name):
    """A Markdown text of ``fixtures/demo/consultations/texts/``."""
    return (DATA / "texts" / name).read_text(encoding="utf-8")


def _title(name, kind, key):
    return next(item["title"] for item in load(name)[kind] if item["key"] == key)


# The demo's items by their place in the story (the tests and the browser tests look them up).
DISCUSSION_ACTIVE = _title("discussions", "discussion", "active")
DISCUSSION_DONE = _title("discussions", "discussion", "done")
DISCUSSION_PROPOSED = _title("discussions", "discussion", "proposed")
POLL_ACTIVE = _title("polls", "poll", "active")
POLL_DONE = _title("polls", "poll", "done")
POLL_PROPOSED = _title("polls", "poll", "proposed")
PETITION_COLLECTING = _title("petitions", "petition", "collecting")
PETITION_ANSWERED = _title("petitions", "petition", "answered")
PETITION_MODERATION = _title("petitions", "petition", "moderation")
PETITION_EXPIRED = _title("petitions", "petition", "expired")
BUDGET_TITLE = load("budgets")["title"]


def _age(delta, *querysets, dates=True):
    """Move every date and time of these rows back by ``delta``: the demo's stand-in for the
    calendar passing. A direct ORM write on the demo's own rows (history included): no service
    moves time. With ``dates=False`` only date-times move (a budget cycle's phase dates are
    set on purpose and stay)."""
    day_delta = timedelta(days=round(delta.total_seconds() / 86400))
    for qs in querysets:
        model = qs.model
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateTimeField) or (dates and isinstance(f, models.DateField))
        ]
        kinds = {
            f.attname: isinstance(f, models.DateTimeField) for f in model._meta.concrete_fields
        }
        for row in qs.values("pk", *fields):
            changes = {
                name: row[name] - (delta if kinds[name] else day_delta)
                for name in fields
                if row[name] is not None
            }
            if changes:
                model.objects.filter(pk=row["pk"]).update(**changes)


@dataclass
class Town:
    cabinets: dict  # code -> Cabinet
    territories: dict  # name -> Territory
    people: dict  # short name (the e-mail's local part) -> User, officials and citizens


class Story:
    """One demo item: ``begin`` makes it, then its ``step`` entries run in order, each through
    the ``do_<name>`` method named by its ``do``, with the entry's other keys as arguments. A
    step's ``as`` names what it returns, for later steps of the same item."""

    kind = ""

    def __init__(self, town, item):
        self.town, self.item, self.named = town, item, {}

    def person(self, short):
        try:
            return self.town.people[short]
        except KeyError:
            raise CommandError(f"{self.item['title']}: no demo person «{short}»") from None

    def actor(self, by=None):
        return self.person(by or self.item["by"])

    def play(self):
        self.obj = self.begin()
        for step in self.item.get("step", ()):
            args = dict(step)
            name, alias = args.pop("do"), args.pop("as", None)
            method = getattr(self, f"do_{name}", None)
            if method is None:
                raise CommandError(f"{self.item['title']}: no {self.kind} step «{name}»")
            result = method(**args)
            if alias:
                self.named[alias] = result

    def rows(self):
        raise NotImplementedError

    def do_age(self, days):
        _age(timedelta(days=days), *self.rows())


# --- Discussions of draft acts (R27–R31) ------------------------------------------------------


class DiscussionStory(Story):
    kind = "discussion"

    def begin(self):
        item, now = self.item, timezone.now()
        cabinet = self.town.cabinets[item["cabinet"]]
        if item.get("propose"):
            return discussion_services.propose_discussion(
                actor=self.actor(),
                cabinet=cabinet,
                title=item["title"],
                summary=item["summary"],
                markdown=markdown(item["text"]),
            )
        return discussion_services.create_discussion(
            actor=self.actor(),
            cabinet=cabinet,
            title=item["title"],
            summary=item["summary"],
            starts_at=now + timedelta(**item["starts"]),
            ends_at=now + timedelta(**item["ends"]),
            markdown=markdown(item["text"]),
            note=item.get("note", ""),
        )

    def rows(self):
        d = self.obj
        return (
            Discussion.objects.filter(pk=d.pk),
            DiscussionEvent.objects.filter(discussion=d),
            DraftVersion.objects.filter(discussion=d),
            Comment.objects.filter(discussion=d),
            Support.objects.filter(comment__discussion=d),
            Decision.objects.filter(comment__discussion=d),
        )

    def do_add_version(self, text, note, by=None):
        discussion_services.add_version(
            discussion=self.obj, actor=self.actor(by), markdown=markdown(text), note=note
        )

    def do_submit(self, by=None):
        discussion_services.submit(discussion=self.obj, actor=self.actor(by))

    def do_approve(self, by=None):
        discussion_services.approve(discussion=self.obj, actor=self.actor(by))

    def do_beat(self):
        discussion_tasks.run_discussion_calendar()
        self.obj.refresh_from_db()

    def do_comment(self, paragraph, by, kind, text, show_name=False):
        return discussion_services.add_comment(
            paragraph=self.obj.current_version().paragraphs.get(order=paragraph),
            actor=self.person(by),
            kind=Comment.Kind(kind),
            text=text,
            show_name=show_name,
        )

    def do_support(self, comment, by):
        for short in by:
            discussion_services.support(comment=self.named[comment], actor=self.person(short))

    def do_decide(self, comment, outcome, reason, by=None):
        discussion_services.decide(
            comment=self.named[comment],
            actor=self.actor(by),
            outcome=Decision.Outcome(outcome),
            reason=reason,
        )

    def do_publish_results(self, by=None):
        discussion_services.publish_results(discussion=self.obj, actor=self.actor(by))


# --- Polls (R27–R31) --------------------------------------------------------------------------


class PollStory(Story):
    kind = "poll"

    def begin(self):
        item, now = self.item, timezone.now()
        cabinet = self.town.cabinets[item["cabinet"]]
        if item.get("propose"):
            (question,) = item["question"]
            return poll_services.propose_poll(
                actor=self.actor(),
                cabinet=cabinet,
                initiator_kind=InitiatorKind(item["initiator_kind"]),
                title=item["title"],
                description=item["description"],
                starts_at=now + timedelta(**item["starts"]),
                ends_at=now + timedelta(**item["ends"]),
                question_text=question["text"],
                question_kind=Question.Kind(question["kind"]),
                options=question["options"],
            )
        poll = poll_services.create_poll(
            actor=self.actor(),
            cabinet=cabinet,
            title=item["title"],
            description=item["description"],
            starts_at=now + timedelta(**item["starts"]),
            ends_at=now + timedelta(**item["ends"]),
            results_visibility=ResultsVisibility(item["results_visibility"]),
        )
        self.questions = {}
        for row in item["question"]:
            fields = dict(row)
            key, kind = fields.pop("key"), Question.Kind(fields.pop("kind"))
            question = poll_services.save_question(
                poll=poll, actor=self.actor(), kind=kind, **fields
            )
            options = list(question.options.order_by("order").values_list("pk", flat=True))
            self.questions[key] = (question, options)
        return poll

    def rows(self):
        p = self.obj
        return (
            Poll.objects.filter(pk=p.pk),
            PollEvent.objects.filter(poll=p),
            Ballot.objects.filter(poll=p),
            Answer.objects.filter(ballot__poll=p),
        )

    def do_schedule(self, by=None):
        poll_services.schedule(poll=self.obj, actor=self.actor(by))

    def do_beat(self):
        poll_tasks.advance_polls()

    def _answer(self, key, value):
        question, options = self.questions[key]
        match question.kind:
            case Question.Kind.SINGLE:
                return options[value]
            case Question.Kind.MULTIPLE:
                return [options[i] for i in value]
            case Question.Kind.RANKING:  # the rank of each option, in the options' order
                return {options[i]: rank for i, rank in enumerate(value)}
        return value  # scale, text

    def do_ballot(self, by, answers):
        return poll_services.cast_ballot(
            poll=self.obj,
            voter=self.person(by),
            answers={
                self.questions[key][0].pk: self._answer(key, value)
                for key, value in answers.items()
            },
        )

    def do_moderate(self, question, skip=(), reject=(), reject_note="", by=None):
        rejected = {self.named[name].pk for name in reject}
        answers = Answer.objects.filter(question=self.questions[question][0]).exclude(
            ballot__in=[self.named[name].pk for name in skip]
        )
        for answer in answers:
            is_rejected = answer.ballot_id in rejected
            poll_services.moderate_text(
                answer=answer,
                actor=self.actor(by),
                approve=not is_rejected,
                note=reject_note if is_rejected else "",
            )

    def do_publish_results(self, decision, by=None):
        poll_services.publish_results(poll=self.obj, actor=self.actor(by), decision=decision)


# --- Petitions (R22–R26) ----------------------------------------------------------------------


class PetitionStory(Story):
    kind = "petition"

    def actor(self, by=None):
        return self.person(by or self.item["author"])

    def begin(self):
        item = self.item
        return petition_services.create_draft(
            author=self.actor(),
            cabinet=self.town.cabinets[item["cabinet"]],
            title=item["title"],
            text=item["text"],
            proposed_solution=item["proposed_solution"],
            territory=self.town.territories[item["territory"]],
        )

    def rows(self):
        p = self.obj
        return (
            Petition.objects.filter(pk=p.pk),
            PetitionEvent.objects.filter(petition=p),
            Signature.objects.filter(petition=p),
        )

    def do_submit(self, by=None):
        petition_services.submit(petition=self.obj, actor=self.actor(by))

    def do_publish(self):
        moderator = self.town.cabinets[self.item["cabinet"]].head
        self.obj = petition_services.publish(petition=self.obj, actor=moderator)

    def do_sign(self, by):
        for short in by:
            signature = signing.sign(petition=self.obj, user=self.person(short), show_name=True)
            signing.confirm_signature(token=signing.confirmation_token(signature))

    def do_start_consideration(self, by, note):
        petition_services.start_consideration(petition=self.obj, actor=self.person(by), note=note)

    def do_answer(self, by, result, text):
        petition_services.answer(
            petition=self.obj, actor=self.person(by), result=Petition.Result(result), text=text
        )

    def do_beat(self):
        petition_tasks.run_petitions_by_date()


# --- Participatory budgets (R32–R36) ----------------------------------------------------------


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
                _age(timedelta(days=(on - last).days), *self.rows(), dates=False)
            method = getattr(self, f"do_{name}", None)
            if method is None:
                raise CommandError(f"{self.item['key']}: no {self.kind} step «{name}»")
            method(on, **args)
            last = on
        if last != self.today:
            _age(timedelta(days=(self.today - last).days), *self.rows(), dates=False)

    def do_create(self, on, by):
        item, common = self.item, self.common
        cycle = BudgetCycle(
            title=common["title"].format(year=self.year),
            year=self.year,
            cabinet=self.town.cabinets[common["cabinet"]],
            description=markdown(common["description"]),
            total_fund=Decimal(item["total_fund"]),
            currency=common["currency"],
            votes_per_voter=common["votes_per_voter"],
            **{name: self.day(value) for name, value in item["dates"].items()},
        )
        cycle.full_clean()
        rows = []
        for position, row in enumerate(item["category"]):
            category = BudgetCategory(
                name=row["name"],
                fund=Decimal(row["fund"]),
                max_project_cost=Decimal(row["max_project_cost"]),
                description=row["description"],
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


class Command(BaseCommand):
    help = (
        "Load demo discussions, polls, petitions and participatory budgets into the demo town "
        "(run seed_demo first). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, quiet=False, **options):
        if not Cabinet.objects.filter(code="adm").exists():
            raise CommandError("The demo town is not loaded: run `manage.py seed_demo` first.")
        budgets = load("budgets")
        loaded = []
        with transaction.atomic():
            town = self._town()
            if not Discussion.objects.filter(title=DISCUSSION_ACTIVE).exists():
                for item in load("discussions")["discussion"]:
                    DiscussionStory(town, item).play()
                loaded.append("discussions")
            if not Poll.objects.filter(title=POLL_ACTIVE).exists():
                for item in load("polls")["poll"]:
                    PollStory(town, item).play()
                loaded.append("polls")
            if not Petition.objects.filter(title=PETITION_COLLECTING).exists():
                self._petition_settings(load("petitions")["settings"])
                for item in load("petitions")["petition"]:
                    PetitionStory(town, item).play()
                loaded.append("petitions")
            # Any demo cycle (of whichever year it was loaded in): a run next January must not
            # add a second pair of cycles.
            prefix = budgets["title"].partition("{")[0]
            if not BudgetCycle.objects.filter(title__startswith=prefix).exists():
                for item in budgets["cycle"]:
                    CycleStory(town, item, budgets).play()
                loaded.append("participatory budgets")
        if quiet:
            return
        if loaded:
            self.stdout.write(
                self.style.SUCCESS("Demo consultations are loaded: " + ", ".join(loaded) + ".")
            )
        else:
            self.stdout.write("The demo consultations are already there; nothing was changed.")

    def _town(self):
        """The demo town's people (the missing demo citizens of citizens.toml created first),
        cabinets and districts."""
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
        extra = load("citizens")
        domain = extra["domain"]
        territories = {t.name: t for t in Territory.objects.all()}
        User = get_user_model()
        existing = set(
            User.objects.filter(email__endswith=f"@{domain}").values_list("email", flat=True)
        )
        missing = [row for row in extra["citizens"] if f"{row['short']}@{domain}" not in existing]
        # One hash for all the new demo accounts: they share a published password anyway, and
        # hashing it twenty times would make the command slow.
        password = make_password(data["password"]) if missing else None
        for row in missing:
            user = User.objects.create(
                email=f"{row['short']}@{domain}",
                last_name=row["last_name"],
                first_name=row["first_name"],
                patronymic=row["patronymic"],
                territory=territories[row["territory"]],
                postal_address=f"Демоград, {row['territory']}",
                language="ru",
                verification_level=User.Verification.RESIDENT,
                verified_at=timezone.now(),
                verification_note="Demo: passport seen at the service centre",
                password=password,
            )
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
        emails = [m[0] for row in data["cabinets"] for m in row["members"]]
        emails += [row["email"] for row in data["users"] if row.get("citizen")]
        emails += [f"{row['short']}@{domain}" for row in extra["citizens"]]
        return Town(
            cabinets={c.code: c for c in Cabinet.objects.all()},
            territories=territories,
            people={u.email.split("@")[0]: u for u in User.objects.filter(email__in=emails)},
        )

    @staticmethod
    def _petition_settings(row):
        """The demo town's statute (R24); no service edits these settings (the admin does)."""
        settings_ = PetitionSettings.load()
        settings_.signature_threshold = row["signature_threshold"]
        settings_.collection_days = row["collection_days"]
        domain = row["unlimited_domain"]
        if domain not in settings_.unlimited_domain_set():
            settings_.unlimited_domains = "\n".join(
                filter(None, [settings_.unlimited_domains.strip(), domain])
            )
        settings_.save()
