"""Demo content of the four consultation instruments for the demo town (``seed_demo`` first).

Everything goes through the instruments' own services (workflow checks, eligibility, one voice
per person, history, notifications to the outbox); phases that the calendar moves are moved by
the instruments' beat task functions. Only one thing is not a service: time. The demo runs each
step *now* and then moves the timestamps of the rows it has just written back by so many days
(``_age``), as if the calendar had passed; that is a direct ORM write, on the demo's own rows
only, because no service moves time (and none should).

Idempotent: each instrument is skipped when its demo items are already there (their titles are
the marker), and the demo citizens are created only when missing. A second run changes nothing.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
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
from consultations.budgets.models import (
    Ballot as BudgetBallot,
)
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

# The markers: one title per instrument (the item that must be there for the demo to be "alive").
DISCUSSION_ACTIVE = "Правила благоустройства территории Демограда"
DISCUSSION_DONE = "Положение о размещении сезонных кафе (летних веранд) в Демограде"
DISCUSSION_PROPOSED = "Порядок выгула собак на территории Демограда"
POLL_ACTIVE = "Каким быть общественному транспорту Демограда?"
POLL_DONE = "Как назвать новый сквер на проспекте Мира?"
POLL_PROPOSED = "Продлить ли работу городского катка до 23:00?"
PETITION_COLLECTING = "Светофор на перекрёстке улицы Садовой и проспекта Мира"
PETITION_ANSWERED = "Вернуть автобусный маршрут № 7 в Заречный район"
PETITION_MODERATION = "Пункт раздельного сбора отходов в Северном районе"
PETITION_EXPIRED = "Крытый ледовый каток для Демограда"
BUDGET_TITLE = "Бюджет участия Демограда — {year}"

# Demo petitions in a small demo town: the community statute's numbers (R24). The real
# municipality sets its own in the admin (Petition settings).
DEMO_PETITION_THRESHOLD = 20
DEMO_PETITION_DAYS = 60
DEMO_DOMAIN = "demo.edem"

CENTRE, NORTH, RIVERSIDE = "Центральный район", "Северный район", "Заречный район"

# More demo citizens, so that polls, petitions and budgets have voices: resident-verified, with
# the demo password, created as seed_demo creates the three of the fixture.
CITIZENS = (
    ("kuznetsova", "Кузнецова", "Анна", "Сергеевна", CENTRE),
    ("smirnov", "Смирнов", "Дмитрий", "Алексеевич", NORTH),
    ("popova", "Попова", "Екатерина", "Андреевна", RIVERSIDE),
    ("vasiliev", "Васильев", "Андрей", "Николаевич", CENTRE),
    ("sokolova", "Соколова", "Наталья", "Викторовна", NORTH),
    ("mikhailov", "Михайлов", "Сергей", "Петрович", RIVERSIDE),
    ("novikova", "Новикова", "Ольга", "Игоревна", CENTRE),
    ("fedorov", "Фёдоров", "Илья", "Романович", NORTH),
    ("morozov", "Морозов", "Артём", "Олегович", RIVERSIDE),
    ("volkova", "Волкова", "Юлия", "Денисовна", CENTRE),
    ("alekseev", "Алексеев", "Виктор", "Павлович", NORTH),
    ("lebedev", "Лебедев", "Роман", "Игоревич", RIVERSIDE),
    ("semenova", "Семёнова", "Дарья", "Максимовна", CENTRE),
    ("egorov", "Егоров", "Максим", "Юрьевич", NORTH),
    ("pavlova", "Павлова", "Светлана", "Геннадьевна", RIVERSIDE),
    ("kozlov", "Козлов", "Евгений", "Анатольевич", CENTRE),
    ("stepanova", "Степанова", "Алина", "Витальевна", NORTH),
    ("nikolaev", "Николаев", "Григорий", "Степанович", RIVERSIDE),
    ("orlova", "Орлова", "Вера", "Михайловна", CENTRE),
    ("zakharov", "Захаров", "Тимур", "Русланович", NORTH),
)


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


def days(n):
    return timedelta(days=n)


@dataclass
class Town:
    cabinets: dict
    territories: dict
    staff: dict
    citizens: dict  # short name (the e-mail's local part) -> User

    def c(self, *names):
        return [self.citizens[n] for n in names]


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
        loaded = []
        with transaction.atomic():
            town = self._town()
            if not Discussion.objects.filter(title=DISCUSSION_ACTIVE).exists():
                self._discussions(town)
                loaded.append("discussions")
            if not Poll.objects.filter(title=POLL_ACTIVE).exists():
                self._polls(town)
                loaded.append("polls")
            if not Petition.objects.filter(title=PETITION_COLLECTING).exists():
                self._petitions(town)
                loaded.append("petitions")
            # Any demo cycle (of whichever year it was loaded in): a run next January must not
            # add a second pair of cycles.
            if not BudgetCycle.objects.filter(title__startswith=BUDGET_TITLE[:24]).exists():
                self._budgets(town)
                loaded.append("participatory budgets")
        if quiet:
            return
        if loaded:
            self.stdout.write(
                self.style.SUCCESS("Demo consultations are loaded: " + ", ".join(loaded) + ".")
            )
        else:
            self.stdout.write("The demo consultations are already there; nothing was changed.")

    # --- The town ---------------------------------------------------------------------------

    def _town(self):
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
        territories = {
            t.name: t for t in Territory.objects.filter(name__in=[CENTRE, NORTH, RIVERSIDE])
        }
        User = get_user_model()
        staff = {
            u.email.split("@")[0]: u
            for u in User.objects.filter(
                email__in=[m[0] for row in data["cabinets"] for m in row["members"]]
            )
        }
        citizens = {
            u.email.split("@")[0]: u
            for u in User.objects.filter(
                email__in=[row["email"] for row in data["users"] if row.get("citizen")]
            )
        }
        existing = set(
            User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").values_list("email", flat=True)
        )
        missing = [row for row in CITIZENS if f"{row[0]}@{DEMO_DOMAIN}" not in existing]
        # One hash for all the new demo accounts: they share a published password anyway, and
        # hashing it twenty times would make the command slow.
        password = make_password(data["password"]) if missing else None
        for short, last, first, patronymic, territory in missing:
            user = User.objects.create(
                email=f"{short}@{DEMO_DOMAIN}",
                last_name=last,
                first_name=first,
                patronymic=patronymic,
                territory=territories[territory],
                postal_address=f"Демоград, {territory}",
                language="ru",
                verification_level=User.Verification.RESIDENT,
                verified_at=timezone.now(),
                verification_note="Demo: passport seen at the service centre",
                password=password,
            )
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
        for user in User.objects.filter(email__in=[f"{row[0]}@{DEMO_DOMAIN}" for row in CITIZENS]):
            citizens[user.email.split("@")[0]] = user
        return Town(
            cabinets={c.code: c for c in Cabinet.objects.all()},
            territories=territories,
            staff=staff,
            citizens=citizens,
        )

    # --- Discussions of draft acts (R27–R31) ----------------------------------------------

    def _discussions(self, town):
        self._discussion_active(town)
        self._discussion_done(town)
        self._discussion_proposed(town)

    @staticmethod
    def _discussion_rows(discussion):
        return (
            Discussion.objects.filter(pk=discussion.pk),
            DiscussionEvent.objects.filter(discussion=discussion),
            DraftVersion.objects.filter(discussion=discussion),
            Comment.objects.filter(discussion=discussion),
            Support.objects.filter(comment__discussion=discussion),
            Decision.objects.filter(comment__discussion=discussion),
        )

    @staticmethod
    def _paragraph(discussion, number):
        return discussion.current_version().paragraphs.get(order=number)

    def _discussion_active(self, town):
        head = town.staff["green.head"]
        now = timezone.now()
        discussion = discussion_services.create_discussion(
            actor=head,
            cabinet=town.cabinets["green"],
            title=DISCUSSION_ACTIVE,
            summary=(
                "Проект новых Правил благоустройства: уборка улиц и дворов, вывоз отходов, "
                "охрана зелёных насаждений. Прокомментируйте любой пункт или предложите свою "
                "редакцию — каждое предложение будет рассмотрено, решение по нему опубликуем."
            ),
            starts_at=now - timedelta(minutes=1),
            ends_at=now + days(21),
            markdown=RULES_V1,
            note="Проект, подготовленный Службой благоустройства и озеленения",
        )
        discussion_services.add_version(
            discussion=discussion,
            actor=head,
            markdown=RULES_V2,
            note=(
                "По замечаниям юридического отдела: сокращён срок уборки снега, увеличена "
                "компенсационная посадка, добавлен пункт о деревьях во дворах"
            ),
        )
        discussion_services.submit(discussion=discussion, actor=head)
        discussion_services.approve(discussion=discussion, actor=head)
        discussion_tasks.run_discussion_calendar()  # the beat opens it (R29)
        discussion.refresh_from_db()
        ivanova, petrov, sydorenko, kuznetsova, smirnov, popova, vasiliev = town.c(
            "ivanova", "petrov", "sydorenko", "kuznetsova", "smirnov", "popova", "vasiliev"
        )
        add = discussion_services.add_comment
        add(
            paragraph=self._paragraph(discussion, 1),
            actor=kuznetsova,
            kind=Comment.Kind.COMMENT,
            text=(
                "Хорошо бы прямо в Правилах перечислить, кто отвечает за уборку дворов "
                "многоквартирных домов: управляющая компания или город."
            ),
            show_name=True,
        )
        add(
            paragraph=self._paragraph(discussion, 4),
            actor=ivanova,
            kind=Comment.Kind.COMMENT,
            text=(
                "Восемь часов после снегопада — хорошо для улиц, но во дворах снег часто лежит "
                "по нескольку дней. Нужен отдельный срок для дворовых проездов и тротуаров."
            ),
            show_name=True,
        )
        _age(days(3), *self._discussion_rows(discussion))
        waste = add(
            paragraph=self._paragraph(discussion, 5),
            actor=petrov,
            kind=Comment.Kind.WORDING,
            text=(
                "Вывоз твёрдых коммунальных отходов из контейнерных площадок производится "
                "ежедневно круглый год, а с площадок у школ, детских садов и больниц — дважды "
                "в день в летний период."
            ),
            show_name=True,
        )
        lawn = add(
            paragraph=self._paragraph(discussion, 9),
            actor=popova,
            kind=Comment.Kind.WORDING,
            text=(
                "Покос газонов проводится при высоте травостоя более 15 сантиметров, за "
                "исключением участков луговых газонов с медоносными растениями, которые "
                "скашиваются не чаще двух раз за сезон."
            ),
        )
        add(
            paragraph=self._paragraph(discussion, 6),
            actor=sydorenko,
            kind=Comment.Kind.COMMENT,
            text=(
                "Предлагаю добавить, куда жители могут сообщить о сжигании листвы — например, "
                "через раздел обращений на этом портале с отметкой на карте."
            ),
        )
        for user in (ivanova, sydorenko, kuznetsova, smirnov, vasiliev):
            discussion_services.support(comment=waste, actor=user)
        for user in (ivanova, smirnov):
            discussion_services.support(comment=lawn, actor=user)
        _age(days(3), *self._discussion_rows(discussion))  # opened six days ago

    def _discussion_done(self, town):
        mayor, executor = town.staff["mayor"], town.staff["executor"]
        now = timezone.now()
        discussion = discussion_services.create_discussion(
            actor=mayor,
            cabinet=town.cabinets["adm"],
            title=DISCUSSION_DONE,
            summary=(
                "Где и на каких условиях кафе могут ставить летние веранды: сроки, размеры, "
                "проход для пешеходов, тишина по вечерам."
            ),
            starts_at=now - timedelta(minutes=1),
            ends_at=now + days(30) - timedelta(minutes=2),
            markdown=CAFES_V1,
            note="Проект постановления администрации",
        )
        discussion_services.submit(discussion=discussion, actor=mayor)
        discussion_services.approve(discussion=discussion, actor=mayor)
        discussion_tasks.run_discussion_calendar()
        discussion.refresh_from_db()
        ivanova, petrov, sydorenko, novikova, fedorov, morozov, volkova = town.c(
            "ivanova", "petrov", "sydorenko", "novikova", "fedorov", "morozov", "volkova"
        )
        add = discussion_services.add_comment
        season = add(
            paragraph=self._paragraph(discussion, 2),
            actor=novikova,
            kind=Comment.Kind.WORDING,
            text=(
                "Летние веранды размещаются с 15 апреля по 15 октября; при среднесуточной "
                "температуре выше +10 °C — с 1 апреля."
            ),
            show_name=True,
        )
        passage = add(
            paragraph=self._paragraph(discussion, 3),
            actor=ivanova,
            kind=Comment.Kind.WORDING,
            text=(
                "Ширина свободного прохода для пешеходов вдоль веранды должна быть не менее "
                "2 метров, а у остановок общественного транспорта — не менее 3 метров."
            ),
            show_name=True,
        )
        _age(days(10), *self._discussion_rows(discussion))
        music = add(
            paragraph=self._paragraph(discussion, 5),
            actor=petrov,
            kind=Comment.Kind.WORDING,
            text="Музыка на верандах запрещена после 21:00.",
        )
        toilets = add(
            paragraph=self._paragraph(discussion, 4),
            actor=sydorenko,
            kind=Comment.Kind.COMMENT,
            text=(
                "Нужно обязать кафе с верандой пускать в туалет всех посетителей веранды, "
                "включая детей, без покупки."
            ),
        )
        parking = add(
            paragraph=self._paragraph(discussion, 1),
            actor=morozov,
            kind=Comment.Kind.COMMENT,
            text="А когда наконец отремонтируют парковку у рынка?",
        )
        for user in (petrov, fedorov, volkova, sydorenko):
            discussion_services.support(comment=passage, actor=user)
        for user in (fedorov, morozov):
            discussion_services.support(comment=season, actor=user)
        discussion_services.support(comment=music, actor=ivanova)
        # The period ends: the calendar moves on and the beat closes the discussion (R29).
        _age(days(20), *self._discussion_rows(discussion))
        discussion_tasks.run_discussion_calendar()
        decide = discussion_services.decide
        decide(
            comment=passage,
            actor=executor,
            outcome=Decision.Outcome.ACCEPTED,
            reason=(
                "Принято: ширина прохода 2 м, у остановок — 3 м. Пункт 3 изложен в "
                "предложенной редакции."
            ),
        )
        decide(
            comment=season,
            actor=executor,
            outcome=Decision.Outcome.PARTLY_ACCEPTED,
            reason=(
                "Сезон продлён до 15 октября. Привязка к температуре не принята: дату начала "
                "сезона нужно знать заранее, чтобы согласовать схемы размещения."
            ),
        )
        decide(
            comment=music,
            actor=executor,
            outcome=Decision.Outcome.REJECTED,
            reason=(
                "Полный запрет музыки избыточен: тишина в ночное время уже обеспечена "
                "пунктом 5 (с 23:00 до 7:00) и региональным законом о тишине."
            ),
        )
        decide(
            comment=toilets,
            actor=executor,
            outcome=Decision.Outcome.ACCEPTED,
            reason="Принято: добавлено в пункт 4 как обязанность владельца веранды.",
        )
        decide(
            comment=parking,
            actor=executor,
            outcome=Decision.Outcome.NOT_RELATED,
            reason=(
                "Вопрос не относится к проекту положения. Ремонт парковки у рынка включён в "
                "план дорожных работ; ответ можно получить, подав обращение на портале."
            ),
        )
        _age(days(5), *self._discussion_rows(discussion))
        discussion_services.add_version(
            discussion=discussion,
            actor=mayor,
            markdown=CAFES_V2,
            note="Доработанный проект с учётом принятых предложений жителей",
        )
        discussion_services.publish_results(discussion=discussion, actor=mayor)
        _age(days(7), *self._discussion_rows(discussion))

    def _discussion_proposed(self, town):
        discussion_services.propose_discussion(
            actor=town.citizens["petrov"],
            cabinet=town.cabinets["green"],
            title=DISCUSSION_PROPOSED,
            summary=(
                "Предлагаю обсудить правила выгула собак: специальные площадки в каждом районе, "
                "уборка за питомцами, места, где нужен поводок."
            ),
            markdown=DOGS_TEXT,
        )

    # --- Polls (R27–R31) --------------------------------------------------------------------

    @staticmethod
    def _poll_rows(poll):
        return (
            Poll.objects.filter(pk=poll.pk),
            PollEvent.objects.filter(poll=poll),
            Ballot.objects.filter(poll=poll),
            Answer.objects.filter(ballot__poll=poll),
        )

    def _polls(self, town):
        self._poll_active(town)
        self._poll_done(town)
        poll_services.propose_poll(
            actor=town.citizens["ivanova"],
            cabinet=town.cabinets["adm"],
            initiator_kind=InitiatorKind.RESIDENT,
            title=POLL_PROPOSED,
            description=(
                "Зимой каток на центральной площади закрывается в 21:00, когда многие только "
                "возвращаются с работы. Предлагаю спросить жителей, нужно ли продлить его работу."
            ),
            starts_at=timezone.now() + days(10),
            ends_at=timezone.now() + days(24),
            question_text="Продлить ли работу катка на центральной площади до 23:00?",
            question_kind=Question.Kind.SINGLE,
            options=[
                "Да, до 23:00",
                "Да, но только по пятницам и выходным",
                "Нет, оставить как есть",
            ],
        )

    def _poll_active(self, town):
        head = town.staff["roads.head"]
        now = timezone.now()
        poll = poll_services.create_poll(
            actor=head,
            cabinet=town.cabinets["roads"],
            title=POLL_ACTIVE,
            description=(
                "Управление дорожного хозяйства и транспорта готовит новую маршрутную сеть. "
                "Расскажите, как вы ездите по городу и что нужно изменить в первую очередь. "
                "Результаты видны сразу и будут учтены при подготовке конкурса перевозчиков."
            ),
            starts_at=now - timedelta(minutes=1),
            ends_at=now + days(21),
            results_visibility=ResultsVisibility.LIVE,
        )
        save = poll_services.save_question
        often = save(
            poll=poll,
            actor=head,
            text="Как часто вы пользуетесь городскими автобусами?",
            kind=Question.Kind.SINGLE,
            options=["Каждый день", "Несколько раз в неделю", "Реже", "Не пользуюсь"],
        )
        improve = save(
            poll=poll,
            actor=head,
            text="Что нужно улучшить в первую очередь?",
            help_text="Выберите от 1 до 3 вариантов.",
            kind=Question.Kind.MULTIPLE,
            options=[
                "Интервалы движения",
                "Состояние остановок",
                "Новые маршруты",
                "Электронные табло на остановках",
                "Оплата банковской картой",
            ],
            min_choices=1,
            max_choices=3,
        )
        routes = save(
            poll=poll,
            actor=head,
            text="Расставьте новые маршруты по важности",
            help_text="1 — самый нужный.",
            kind=Question.Kind.RANKING,
            options=["Северный район — вокзал", "Заречье — городская больница", "Центр — промзона"],
        )
        scale = save(
            poll=poll,
            actor=head,
            text="Оцените работу общественного транспорта в целом",
            help_text="1 — очень плохо, 5 — отлично.",
            kind=Question.Kind.SCALE,
        )
        text = save(
            poll=poll,
            actor=head,
            text="Ваши предложения",
            kind=Question.Kind.TEXT,
            required=False,
        )
        poll_services.schedule(poll=poll, actor=head)
        poll_tasks.advance_polls()  # the beat opens it (R29)
        o = {
            q.pk: list(q.options.order_by("order").values_list("pk", flat=True))
            for q in (often, improve, routes)
        }

        def ballot(user, often_i, improve_is, route_ranks, value, words=""):
            answers = {
                often.pk: o[often.pk][often_i],
                improve.pk: [o[improve.pk][i] for i in improve_is],
                routes.pk: {o[routes.pk][i]: rank for i, rank in enumerate(route_ranks)},
                scale.pk: value,
            }
            if words:
                answers[text.pk] = words
            return poll_services.cast_ballot(poll=poll, voter=user, answers=answers)

        c = town.citizens
        ballot(
            c["ivanova"],
            0,
            [0, 3],
            [2, 3, 1],
            3,
            "Нужен автобус от Садовой до вокзала к первой электричке.",
        )
        ballot(c["petrov"], 1, [0, 2], [1, 2, 3], 2)
        ballot(
            c["sydorenko"],
            0,
            [2],
            [3, 1, 2],
            2,
            "Маршрут № 7 в Заречье очень нужен: до больницы теперь две пересадки.",
        )
        ballot(c["smirnov"], 2, [0, 1, 4], [1, 3, 2], 4)
        _age(days(3), *self._poll_rows(poll))
        ballot(c["popova"], 0, [0, 2], [2, 1, 3], 3)
        ballot(c["vasiliev"], 3, [4], [1, 2, 3], 3)
        pending = ballot(
            c["sokolova"],
            1,
            [0, 1],
            [1, 2, 3],
            2,
            "Остановка у рынка без навеса — под дождём ждать невозможно.",
        )
        ballot(c["mikhailov"], 0, [2, 3], [3, 1, 2], 1)
        ballot(c["novikova"], 2, [0], [2, 1, 3], 4)
        # R31: free texts are shown once moderated; one is left for the moderator's queue.
        for answer in Answer.objects.filter(question=text).exclude(ballot=pending):
            poll_services.moderate_text(answer=answer, actor=head, approve=True)
        _age(days(3), *self._poll_rows(poll))  # opened six days ago

    def _poll_done(self, town):
        head = town.staff["green.head"]
        now = timezone.now()
        poll = poll_services.create_poll(
            actor=head,
            cabinet=town.cabinets["green"],
            title=POLL_DONE,
            description=(
                "Сквер на проспекте Мира благоустроен по итогам бюджета участия. Выберите "
                "название из предложенных жителями вариантов."
            ),
            starts_at=now - timedelta(minutes=2),
            ends_at=now + days(14) - timedelta(minutes=2),
            results_visibility=ResultsVisibility.AFTER_CLOSE,
        )
        save = poll_services.save_question
        name = save(
            poll=poll,
            actor=head,
            text="Какое название дать скверу?",
            kind=Question.Kind.SINGLE,
            options=["Сквер Строителей", "Северный сквер", "Сквер Учителей", "Сквер Мира"],
        )
        scale = save(
            poll=poll,
            actor=head,
            text="Как вы оцениваете благоустройство сквера?",
            help_text="1 — очень плохо, 5 — отлично.",
            kind=Question.Kind.SCALE,
        )
        text = save(
            poll=poll,
            actor=head,
            text="Что ещё нужно сделать в сквере?",
            kind=Question.Kind.TEXT,
            required=False,
        )
        poll_services.schedule(poll=poll, actor=head)
        poll_tasks.advance_polls()
        options = list(name.options.order_by("order").values_list("pk", flat=True))
        votes = [
            ("ivanova", 2, 5, "Больше скамеек в тени."),
            ("petrov", 1, 4, "Поставить питьевой фонтанчик."),
            ("sydorenko", 2, 4, ""),
            ("kuznetsova", 0, 3, "Покупайте рекламу у нас! Скидки на окна!"),
            ("smirnov", 1, 5, ""),
            ("popova", 2, 4, "Освещение у дальней аллеи."),
            ("vasiliev", 3, 2, ""),
            ("sokolova", 2, 5, ""),
            ("fedorov", 1, 4, ""),
            ("egorov", 2, 3, "Урны рядом со скамейками."),
        ]
        for i, (short, choice, value, words) in enumerate(votes):
            answers = {name.pk: options[choice], scale.pk: value}
            if words:
                answers[text.pk] = words
            poll_services.cast_ballot(poll=poll, voter=town.citizens[short], answers=answers)
            if i == 4:
                _age(days(7), *self._poll_rows(poll))
        # Voting closes by the calendar; the beat completes the poll (R29).
        _age(days(7), *self._poll_rows(poll))
        poll_tasks.advance_polls()
        for answer in Answer.objects.filter(question=text):
            is_ad = "рекламу" in answer.text
            poll_services.moderate_text(
                answer=answer,
                actor=head,
                approve=not is_ad,
                note="Реклама (R31)" if is_ad else "",
            )
        _age(days(3), *self._poll_rows(poll))
        poll_services.publish_results(
            poll=poll,
            actor=head,
            decision=(
                "Больше всего голосов набрало название **«Сквер Учителей»**. Служба "
                "благоустройства внесла предложение о наименовании в городскую Думу; решение "
                "будет принято на ближайшем заседании.\n\n"
                "По предложениям жителей в сквере до конца года установят дополнительные "
                "скамейки, урны и освещение у дальней аллеи."
            ),
        )
        _age(days(12), *self._poll_rows(poll))

    # --- Petitions (R22–R26) ------------------------------------------------------------

    @staticmethod
    def _petition_rows(petition):
        return (
            Petition.objects.filter(pk=petition.pk),
            PetitionEvent.objects.filter(petition=petition),
            Signature.objects.filter(petition=petition),
        )

    @staticmethod
    def _sign(petition, users):
        for user in users:
            signature = signing.sign(petition=petition, user=user, show_name=True)
            signing.confirm_signature(token=signing.confirmation_token(signature))

    def _petitions(self, town):
        # The demo town's statute (R24): a small threshold, so that a handful of demo citizens
        # can reach it; every demo account shares one e-mail domain, which is exempt from the
        # per-domain rate limit. No service edits these settings (the admin does): ORM.
        settings_ = PetitionSettings.load()
        settings_.signature_threshold = DEMO_PETITION_THRESHOLD
        settings_.collection_days = DEMO_PETITION_DAYS
        if DEMO_DOMAIN not in settings_.unlimited_domain_set():
            settings_.unlimited_domains = "\n".join(
                filter(None, [settings_.unlimited_domains.strip(), DEMO_DOMAIN])
            )
        settings_.save()
        c = town.citizens

        def publish(author, cabinet, title, text, solution, territory=None):
            petition = petition_services.create_draft(
                author=author,
                cabinet=town.cabinets[cabinet],
                title=title,
                text=text,
                proposed_solution=solution,
                territory=territory,
            )
            petition_services.submit(petition=petition, actor=author)
            moderator = town.cabinets[cabinet].head
            return petition_services.publish(petition=petition, actor=moderator)

        # Collecting signatures, below the threshold.
        collecting = publish(
            c["ivanova"],
            "roads",
            PETITION_COLLECTING,
            (
                "На перекрёстке улицы Садовой и проспекта Мира нет светофора, хотя рядом школа "
                "№ 3 и поликлиника. Утром дети переходят проспект Мира по нерегулируемому "
                "переходу среди машин, за последний год здесь было четыре ДТП."
            ),
            (
                "Установить на перекрёстке светофор с кнопкой вызова для пешеходов и "
                "нанести разметку «зебра» с подсветкой."
            ),
            town.territories[CENTRE],
        )
        _age(days(5), *self._petition_rows(collecting))
        self._sign(collecting, town.c("kuznetsova", "vasiliev", "novikova", "volkova"))
        _age(days(4), *self._petition_rows(collecting))
        self._sign(collecting, town.c("petrov", "semenova", "kozlov", "orlova"))
        _age(days(3), *self._petition_rows(collecting))

        # Reached the threshold, considered and answered (R25).
        head = town.staff["roads.head"]
        answered = publish(
            c["sydorenko"],
            "roads",
            PETITION_ANSWERED,
            (
                "С 1 марта автобусный маршрут № 7 сокращён до центра города и больше не "
                "заходит в Заречный район. Жителям улиц Речной и Луговой теперь приходится "
                "ехать до городской больницы с двумя пересадками, пожилые люди тратят на "
                "дорогу больше часа."
            ),
            (
                "Восстановить маршрут № 7 по прежней схеме: Заречье — ул. Речная — городская "
                "больница — вокзал, с интервалом не более 20 минут в часы пик."
            ),
            town.territories[RIVERSIDE],
        )
        signers = [u for short, u in c.items() if short != "sydorenko"]
        _age(days(8), *self._petition_rows(answered))
        self._sign(answered, signers[:12])
        _age(days(9), *self._petition_rows(answered))
        self._sign(answered, signers[12:DEMO_PETITION_THRESHOLD])  # the threshold is reached
        _age(days(2), *self._petition_rows(answered))
        petition_services.start_consideration(
            petition=answered,
            actor=head,
            note="Петиция передана на рассмотрение транспортной комиссии администрации.",
        )
        _age(days(9), *self._petition_rows(answered))
        petition_services.answer(
            petition=answered,
            actor=head,
            result=Petition.Result.SUPPORTED,
            text=(
                "Петиция поддержана. Транспортная комиссия рассмотрела пассажиропоток и "
                "обращения жителей Заречного района.\n\n"
                "**Принятые меры:**\n\n"
                "1. С 1 декабря маршрут № 7 восстанавливается по прежней схеме: Заречье — "
                "ул. Речная — городская больница — вокзал.\n"
                "2. Интервал в часы пик — 15 минут, в остальное время — 30 минут.\n"
                "3. На остановке «Улица Речная» будет установлен павильон с электронным табло."
            ),
        )
        _age(days(6), *self._petition_rows(answered))

        # On moderation (R23).
        moderation = petition_services.create_draft(
            author=c["petrov"],
            cabinet=town.cabinets["housing"],
            title=PETITION_MODERATION,
            text=(
                "В Северном районе нет ни одного пункта приёма вторсырья: пластик, стекло и "
                "макулатуру приходится везти в центр города или выбрасывать вместе с остальным "
                "мусором."
            ),
            proposed_solution=(
                "Оборудовать на проспекте Мира у торгового центра «Северный» пункт раздельного "
                "сбора отходов с контейнерами для пластика, стекла, бумаги и батареек."
            ),
            territory=town.territories[NORTH],
        )
        petition_services.submit(petition=moderation, actor=c["petrov"])

        # The collection period ended below the threshold (R24, R26).
        expired = publish(
            c["morozov"],
            "adm",
            PETITION_EXPIRED,
            (
                "В Демограде нет крытого катка: хоккейные секции и фигуристы тренируются на "
                "открытой площадке, которая работает только в морозные месяцы."
            ),
            (
                "Включить строительство крытого ледового катка в муниципальную программу "
                "развития спорта и найти площадку в Заречном районе."
            ),
            town.territories[RIVERSIDE],
        )
        _age(days(30), *self._petition_rows(expired))
        self._sign(expired, town.c("lebedev", "pavlova", "nikolaev", "egorov", "mikhailov"))
        _age(days(DEMO_PETITION_DAYS - 29), *self._petition_rows(expired))
        petition_tasks.run_petitions_by_date()  # the beat ends the collection (R24, R26)
        _age(days(5), *self._petition_rows(expired))

    # --- Participatory budgets (R32–R36) --------------------------------------------------

    @staticmethod
    def _budget_rows(cycle):
        return (
            BudgetCycle.objects.filter(pk=cycle.pk),
            BudgetEvent.objects.filter(cycle=cycle),
            Project.objects.filter(cycle=cycle),
            BudgetBallot.objects.filter(cycle=cycle),
            Vote.objects.filter(ballot__cycle=cycle),
            ImplementationUpdate.objects.filter(project__cycle=cycle),
        )

    def _age_budget(self, cycle, done_on, next_on):
        """The step just done happened on ``done_on``; the next one happens on ``next_on``:
        move the cycle's timestamps back by the days between (its phase dates stay)."""
        _age(days((next_on - done_on).days), *self._budget_rows(cycle), dates=False)

    @staticmethod
    def _new_cycle(town, actor, *, year, total, categories, **dates):
        cycle = BudgetCycle(
            title=BUDGET_TITLE.format(year=year),
            year=year,
            cabinet=town.cabinets["adm"],
            description=BUDGET_DESCRIPTION,
            total_fund=Decimal(total),
            currency="RUB",
            votes_per_voter=3,
            **dates,
        )
        cycle.full_clean()
        rows = []
        for position, (name, fund, cap, description) in enumerate(categories):
            category = BudgetCategory(
                name=name,
                fund=Decimal(fund),
                max_project_cost=Decimal(cap),
                description=description,
                position=position,
            )
            category.full_clean(exclude=["cycle"])
            rows.append(category)
        cycle = budget_services.save_cycle(actor=actor, cycle=cycle, categories=rows)
        return budget_services.approve_parameters(cycle=cycle, actor=actor)

    @staticmethod
    def _submit(cycle, author, category, spec, today):
        title, problem, description, beneficiaries, address, lat, lon, lines = spec
        return budget_services.submit_project(
            cycle=cycle,
            author=author,
            cost_lines=[
                CostLine(description=d, quantity=Decimal(q), unit_price=Decimal(p))
                for d, q, p in lines
            ],
            today=today,
            category=category,
            title=title,
            problem=problem,
            description=description,
            beneficiaries=beneficiaries,
            address=address,
            latitude=Decimal(lat),
            longitude=Decimal(lon),
        )

    def _budgets(self, town):
        self._budget_previous(town)
        self._budget_current(town)

    def _budget_current(self, town):
        today = timezone.localdate()
        mayor, registrar = town.staff["mayor"], town.staff["registrar"]
        d = lambda n: today + timedelta(days=n)  # noqa: E731
        cycle = self._new_cycle(
            town,
            mayor,
            year=today.year,
            total="10000000.00",
            categories=CATEGORIES_CURRENT,
            submission_start=d(-60),
            submission_end=d(-31),
            review_start=d(-30),
            review_end=d(-8),
            voting_start=d(-7),
            voting_end=d(14),
        )
        self._age_budget(cycle, d(-62), d(-50))
        small, large = list(cycle.categories.order_by("position"))
        # Submission (R33).
        submitted_on = d(-50)
        budget_services.advance(cycle=cycle, today=submitted_on)
        c = town.citizens
        projects = [
            self._submit(cycle, c[author], small if is_small else large, spec, submitted_on)
            for author, is_small, spec in PROJECTS_CURRENT
        ]
        self._age_budget(cycle, submitted_on, d(-25))
        # Review (R34): six admitted, one rejected with a published reason.
        reviewed_on = d(-25)
        budget_services.advance(cycle=cycle, today=reviewed_on)
        for project in projects:
            if project.title == REJECTED_PROJECT:
                budget_services.review(
                    project=project,
                    actor=registrar,
                    decision="reject",
                    reason=(
                        "Площадь Ленина — объект культурного наследия: устройство фонтана "
                        "требует историко-культурной экспертизы, которую нельзя провести в "
                        "рамках бюджета участия. Предлагаем подать проект в программу "
                        "реставрации исторического центра."
                    ),
                    today=reviewed_on,
                )
            elif project.title == ADJUSTED_PROJECT:
                budget_services.review(
                    project=project,
                    actor=registrar,
                    decision="accept",
                    reason="Смета уточнена: добавлены работы по устройству основания.",
                    approved_cost=project.cost + Decimal("120000.00"),
                    today=reviewed_on,
                )
            else:
                budget_services.review(
                    project=project, actor=registrar, decision="accept", today=reviewed_on
                )
        self._age_budget(cycle, reviewed_on, d(-7))
        # Voting opens by the dates: the numbers are drawn by lot (R34).
        budget_services.advance(cycle=cycle, today=d(-7))
        self._age_budget(cycle, d(-7), today)
        budget_tasks.advance_budget_cycles()  # the beat: nothing more is due today
        on_ballot = {p.title: p for p in cycle.projects.filter(status="accepted")}
        for short, titles in VOTES_CURRENT:
            budget_voting.cast_votes(
                cycle=cycle, user=c[short], projects=[on_ballot[t] for t in titles]
            )

    def _budget_previous(self, town):
        today = timezone.localdate()
        year = today.year - 1
        mayor, registrar = town.staff["mayor"], town.staff["registrar"]
        on = lambda month, day: date(year, month, day)  # noqa: E731
        cycle = self._new_cycle(
            town,
            mayor,
            year=year,
            total="5000000.00",
            categories=CATEGORIES_PREVIOUS,
            submission_start=on(3, 1),
            submission_end=on(3, 31),
            review_start=on(4, 1),
            review_end=on(4, 30),
            voting_start=on(5, 15),
            voting_end=on(6, 5),
        )
        steps = [on(2, 20), on(3, 10), on(4, 10), on(5, 20), on(6, 8), on(8, 20), on(10, 1)]
        self._age_budget(cycle, steps[0], steps[1])
        budget_services.advance(cycle=cycle, today=steps[1])
        small, large = list(cycle.categories.order_by("position"))
        c = town.citizens
        projects = {
            spec[0]: self._submit(cycle, c[author], small if is_small else large, spec, steps[1])
            for author, is_small, spec in PROJECTS_PREVIOUS
        }
        self._age_budget(cycle, steps[1], steps[2])
        budget_services.advance(cycle=cycle, today=steps[2])
        for project in projects.values():
            budget_services.review(
                project=project, actor=registrar, decision="accept", today=steps[2]
            )
        self._age_budget(cycle, steps[2], steps[3])
        budget_services.advance(cycle=cycle, today=steps[3])
        projects = {p.title: p for p in cycle.projects.all()}  # as reviewed
        for short, titles in VOTES_PREVIOUS:
            budget_voting.cast_votes(
                cycle=cycle,
                user=c[short],
                projects=[projects[t] for t in titles],
                today=steps[3],
            )
        self._age_budget(cycle, steps[3], steps[4])
        budget_voting.publish_results(cycle=cycle, actor=mayor, today=steps[4])  # R36
        self._age_budget(cycle, steps[4], steps[5])
        playground = Project.objects.get(cycle=cycle, title=PROJECTS_PREVIOUS[0][2][0])
        lights = Project.objects.get(cycle=cycle, title=PROJECTS_PREVIOUS[2][2][0])
        budget_services.post_update(
            project=playground,
            actor=registrar,
            status=ImplementationStatus.IN_PROGRESS,
            text=(
                "Заключён контракт с подрядчиком, начаты работы: демонтировано старое "
                "оборудование, готовится основание с резиновым покрытием."
            ),
            happened_on=steps[5],
        )
        budget_services.post_update(
            project=lights,
            actor=registrar,
            status=ImplementationStatus.IN_PROGRESS,
            text="Проведены торги, подрядчик приступил к прокладке кабеля вдоль набережной.",
            happened_on=steps[5],
        )
        self._age_budget(cycle, steps[5], steps[6])
        budget_services.post_update(
            project=playground,
            actor=registrar,
            status=ImplementationStatus.COMPLETED,
            text=(
                "Площадка открыта: установлены игровой комплекс, качели, песочница и "
                "скамейки для родителей, уложено резиновое покрытие. Спасибо всем, кто "
                "голосовал за проект!"
            ),
            happened_on=steps[6],
        )
        self._age_budget(cycle, steps[6], today)


# --- The texts --------------------------------------------------------------------------------

RULES_V1 = """# Раздел 1. Общие положения

Настоящие Правила устанавливают требования к содержанию и благоустройству территории Демограда: улиц, дворов, парков, скверов и территорий, прилегающих к зданиям.

Правила обязательны для органов местного самоуправления, организаций всех форм собственности, индивидуальных предпринимателей и граждан.

Прилегающей территорией считается полоса шириной 10 метров по периметру здания, сооружения или земельного участка.

# Раздел 2. Уборка территории

Уборка улиц и дворов от снега проводится в течение 12 часов после окончания снегопада; тротуары и остановки общественного транспорта очищаются в первую очередь.

Вывоз твёрдых коммунальных отходов из контейнерных площадок производится ежедневно в летний период и не реже одного раза в два дня в зимний период.

Запрещается сжигание листвы, травы и мусора на территории города, в том числе на частных участках.

# Раздел 3. Озеленение

Снос зелёных насаждений допускается только по разрешению Службы благоустройства и озеленения с компенсационной посадкой двух деревьев за каждое снесённое.

Покос газонов проводится при высоте травостоя более 15 сантиметров; скошенная трава убирается в течение суток.
"""

RULES_V2 = """# Раздел 1. Общие положения

Настоящие Правила устанавливают требования к содержанию и благоустройству территории Демограда: улиц, дворов, парков, скверов и территорий, прилегающих к зданиям.

Правила обязательны для органов местного самоуправления, организаций всех форм собственности, индивидуальных предпринимателей и граждан.

Прилегающей территорией считается полоса шириной 15 метров по периметру здания, сооружения или земельного участка, но не далее середины проезжей части.

# Раздел 2. Уборка территории

Уборка улиц и дворов от снега проводится в течение 8 часов после окончания снегопада; тротуары, остановки общественного транспорта и подходы к школам и поликлиникам очищаются в первую очередь.

Вывоз твёрдых коммунальных отходов из контейнерных площадок производится ежедневно в летний период и не реже одного раза в два дня в зимний период.

Запрещается сжигание листвы, травы и мусора на территории города, в том числе на частных участках.

# Раздел 3. Озеленение

Снос зелёных насаждений допускается только по разрешению Службы благоустройства и озеленения с компенсационной посадкой трёх деревьев за каждое снесённое.

Посадка деревьев и кустарников во дворах многоквартирных домов согласовывается с собственниками помещений на общем собрании.

Покос газонов проводится при высоте травостоя более 15 сантиметров; скошенная трава убирается в течение суток.
"""

CAFES_V1 = """# 1. Общие положения

Положение определяет порядок размещения летних веранд предприятий общественного питания на тротуарах, площадях и в скверах Демограда.

Летние веранды размещаются с 1 мая по 30 сентября по схеме, согласованной администрацией города.

# 2. Требования к размещению

Ширина свободного прохода для пешеходов вдоль веранды должна быть не менее 1,5 метра.

Владелец веранды обеспечивает ежедневную уборку веранды и прилегающей территории, установку урн и пепельниц.

# 3. Режим работы

Летние веранды работают с 8:00 до 23:00; с 23:00 до 7:00 музыка и иной шум на веранде не допускаются.

Нарушение Положения является основанием для отказа в согласовании схемы размещения на следующий сезон.
"""

CAFES_V2 = """# 1. Общие положения

Положение определяет порядок размещения летних веранд предприятий общественного питания на тротуарах, площадях и в скверах Демограда.

Летние веранды размещаются с 1 мая по 15 октября по схеме, согласованной администрацией города.

# 2. Требования к размещению

Ширина свободного прохода для пешеходов вдоль веранды должна быть не менее 2 метров, а у остановок общественного транспорта — не менее 3 метров.

Владелец веранды обеспечивает ежедневную уборку веранды и прилегающей территории, установку урн и пепельниц, а также бесплатный доступ посетителей веранды к туалету заведения.

# 3. Режим работы

Летние веранды работают с 8:00 до 23:00; с 23:00 до 7:00 музыка и иной шум на веранде не допускаются.

Нарушение Положения является основанием для отказа в согласовании схемы размещения на следующий сезон.
"""

DOGS_TEXT = """# 1. Площадки для выгула

В каждом районе Демограда оборудуется не менее двух огороженных площадок для выгула собак.

# 2. Правила выгула

Владелец собаки обязан убирать за ней на всей территории города, кроме специально обозначенных площадок.

Без поводка собаки могут находиться только на площадках для выгула и в местах, обозначенных табличками.

На детских и спортивных площадках, на территориях школ и детских садов выгул собак запрещён.
"""

BUDGET_DESCRIPTION = """Жители Демограда сами решают, на что потратить часть городского бюджета.

* Подать проект может любой подтверждённый житель города.
* Каждый голосует **не более чем за три проекта** — онлайн или на бумаге в МФЦ.
* Побеждают проекты, набравшие больше всего голосов, пока хватает средств категории.

Вопросы — по телефону +7 (495) 000-10-00 или в разделе обращений.
"""

CATEGORIES_CURRENT = (
    (
        "Малые проекты: дворы и кварталы",
        "4000000.00",
        "600000.00",
        "Скамейки, детские площадки, освещение дворов, велопарковки.",
    ),
    (
        "Крупные городские проекты",
        "6000000.00",
        "2500000.00",
        "Скверы, спортивные площадки, пешеходные маршруты.",
    ),
)
CATEGORIES_PREVIOUS = (
    ("Малые проекты: дворы и кварталы", "1500000.00", "500000.00", "Проекты для двора и квартала."),
    ("Крупные городские проекты", "3000000.00", "2000000.00", "Проекты для всего города."),
)

REJECTED_PROJECT = "Фонтан на площади Ленина"
ADJUSTED_PROJECT = "Спортивная площадка с воркаут-зоной в Заречье"

# (author, small category?, (title, problem, description, beneficiaries, address, lat, lon,
#   [(item, quantity, unit price)]))
PROJECTS_CURRENT = (
    (
        "ivanova",
        True,
        (
            "Детская площадка во дворе дома 12 на улице Садовой",
            "Старая площадка разобрана пять лет назад, детям играть негде, кроме проезда.",
            "Установить игровой комплекс, качели и песочницу, уложить **резиновое покрытие**.",
            "Около 60 детей из домов 10–16 по улице Садовой",
            "Демоград, ул. Садовая, 12, двор",
            "56.001200",
            "37.986500",
            [
                ("Игровой комплекс", "1", "310000.00"),
                ("Качели двойные", "2", "45000.00"),
                ("Резиновое покрытие, м²", "120", "1100.00"),
            ],
        ),
    ),
    (
        "sydorenko",
        True,
        (
            "Скамейки и фонари на набережной улицы Речной",
            "Вдоль набережной нет ни одной скамейки, вечером там темно.",
            "Поставить 10 скамеек с урнами и 8 фонарей на солнечных батареях.",
            "Жители Заречного района, гуляющие по набережной",
            "Демоград, ул. Речная, набережная",
            "55.966000",
            "38.012000",
            [
                ("Скамейка с урной", "10", "18000.00"),
                ("Фонарь на солнечной батарее", "8", "42000.00"),
            ],
        ),
    ),
    (
        "petrov",
        True,
        (
            "Велопарковки у школы № 3 и библиотеки",
            "Дети оставляют велосипеды у забора, их часто крадут.",
            "Установить две крытые велопарковки на 20 мест каждая.",
            "Школьники и читатели библиотеки Северного района",
            "Демоград, пр. Мира, 40",
            "56.034500",
            "37.992000",
            [("Крытая велопарковка на 20 мест", "2", "95000.00")],
        ),
    ),
    (
        "smirnov",
        False,
        (
            "Сквер «Северный» на проспекте Мира",
            "Пустырь между домами 52 и 60 зарастает бурьяном и используется как свалка.",
            "Разбить сквер: дорожки, газоны, 40 деревьев, скамейки и освещение.",
            "Жители Северного района, около 8 000 человек",
            "Демоград, пр. Мира, между домами 52 и 60",
            "56.030500",
            "38.030000",
            [
                ("Проект благоустройства", "1", "180000.00"),
                ("Дорожки из плитки, м²", "600", "1900.00"),
                ("Деревья (саженцы)", "40", "9500.00"),
                ("Скамейки и урны", "12", "21000.00"),
            ],
        ),
    ),
    (
        "popova",
        False,
        (
            ADJUSTED_PROJECT,
            "Подросткам в Заречье негде заниматься спортом на улице.",
            "Построить площадку с турниками, брусьями и покрытием для уличных тренировок.",
            "Подростки и молодёжь Заречного района",
            "Демоград, ул. Луговая, у дома 7",
            "55.971000",
            "37.972000",
            [
                ("Воркаут-комплекс", "1", "640000.00"),
                ("Спортивное покрытие, м²", "300", "1800.00"),
                ("Ограждение, п. м", "80", "2500.00"),
            ],
        ),
    ),
    (
        "vasiliev",
        False,
        (
            "Пешеходная дорожка к городской поликлинике",
            "К поликлинике ведёт только обочина дороги без тротуара.",
            "Проложить освещённую дорожку с пандусами длиной 450 метров.",
            "Пациенты поликлиники, в том числе маломобильные",
            "Демоград, ул. Заводская, от остановки до поликлиники",
            "55.994000",
            "38.041000",
            [
                ("Дорожка из асфальтобетона, п. м", "450", "2600.00"),
                ("Опоры освещения", "15", "38000.00"),
            ],
        ),
    ),
    (
        "kuznetsova",
        False,
        (
            REJECTED_PROJECT,
            "На центральной площади летом нечем освежиться.",
            "Построить светомузыкальный фонтан в центре площади.",
            "Все жители и гости города",
            "Демоград, пл. Ленина",
            "56.002000",
            "38.001000",
            [("Фонтан под ключ", "1", "2400000.00")],
        ),
    ),
)
VOTES_CURRENT = (
    (
        "ivanova",
        (
            "Детская площадка во дворе дома 12 на улице Садовой",
            "Пешеходная дорожка к городской поликлинике",
        ),
    ),
    ("petrov", ("Велопарковки у школы № 3 и библиотеки", "Сквер «Северный» на проспекте Мира")),
    ("sydorenko", ("Скамейки и фонари на набережной улицы Речной", ADJUSTED_PROJECT)),
    (
        "smirnov",
        (
            "Сквер «Северный» на проспекте Мира",
            "Велопарковки у школы № 3 и библиотеки",
            "Пешеходная дорожка к городской поликлинике",
        ),
    ),
    ("popova", (ADJUSTED_PROJECT, "Скамейки и фонари на набережной улицы Речной")),
    ("sokolova", ("Сквер «Северный» на проспекте Мира",)),
    (
        "novikova",
        (
            "Детская площадка во дворе дома 12 на улице Садовой",
            "Пешеходная дорожка к городской поликлинике",
            "Сквер «Северный» на проспекте Мира",
        ),
    ),
    (
        "fedorov",
        ("Сквер «Северный» на проспекте Мира", "Скамейки и фонари на набережной улицы Речной"),
    ),
)

PROJECTS_PREVIOUS = (
    (
        "popova",
        True,
        (
            "Детская площадка на улице Речной",
            "Во дворах улицы Речной нет ни одной детской площадки.",
            "Установить игровой комплекс, качели и песочницу.",
            "Семьи с детьми улицы Речной",
            "Демоград, ул. Речная, 5, двор",
            "55.968000",
            "38.020000",
            [("Игровой комплекс", "1", "290000.00"), ("Качели и песочница", "1", "150000.00")],
        ),
    ),
    (
        "novikova",
        True,
        (
            "Скамейки в сквере у школы № 1",
            "Родителям, ожидающим детей, негде присесть.",
            "Поставить 8 скамеек и 8 урн.",
            "Родители учеников школы № 1",
            "Демоград, ул. Школьная, 3",
            "56.005000",
            "37.960000",
            [("Скамейка с урной", "8", "19500.00")],
        ),
    ),
    (
        "ivanova",
        False,
        (
            "Освещение набережной",
            "Набережная не освещена, гулять вечером опасно.",
            "Установить 40 светодиодных фонарей вдоль набережной.",
            "Все жители, гуляющие по набережной",
            "Демоград, набережная реки",
            "55.979000",
            "38.030000",
            [("Светодиодный фонарь с опорой", "40", "45000.00")],
        ),
    ),
    (
        "petrov",
        False,
        (
            "Скейт-парк в Северном районе",
            "Скейтбордистам и роллерам негде кататься.",
            "Построить бетонный скейт-парк с рампами.",
            "Молодёжь Северного района",
            "Демоград, пр. Мира, 70",
            "56.040000",
            "38.050000",
            [("Скейт-парк под ключ", "1", "1950000.00")],
        ),
    ),
)
VOTES_PREVIOUS = (
    ("ivanova", ("Детская площадка на улице Речной", "Освещение набережной")),
    ("sydorenko", ("Детская площадка на улице Речной", "Освещение набережной")),
    ("popova", ("Детская площадка на улице Речной", "Скамейки в сквере у школы № 1")),
    ("petrov", ("Скейт-парк в Северном районе",)),
    ("smirnov", ("Скейт-парк в Северном районе", "Освещение набережной")),
    ("mikhailov", ("Освещение набережной", "Детская площадка на улице Речной")),
    ("novikova", ("Скамейки в сквере у школы № 1", "Освещение набережной")),
    ("lebedev", ("Освещение набережной",)),
)
