"""Half a year of appeals' history for the demo town, so that the dashboard and the public
statistics have something to show (run by ``seed_demo`` after the demo appeals).

The history is written straight into the appeals' tables — receipt, registration, an answer
on time or late, a rating, a closing without an answer on the merits, a forwarding — with past
dates, as ``seed_demo_appeals``' ``age`` step does (a seed cannot turn the clock). The appeals
are marked by their subject and closed but for a few, so the work queues stay readable. Then
the rollup is rebuilt.
"""

import random
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from analytics import services
from analytics.models import Indicator, IndicatorValue
from appeals.management.commands.seed_demo_appeals import DEMO_DOMAIN
from appeals.models import Answer, Appeal, AppealEvent, Category, Rating
from cabinets.access import members
from cabinets.models import Cabinet
from cabinets.roles import Role
from edem.accounts.models import User
from edem.core.calendar import local_date
from edem.core.i18n import in_columns
from edem.geo.models import Territory

MARK = "(история) "
SUBJECTS = [
    "Яма на дороге",
    "Не горят фонари",
    "Не вывозят мусор",
    "Протекает крыша",
    "Нет горячей воды",
    "Сломана детская площадка",
    "Нужен пешеходный переход",
    "Аварийное дерево",
]
# code, name, unit, territory index (None: the whole town), category word, first value,
# monthly drift, target, a higher value is better
# code, name (ru, uk, en), unit (ru, uk, en), territory, category, start, step, target, better
INDICATORS = (
    (
        "unemployment",
        (
            "Уровень регистрируемой безработицы",
            "Рівень зареєстрованого безробіття",
            "Registered unemployment rate",
        ),
        ("%", "%", "%"),
        None,
        None,
        1.9,
        -0.02,
        1.2,
        False,
    ),
    (
        "road-repair",
        ("Отремонтировано дорог", "Відремонтовано доріг", "Roads repaired"),
        ("км", "км", "km"),
        None,
        "Дорог",
        0.5,
        0.05,
        2.0,
        True,
    ),
    (
        "lighting",
        (
            "Исправные светильники уличного освещения",
            "Справні світильники вуличного освітлення",
            "Street lights in working order",
        ),
        ("%", "%", "%"),
        0,
        "освещ",
        82.0,
        0.4,
        98.0,
        True,
    ),
    (
        "waste-complaints",
        (
            "Жалобы на вывоз мусора на 1000 жителей",
            "Скарги на вивезення сміття на 1000 жителів",
            "Complaints about waste collection per 1,000 residents",
        ),
        ("жалоб", "скарг", "complaints"),
        1,
        "мусор",
        3.5,
        -0.05,
        1.0,
        False,
    ),
)
SOURCE = ("Демонстрационные данные", "Демонстраційні дані", "Demo data")
LANGUAGES = ("ru", "uk", "en")  # the order of the names above
PER_DAY = 2
DAYS = 180


class Command(BaseCommand):
    help = "Add half a year of demo appeals' history and rebuild the analytics rollup."

    def handle(self, *args, **options):
        if Appeal.objects.filter(subject__startswith=MARK).exists():
            self.stdout.write("Demo history is already there.")
            return
        rng = random.Random(12)  # noqa: S311 — demo data, not security
        cabinets = list(Cabinet.objects.active().exclude(parent=None))
        territories = list(Territory.objects.all())
        categories = list(Category.objects.filter(is_active=True))
        citizens = list(
            User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_staff=False).exclude(
                pk__in=members().values("user_id")
            )
        )
        if not (cabinets and citizens):
            self.stdout.write("No demo town: run seed_demo first.")
            return
        executors = {}
        for membership in members(cabinets, roles=[Role.EXECUTOR, Role.HEAD]):
            executors.setdefault(membership.cabinet_id, []).append(membership.user)
        now = timezone.now()
        made = 0
        with transaction.atomic():
            for back in range(DAYS, 0, -1):
                for _n in range(rng.randint(0, 2 * PER_DAY)):
                    at = now - timedelta(days=back, hours=rng.randint(0, 10))
                    self._appeal(
                        rng, at, now, cabinets, territories, categories, citizens, executors
                    )
                    made += 1
        services.rebuild_all()
        self.stdout.write(self.style.SUCCESS(f"Demo history: {made} appeals over {DAYS} days."))
        self._indicators(rng, cabinets, territories, categories)

    def _indicators(self, rng, cabinets, territories, categories):
        """Monitoring indicators with two years of monthly values, so that the public series
        and the service screens are not empty."""
        if Indicator.objects.exists():
            return
        keeper = Cabinet.objects.active().filter(parent=None).first() or cabinets[0]
        by_name = {c.name_ru: c for c in categories}
        today = timezone.localdate()
        first = today.replace(day=1)
        months = []
        for _n in range(24):
            months.append(first)
            first = (first - timedelta(days=1)).replace(day=1)
        months.reverse()
        for code, name, unit, territory, category, start, step, target, better in INDICATORS:
            indicator = Indicator.objects.create(
                code=code,
                **in_columns("name", dict(zip(LANGUAGES, name, strict=True))),
                **in_columns("unit", dict(zip(LANGUAGES, unit, strict=True))),
                **in_columns("source", dict(zip(LANGUAGES, SOURCE, strict=True))),
                cabinet=keeper,
                territory=territories[territory] if territory is not None and territories else None,
                category=next((c for n, c in by_name.items() if category and category in n), None),
                target=target,
                higher_is_better=better,
            )
            value = start
            for month in months:
                value = max(0.0, value + step + rng.uniform(-abs(step) * 2, abs(step) * 2))
                IndicatorValue.objects.create(
                    indicator=indicator, period=month, value=round(value, 1)
                )
        self.stdout.write(self.style.SUCCESS(f"Demo indicators: {len(INDICATORS)}."))

    def _appeal(self, rng, at, now, cabinets, territories, categories, citizens, executors):
        cabinet = rng.choice(cabinets)
        author = rng.choice(citizens)
        appeal = Appeal.objects.create(
            cabinet=cabinet,
            kind=rng.choice(["statement", "statement", "proposal", "complaint"]),
            channel=rng.choice(["portal", "portal", "portal", "paper", "post"]),
            author=author,
            last_name=author.last_name,
            first_name=author.first_name,
            email=author.email,
            subject=MARK + rng.choice(SUBJECTS),
            text="Обращение из истории демонстрационного города.",
            category=rng.choice(categories) if categories else None,
            territory=rng.choice(territories) if territories else None,
            received_at=at,
            status="received",
        )
        appeal.classifier_id = appeal.category.classifier_id if appeal.category else None
        events = [("receive", at, "", "received")]
        registered = at + timedelta(hours=rng.randint(1, 48))
        if registered < now:
            appeal.number = f"И-{appeal.pk}"
            appeal.registered_at = registered
            appeal.legal_due = local_date(registered) + timedelta(days=30)
            appeal.control_due = appeal.legal_due - timedelta(days=1)
            events.append(("register", registered, "received", "registered"))
            appeal.status = "registered"
        staff = executors.get(cabinet.pk) or []
        fate = rng.random()
        spent = timedelta(days=rng.choice([5, 9, 14, 18, 22, 26, 29, 33, 40]))
        done = registered + spent
        if appeal.registered_at and done < now and staff:
            if fate < 0.08:
                appeal.status, appeal.no_merits_ground = (
                    "closed_no_merits",
                    rng.choice(["unclear", "repeated", "abusive"]),
                )
                appeal.closed_at = done
                appeal.result = Appeal.Result.NO_MERITS
                events.append(("close_no_merits", done, "registered", "closed_no_merits"))
            else:
                executor = rng.choice(staff)
                appeal.executor = executor
                appeal.status, appeal.answered_at = "answered", done
                appeal.result = rng.choice(Appeal.MERITS_RESULTS)
                events.append(("sign_answer", done, "answer_drafted", "answered"))
                Answer.objects.create(
                    appeal=appeal,
                    text="Работы выполнены.",
                    drafted_by=executor,
                    drafted_at=done,
                    signed_by=executor,
                    signed_at=done,
                    on_time=local_date(done) <= appeal.legal_due,
                )
                if rng.random() < 0.5:
                    stars = rng.choice([1, 2, 3, 4, 4, 5, 5, 5])
                    Rating.objects.create(appeal=appeal, stars=stars, created_at=done)
                    events.append(("rate", done, "answered", "answered"))
        elif appeal.registered_at and staff:
            appeal.status, appeal.executor = "in_work", rng.choice(staff)
        appeal.save()
        for action, when, before, after in events:
            AppealEvent.objects.create(
                appeal=appeal, at=when, action=action, from_status=before, to_status=after
            )
