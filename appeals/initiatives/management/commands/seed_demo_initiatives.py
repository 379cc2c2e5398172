"""Civic initiatives in the demo town: one gathering people with updates, one closed (run by
``seed_demo`` after the demo appeals)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from appeals.initiatives import services
from appeals.initiatives.models import Initiative
from appeals.management.commands.seed_demo_appeals import DEMO_DOMAIN
from appeals.models import Category
from edem.accounts.models import User
from edem.geo.models import Territory

DEMO = (
    (
        "Сквер вместо пустыря на Садовой",
        "Предлагаю жителям Садовой улицы вместе подготовить проект сквера на пустыре у дома 12 "
        "и подать его на конкурс инициативного бюджетирования.\n\n"
        "Что нужно: эскиз, смета и подписи соседей.",
        "Благоустройство",
        [
            "Нашёл ландшафтного архитектора, который сделает эскиз бесплатно.",
            "Встречаемся в субботу в 11:00 у дома 12.",
        ],
        False,
    ),
    (
        "Субботник у реки",
        "Соберёмся и уберём берег реки от моста до пляжа.",
        "Мусор",
        ["Субботник прошёл: вывезли 40 мешков мусора. Спасибо всем!"],
        True,
    ),
)


class Command(BaseCommand):
    help = "Add demo civic initiatives."

    def handle(self, *args, **options):
        if Initiative.objects.exists():
            self.stdout.write("Demo initiatives are already there.")
            return
        residents = list(
            User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_staff=False)
            .filter(verification_level__in=["resident", "identity"])
            .exclude(memberships__isnull=False)
            .order_by("pk")
        )
        if len(residents) < 2:
            self.stdout.write("No verified demo residents: run seed_demo first.")
            return
        territories = list(Territory.objects.order_by("pk"))
        with transaction.atomic():
            for i, (title, summary, topic, updates, closed) in enumerate(DEMO):
                initiator = residents[i % len(residents)]
                initiative = services.propose(
                    user=initiator,
                    title=title,
                    summary=summary,
                    category=Category.objects.filter(name_ru__icontains=topic).first(),
                    territory=territories[i % len(territories)] if territories else None,
                )
                for resident in residents:
                    services.join(initiative=initiative, user=resident)
                for text in updates:
                    services.post_update(initiative=initiative, actor=initiator, text=text)
                if closed:
                    services.close(initiative=initiative, actor=initiator)
        self.stdout.write(self.style.SUCCESS(f"Demo initiatives: {len(DEMO)}."))
