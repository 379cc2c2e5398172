"""Demo appeals for the demo town (run by ``seed_demo``). The content is data,
``fixtures/demo/appeals.toml`` (its header says what the steps mean): the topic tree, routing
rules, answer templates, and the appeals of the demo citizens in every stage of the workflow,
each moved there by the real services (registration, assignment, extension, answer signed with
the demo second factor, forwarding, no-merits closing, withdrawal, a collective appeal, an
organisation's appeal answered by post in a sent outgoing-mail batch), requests for
information (R17: answered, refused, deferred), then
residents' support and comments on the public problems. Idempotent."""

import json
import time
import tomllib
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from appeals import services
from appeals.classifier_data import load_starter, load_translations
from appeals.community import services as community
from appeals.models import (
    AnswerTemplate,
    Appeal,
    CabinetAppealSettings,
    Category,
    ClassifierCode,
    RoutingRule,
)
from appeals.reception import selectors as reception_selectors
from appeals.reception import services as reception
from appeals.reception.models import ReceptionCard
from cabinets.management.commands.seed_demo import FIXTURE
from cabinets.models import Cabinet
from edem.accounts.models import User
from edem.core.i18n import row_languages, translated_values
from edem.core.jurisdiction import get_profile
from edem.core.workflow import TransitionNotAllowed
from edem.geo.models import Territory

DATA = Path(settings.BASE_DIR) / "fixtures" / "demo" / "appeals.toml"
DEMO_DOMAIN = "demo.edem"


class Command(BaseCommand):
    help = "Load demo appeals into the demo town (after seed_demo). Safe to run again."

    def handle(self, *args, **options):
        if Appeal.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists():
            self.stdout.write("Demo appeals are already there.")
            return
        data = tomllib.loads(DATA.read_text(encoding="utf-8"))
        town = json.loads(FIXTURE.read_text(encoding="utf-8"))
        self.totp_secret = town["totp_secret"]
        self.people = {
            u.email.split("@")[0]: u for u in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
        }
        with transaction.atomic():
            self.cabinets = {c.code: c for c in Cabinet.objects.all()}
            self.topic_names = data.get("topic_names", {})
            self.topics = self._topics(data["topic"], data.get("classifier"))
            self._routing(data)
            self._templates(data["template"])
            public_topics = set(data["public_topics"])
            made = {}
            for number, item in enumerate(data["appeal"], 1):
                made[item.get("key", number)] = self._appeal(item, public_topics)
            self._community(data["community"], made)
            for row in data.get("reception", ()):
                self._reception(row)
        self.stdout.write(self.style.SUCCESS(f"Demo appeals: {len(made)}."))

    def person(self, short):
        try:
            return self.people[short]
        except KeyError:
            raise CommandError(f"No demo person «{short}».") from None

    def _topics(self, rows, codes=None):
        """The topic tree; each topic gets its default code of the topic classifier (R16)."""
        codes = codes or {}
        profile = get_profile().code
        if not ClassifierCode.objects.filter(profile=profile).exists():  # a flushed database
            load_starter(ClassifierCode)
        load_translations(ClassifierCode, profile)  # the demo town reads them in uk and en
        classifier = {c.code: c for c in ClassifierCode.objects.filter(profile=profile)}
        topics = self._topic_tree(rows)
        for name, category in topics.items():
            code = classifier.get(codes.get(profile, {}).get(name, ""))
            if code is not None and category.classifier_id is None:
                category.classifier = code
                category.save(update_fields=["classifier"])
        return topics

    def _topic_tree(self, rows):
        topics = {}
        for order, row in enumerate(rows):
            cabinet = self.cabinets.get(row["cabinet"])
            parent, _ = Category.objects.get_or_create(
                name_ru=row["name"],
                parent=None,
                defaults={"default_cabinet": cabinet, "order": order},
            )
            topics[row["name"]] = self._named(parent, row["name"])
            for child_order, child in enumerate(row["children"]):
                category, _ = Category.objects.get_or_create(
                    name_ru=child,
                    parent=parent,
                    defaults={"default_cabinet": cabinet, "order": child_order},
                )
                topics[child] = self._named(category, child)
        return topics

    def _named(self, category, name):
        """The topic's name in the other languages (``topic_names`` of the data)."""
        other = {
            f"name_{code}": text
            for code, text in self.topic_names.get(name, {}).items()
            if getattr(category, f"name_{code}", None) != text
        }
        if other:
            for field, text in other.items():
                setattr(category, field, text)
            category.save(update_fields=list(other))
        return category

    def _routing(self, data):
        for row in data["routing"]:
            territory = Territory.objects.filter(name_ru=row["territory"]).first()
            if territory and row["cabinet"] in self.cabinets:
                RoutingRule.objects.get_or_create(
                    category=self.topics[row["topic"]],
                    territory=territory,
                    defaults={
                        "cabinet": self.cabinets[row["cabinet"]],
                        "priority": row["priority"],
                    },
                )
        for row in data["manual_registration"]:  # R4: registered by hand within 3 days
            if row["cabinet"] in self.cabinets:
                CabinetAppealSettings.objects.get_or_create(
                    cabinet=self.cabinets[row["cabinet"]],
                    defaults={"registration": CabinetAppealSettings.Registration.MANUAL},
                )

    def _templates(self, rows):
        for row in rows:
            AnswerTemplate.objects.get_or_create(
                title_ru=row["title"],
                defaults={
                    "category": self.topics.get(row.get("topic")),
                    **translated_values(row, "title", "body"),
                },
            )

    def _appeal(self, item, public_topics):
        """File the appeal on the portal, then play its steps through the services."""
        author, topic = self.person(item["author"]), self.topics[item["topic"]]
        fields = {
            "kind": Appeal.Kind(item.get("kind", Appeal.Kind.STATEMENT)),
            "category": topic,
            "subject": item["subject"],
            "text": item["text"],
            "last_name": author.last_name,
            "first_name": author.first_name,
            "patronymic": author.patronymic,
            "email": author.email,
            "answer_channel": Appeal.AnswerChannel.EMAIL,
        }
        # 59-FZ Art. 1(4): on behalf of an organisation; R12: the answer by post.
        for name in (
            "answer_channel",
            "postal_address",
            "organisation_name",
            "organisation_number",
            "signer_position",
        ):
            if name in item:
                fields[name] = item[name]
        if "point" in item:
            fields["latitude"], fields["longitude"] = item["point"]
            fields["place"] = item.get("place", "")
            # Problems of the town's streets and yards are published on the map (issue #4).
            fields["is_public"] = topic.name in public_topics
        appeal = services.file_appeal(
            author=author, cabinet=self.cabinets.get(item.get("cabinet")), **fields
        )
        for step in item.get("step", ()):
            args = dict(step)
            method = getattr(self, f"do_{args.pop('do')}", None)
            if method is None:
                raise CommandError(f"{item['subject']}: no appeal step «{step['do']}»")
            appeal = method(appeal, **args) or appeal
        return appeal

    def do_register(self, appeal, by):
        return services.register(appeal=appeal, actor=self.person(by))

    def do_assign(self, appeal, by, executor):
        return services.assign(appeal=appeal, actor=self.person(by), executor=self.person(executor))

    def do_extend(self, appeal, by, days, reason, note):
        return services.extend(
            appeal=appeal, actor=self.person(by), days=days, reason=reason, note=note
        )

    def do_draft_answer(self, appeal, by, text, result="explained", refusal_ground=""):
        services.draft_answer(
            appeal=appeal,
            actor=self.person(by),
            text=text,
            result=result,
            refusal_ground=refusal_ground,
        )

    def do_defer(self, appeal, by, days, ground, note):
        """R17: the answer to a request for information deferred, with the notice."""
        return services.defer_information(
            appeal=appeal, actor=self.person(by), days=days, ground=ground, note=note
        )

    def do_sign_answer(self, appeal, by):
        """The demo officials share one TOTP secret (fixtures/demo_town.json): the current code.
        A code is taken once per person (allauth keeps the used ones for its 30 seconds); a
        head who signs two demo answers within them would be refused the second time, so the
        seed forgets the use of its own code after each signature, as the next 30 seconds
        would. A code read in the last moment of its 30 seconds may be checked in the next
        ones (a loaded machine): then the next code is taken, as a person would."""
        actor = self.person(by)
        for attempt in range(2):
            step = int(time.time()) // 30
            code = format_hotp_value(hotp_value(self.totp_secret, step))
            try:
                services.sign_answer(appeal=appeal, actor=actor, otp_code=code)
                break
            except TransitionNotAllowed:
                if attempt or int(time.time()) // 30 == step:
                    raise
        authenticator = Authenticator.objects.get(user=actor, type=Authenticator.Type.TOTP)
        cache.delete(TOTP(authenticator)._get_used_cache_key(code))

    def do_form_mail_batch(self, appeal, by):
        """The registrar forms the cabinet's outgoing-mail batch with its register (R12)."""
        services.form_mail_batch(cabinet=appeal.cabinet, actor=self.person(by))

    def do_mark_mail_batch_sent(self, appeal, by):
        """The batch that carries the appeal's letter is handed to the post office (R12)."""
        batch = appeal.answers.get(signed_at__isnull=False).mail_batch
        services.mark_mail_batch_sent(batch=batch, actor=self.person(by))

    def do_forward(self, appeal, by, to, reason):
        return services.forward(
            appeal=appeal, actor=self.person(by), to_cabinet=self.cabinets[to], reason=reason
        )

    def do_close_no_merits(self, appeal, by, ground, note):
        return services.close_no_merits(
            appeal=appeal, actor=self.person(by), ground=Appeal.NoMeritsGround(ground), note=note
        )

    def do_withdraw(self, appeal, note):
        return services.withdraw(appeal=appeal, actor=appeal.author, note=note)

    def do_invite_cosigners(self, appeal, emails):
        services.invite_cosigners(appeal=appeal, actor=appeal.author, emails=emails)

    def do_confirm_cosign(self, appeal, by):
        person = self.person(by)
        cosigner = appeal.cosigners.get(email=person.email)
        services.confirm_cosign(token=cosigner.token, actor=person)

    def do_age(self, appeal, days):
        """Move an appeal's dates back (demo only: the clock cannot be turned in a seed)."""
        shift = timedelta(days=days)
        appeal = Appeal.objects.get(pk=appeal.pk)
        for field in ("received_at", "registered_at"):
            if getattr(appeal, field):
                setattr(appeal, field, getattr(appeal, field) - shift)
        for field in (
            "registration_due",
            "forwarding_due",
            "deferral_due",
            "legal_due",
            "control_due",
        ):
            if getattr(appeal, field):
                setattr(appeal, field, getattr(appeal, field) - shift)
        appeal.save()
        appeal.events.update(at=timezone.now() - shift)
        return appeal

    def _community(self, data, made):
        """Residents around the public problems: support, comments, an official's reply."""
        public = [
            a for a in made.values() if Appeal.objects.filter(pk=a.pk, is_public=True).exists()
        ]
        residents = [self.people[n] for n in data["supporters"] if n in self.people]
        for appeal in public:
            for resident in residents:
                if resident.pk != appeal.author_id:
                    community.support(appeal=appeal, user=resident)
        for row in data["comment"]:
            community.add_comment(
                appeal=made[row["appeal"]], user=self.person(row["by"]), text=row["text"]
            )

    def _reception(self, row):
        """A reception schedule saved by the head, bookings on its next day, today's walk-ins."""
        cabinet = self.cabinets[row["cabinet"]]
        schedule = reception.save_schedule(
            actor=self.person(row["by"]),
            cabinet=cabinet,
            official=self.person(row["official"]),
            official_position=row_languages(row, "position"),
            weekday=row["weekday"],
            date=None,
            starts_at=clock.fromisoformat(row["starts_at"]),
            ends_at=clock.fromisoformat(row["ends_at"]),
            slot_minutes=row["slot_minutes"],
            place=row_languages(row, "place"),
            topics=row_languages(row, "topics"),
        )
        bookings = row.get("booking", ())
        day = next(
            d for d in reception_selectors.free_slots(schedule) if len(d.free) >= len(bookings)
        )
        for booked, starts_at in zip(bookings, day.free, strict=False):
            reception.book_slot(
                citizen=self.person(booked["by"]),
                schedule=schedule,
                day=day.day,
                starts_at=starts_at,
                topic=booked["topic"],
                privileged_category=booked.get("privileged_category", ""),
            )
        official = schedule.official
        for visit in row.get("walk_in", ()):
            card = reception.enter_walk_in(
                actor=official,
                cabinet=cabinet,
                schedule=schedule,
                last_name=visit["last_name"],
                first_name=visit["first_name"],
                patronymic=visit.get("patronymic", ""),
                id_document=ReceptionCard.IdDocument.PASSPORT,
                question=visit["question"],
            )
            if visit.get("outcome") == "oral":
                reception.record_oral_answer(
                    card=card, actor=official, answer=visit["answer"], consent=True
                )
            elif visit.get("outcome") == "explained":
                reception.explain_where_to_apply(
                    card=card, actor=official, explanation=visit["answer"]
                )
