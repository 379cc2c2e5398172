"""Demo appeals for the demo town (run by ``seed_demo``): the topic tree, routing rules, answer
templates, and a dozen appeals of the demo citizens in every stage of the workflow, each moved
there by the real services (registration, assignment, extension, answer signed with the demo
second factor, forwarding, no-merits closing, withdrawal, a collective appeal). Idempotent."""

import time
from datetime import timedelta

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from appeals import services
from appeals.community import services as community
from appeals.models import AnswerTemplate, Appeal, CabinetAppealSettings, Category, RoutingRule
from cabinets.models import Cabinet
from edem.accounts.models import User
from edem.geo.models import Territory

SECRET = "EDEMDEMOEDEMDEMOEDEMDEMOEDEMDEMO"  # noqa: S105 - the demo officials' TOTP secret

TOPICS = {  # parent: (default cabinet, [children])
    "Благоустройство": ("green", ["Дворы и детские площадки", "Озеленение", "Уличное освещение"]),
    "Дороги и транспорт": ("roads", ["Ямы и покрытие", "Тротуары и переходы", "Общественный транспорт"]),
    "ЖКХ": ("housing", ["Отопление", "Водоснабжение", "Вывоз мусора"]),
    "Образование": ("education", ["Детские сады", "Школы"]),
    "Социальная защита": ("social", ["Льготы и выплаты"]),
    "Работа администрации": ("adm", []),
}  # fmt: skip
PUBLIC_TOPICS = {
    "Ямы и покрытие", "Уличное освещение", "Вывоз мусора", "Дворы и детские площадки",
    "Тротуары и переходы", "Озеленение",
}  # fmt: skip
TEMPLATES = {
    None: (
        "Общий ответ",
        "Уважаемый(ая) {name}!\n\nВаше обращение № {number} от {date} «{subject}» рассмотрено "
        "{cabinet}.\n\n[Ответ по существу]\n\nС уважением,",
    ),
    "Ямы и покрытие": (
        "Ремонт покрытия",
        "Уважаемый(ая) {name}!\n\nПо обращению № {number} сообщаем: участок включён в план "
        "ямочного ремонта. Работы будут выполнены в срок до [дата].\n\nС уважением,",
    ),
    "Уличное освещение": (
        "Освещение восстановлено",
        "Уважаемый(ая) {name}!\n\nПо обращению № {number}: подрядчик заменил светильники, "
        "освещение восстановлено.\n\nС уважением,",
    ),
}


def _code():
    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))


class Command(BaseCommand):
    help = "Load demo appeals into the demo town (after seed_demo). Safe to run again."

    def handle(self, *args, **options):
        if Appeal.objects.filter(email__endswith="@demo.edem").exists():
            self.stdout.write("Demo appeals are already there.")
            return
        with transaction.atomic():
            cabinets = {c.code: c for c in Cabinet.objects.all()}
            topics = self._topics(cabinets)
            self._routing(topics, cabinets)
            self._templates(topics)
            count = self._appeals(cabinets, topics)
        self.stdout.write(self.style.SUCCESS(f"Demo appeals: {count}."))

    def _topics(self, cabinets):
        topics = {}
        for order, (name, (code, children)) in enumerate(TOPICS.items()):
            parent, _ = Category.objects.get_or_create(
                name=name,
                parent=None,
                defaults={"default_cabinet": cabinets.get(code), "order": order},
            )
            topics[name] = parent
            for child_order, child in enumerate(children):
                topics[child], _ = Category.objects.get_or_create(
                    name=child,
                    parent=parent,
                    defaults={"default_cabinet": cabinets.get(code), "order": child_order},
                )
        return topics

    def _routing(self, topics, cabinets):
        # Yards of the Riverside district are kept by the housing department there.
        riverside = Territory.objects.filter(name="Заречный район").first()
        if riverside and "housing" in cabinets:
            RoutingRule.objects.get_or_create(
                category=topics["Дворы и детские площадки"],
                territory=riverside,
                defaults={"cabinet": cabinets["housing"], "priority": 10},
            )
        # The administration registers its appeals by hand (R4: within 3 days).
        if "adm" in cabinets:
            CabinetAppealSettings.objects.get_or_create(
                cabinet=cabinets["adm"],
                defaults={"registration": CabinetAppealSettings.Registration.MANUAL},
            )

    def _templates(self, topics):
        for topic, (title, body) in TEMPLATES.items():
            AnswerTemplate.objects.get_or_create(
                title=title,
                defaults={"category": topics.get(topic) if topic else None, "body": body},
            )

    def _file(self, author, topic, subject, text, point=None, cabinet=None, **extra):
        fields = {
            "kind": extra.pop("kind", Appeal.Kind.STATEMENT),
            "category": topic,
            "subject": subject,
            "text": text,
            "last_name": author.last_name,
            "first_name": author.first_name,
            "patronymic": author.patronymic,
            "email": author.email,
            "answer_channel": Appeal.AnswerChannel.EMAIL,
            **extra,
        }
        if point:
            fields["latitude"], fields["longitude"] = point
            fields["place"] = extra.get("place", "")
            # Problems of the town's streets and yards are published on the map (issue #4).
            fields.setdefault("is_public", topic.name in PUBLIC_TOPICS)
        return services.file_appeal(author=author, cabinet=cabinet, **fields)

    def _appeals(self, cabinets, topics):
        people = {
            u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.edem")
        }
        ivanova, petrov, sydorenko = people["ivanova"], people["petrov"], people["sydorenko"]
        head, registrar, executor = people["mayor"], people["registrar"], people["executor"]
        roads_head, roads_executor = people.get("roads.head"), people.get("roads.executor")
        housing_head = people.get("housing.head")
        housing_executor = people.get("housing.executor")
        made = []

        # 1. Waiting for registration in the administration (manual registration, R4).
        made.append(
            self._file(
                ivanova,
                topics["Работа администрации"],
                "Приём граждан в выходные дни",
                "Прошу рассмотреть возможность личного приёма граждан по субботам: в будни "
                "работающим жителям прийти невозможно.",
                cabinet=cabinets["adm"],
                kind=Appeal.Kind.PROPOSAL,
            )
        )
        # 2. Registered, waiting for an executor.
        second = self._file(
            petrov,
            topics["Работа администрации"],
            "График работы МФЦ",
            "В МФЦ на ул. Ленина постоянно очереди. Предлагаю продлить часы работы до 20:00.",
            cabinet=cabinets["adm"],
            kind=Appeal.Kind.PROPOSAL,
        )
        made.append(services.register(appeal=second, actor=registrar))
        # 3. In work with the administration's executor, deadline extended (R9).
        third = services.register(
            appeal=self._file(
                sydorenko,
                topics["Работа администрации"],
                "Ответ на запрос о земельном участке",
                "Прошу сообщить, на каком основании участок у дома 12 по ул. Садовой огорожен.",
                point=(56.003, 37.99),
                cabinet=cabinets["adm"],
            ),
            actor=registrar,
        )
        third = services.assign(appeal=third, actor=head, executor=executor)
        made.append(
            services.extend(
                appeal=third,
                actor=head,
                days=20,
                reason="exceptional",
                note="Требуется выезд на место и проверка документов в архиве.",
            )
        )
        # 4. Answer drafted by the executor, waiting for the head's signature.
        fourth = services.register(
            appeal=self._file(
                ivanova,
                topics["Работа администрации"],
                "Скамейки у здания администрации",
                "У входа в администрацию нет ни одной скамейки, пожилым людям негде присесть.",
                point=(56.0, 37.985),
                cabinet=cabinets["adm"],
                kind=Appeal.Kind.PROPOSAL,
            ),
            actor=registrar,
        )
        fourth = services.assign(appeal=fourth, actor=head, executor=executor)
        services.draft_answer(
            appeal=fourth,
            actor=executor,
            text="Уважаемая Мария Петровна!\n\nДве скамейки будут установлены у входа в "
            "администрацию до конца месяца.\n\nС уважением,",
        )
        made.append(fourth)
        # 5. Answered: a signed letter with its verification code (R12).
        fifth = services.register(
            appeal=self._file(
                petrov,
                topics["Уличное освещение"],
                "Не горят фонари на ул. Мира",
                "Уже две недели не горят фонари на ул. Мира от дома 5 до дома 19. Вечером темно "
                "и опасно.",
                point=(55.998, 38.01),
                cabinet=cabinets["adm"],
            ),
            actor=registrar,
        )
        fifth = services.assign(appeal=fifth, actor=head, executor=executor)
        services.draft_answer(
            appeal=fifth,
            actor=executor,
            text="Уважаемый Пётр Сергеевич!\n\nПодрядчик заменил 8 светильников на ул. Мира, "
            "освещение восстановлено. Благодарим за сообщение.\n\nС уважением,",
        )
        services.sign_answer(appeal=fifth, actor=head, otp_code=_code())
        made.append(fifth)
        # 6. Roads: registered on receipt and in work (a pothole with a map point).
        if roads_head and roads_executor:
            sixth = self._file(
                ivanova,
                topics["Ямы и покрытие"],
                "Глубокая яма на перекрёстке",
                "На перекрёстке ул. Гагарина и пр. Победы яма глубиной около 15 см, машины "
                "объезжают её по встречной полосе.",
                point=(55.992, 37.97),
                place="перекрёсток ул. Гагарина и пр. Победы",
            )
            made.append(services.assign(appeal=sixth, actor=roads_head, executor=roads_executor))
        # 7. Forwarded by the administration to the housing department (R5).
        seventh = services.register(
            appeal=self._file(
                sydorenko,
                topics["Отопление"],
                "Холодные батареи в квартире",
                "В доме 7 по ул. Заречной батареи чуть тёплые, в квартире +16.",
                point=(55.985, 38.02),
                cabinet=cabinets["adm"],
            ),
            actor=registrar,
        )
        if "housing" in cabinets:
            made.append(
                services.forward(
                    appeal=seventh,
                    actor=registrar,
                    to_cabinet=cabinets["housing"],
                    reason="Вопрос теплоснабжения относится к ведению управления ЖКХ.",
                )
            )
        # 8. Closed without an answer on the merits (R11: unreadable text).
        eighth = services.register(
            appeal=self._file(
                petrov,
                topics["Работа администрации"],
                "ывапролд",
                "ывапролдж ывапролдж",
                cabinet=cabinets["adm"],
            ),
            actor=registrar,
        )
        made.append(
            services.close_no_merits(
                appeal=eighth,
                actor=head,
                ground=Appeal.NoMeritsGround.UNREADABLE,
                note="Текст обращения не поддаётся прочтению. Вы можете обратиться повторно.",
            )
        )
        # 9. Withdrawn by the citizen (R10).
        ninth = self._file(
            ivanova,
            topics["Вывоз мусора"],
            "Не вывезли мусор",
            "Контейнеры у дома 3 не вывозят третий день.",
            point=(56.005, 37.95),
        )
        made.append(services.withdraw(appeal=ninth, actor=ivanova, note="Мусор уже вывезли."))
        # 10. A collective appeal: two neighbours invited, one confirmed (R1).
        tenth = self._file(
            petrov,
            topics["Дворы и детские площадки"],
            "Детская площадка во дворе",
            "Просим установить детскую площадку во дворе домов 4 и 6 по ул. Лесной: детям "
            "негде играть.",
            point=(55.983, 38.03),
            kind=Appeal.Kind.PROPOSAL,
            place="двор домов 4 и 6 по ул. Лесной",
        )
        services.invite_cosigners(
            appeal=tenth, actor=petrov, emails=[sydorenko.email, "sosed.lesnaya@example.org"]
        )
        cosigner = tenth.cosigners.get(email=sydorenko.email)
        services.confirm_cosign(token=cosigner.token, actor=sydorenko)
        made.append(tenth)
        if housing_head and housing_executor and tenth.cabinet.code == "housing":
            services.assign(appeal=tenth, actor=housing_head, executor=housing_executor)
        self._community(made, people)
        # Age a few so that the queue shows an overdue and a near-due appeal.
        self._age(made[1], days=40)  # registered 40 days ago: overdue
        self._age(made[3], days=27)  # answer due in 3 days
        return len(made)

    def _community(self, made, people):
        """Residents around the public problems: support, comments, an official's reply."""
        public = [a for a in made if Appeal.objects.filter(pk=a.pk, is_public=True).exists()]
        residents = [people[n] for n in ("ivanova", "petrov", "sydorenko") if n in people]
        for appeal in public:
            for resident in residents:
                if resident.pk != appeal.author_id:
                    community.support(appeal=appeal, user=resident)
        pothole = next((a for a in public if a.subject.startswith("Глубокая яма")), None)
        if pothole is not None:
            community.add_comment(
                appeal=pothole,
                user=people["petrov"],
                text="Подтверждаю, вчера там пробил колесо. Нужен хотя бы временный знак.",
            )
            if people.get("roads.executor"):
                community.add_comment(
                    appeal=pothole,
                    user=people["roads.executor"],
                    text="Участок включён в план ямочного ремонта на эту неделю.",
                )

    def _age(self, appeal, days):
        """Move an appeal's dates back (demo only: the clock cannot be turned in a seed)."""
        shift = timedelta(days=days)
        appeal = Appeal.objects.get(pk=appeal.pk)
        for field in ("received_at", "registered_at"):
            if getattr(appeal, field):
                setattr(appeal, field, getattr(appeal, field) - shift)
        for field in ("registration_due", "forwarding_due", "legal_due", "control_due"):
            if getattr(appeal, field):
                setattr(appeal, field, getattr(appeal, field) - shift)
        appeal.save()
        appeal.events.update(at=timezone.now() - shift)
