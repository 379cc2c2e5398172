"""Demo content of the four consultation instruments for the demo town (``seed_demo`` first).

The content is data: ``fixtures/demo/consultations/*.toml`` (each file's header says what its
steps mean) and the drafts in ``texts/``. ``consultations.management.demo`` plays each item's
steps in order through the instruments' own services (workflow checks, eligibility, one voice
per person, history, notifications to the outbox); phases that the calendar moves are moved by
the instruments' beat task functions. Only one thing is not a service: time. The demo runs each
step *now* and then moves the timestamps of the rows it has just written back by so many days
(an ``age`` step), as if the calendar had passed; that is a direct ORM write, on the demo's own
rows only, because no service moves time (and none should).

Idempotent: each instrument is skipped when its demo items are already there (the title of its
first item is the marker), and the demo citizens are created only when missing. A second run
changes nothing.
"""

import json

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cabinets.management.commands.seed_demo import FIXTURE
from cabinets.models import Cabinet
from consultations.budgets.models import BudgetCycle
from consultations.discussions.models import Discussion
from consultations.management.demo import Town, load
from consultations.management.demo.budgets import CycleStory
from consultations.management.demo.discussions import DiscussionStory
from consultations.management.demo.petitions import PetitionStory, apply_settings
from consultations.management.demo.polls import PollStory
from consultations.petitions.models import Petition
from consultations.polls.models import Poll
from edem.geo.models import Territory


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
                apply_settings(load("petitions")["settings"])
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
        territories = {t.name_ru: t for t in Territory.objects.all()}
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
