"""The edges of the law (issue 10, "Defects to fix"): the official complained about (R6), every
ground of Art. 11 with its precondition, decider and notice (R11), numbering across the year
(R4), the legal and control date of every term and the profile's time zone (Conventions)."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation

from appeals import services, workflow
from appeals.models import Answer, Appeal, CabinetAppealSettings, Reminder
from appeals.reminders import send_due_reminders
from appeals.workflow import Status
from cabinets.roles import Role
from edem.core.workflow import TransitionNotAllowed
from tests.factories import AppealFactory, CabinetFactory, CitizenFactory, classifier_code, member

pytestmark = pytest.mark.django_db

MSK_MONDAY = "2026-03-02 09:00:00+00:00"  # Monday 2 March 2026, 12:00 in Moscow


@pytest.fixture
def cabinet():
    return CabinetFactory(code="adm")


@pytest.fixture
def head(cabinet):
    return member(cabinet, Role.HEAD)


@pytest.fixture
def registrar(cabinet):
    return member(cabinet, Role.REGISTRAR)


def registered(cabinet, registrar, **fields):
    with time_machine.travel(MSK_MONDAY, tick=False):
        return services.register(appeal=AppealFactory(cabinet=cabinet, **fields), actor=registrar)


# --- R6: the official complained about ---------------------------------------------------


def test_R6_the_official_complained_about_takes_no_decision_on_the_complaint(cabinet, registrar):
    accused = member(cabinet, Role.HEAD)  # the head of the cabinet himself
    deputy = member(cabinet, Role.HEAD)
    executor = member(cabinet, Role.EXECUTOR)
    elsewhere = CabinetFactory()
    appeal = registered(cabinet, registrar, kind="complaint", respondent_official=accused)
    names = {a.name for a in workflow.available_actions(appeal, accused)}
    assert not names & {"assign", "sign_answer", "close_no_merits", "forward", "return", "extend"}
    with translation.override("en"):
        assert "about you" in workflow.refusal(appeal, accused, "close_no_merits")
    attempts = [
        lambda: services.assign(appeal=appeal, actor=accused, executor=executor),
        lambda: services.extend(
            appeal=appeal, actor=accused, days=5, reason="exceptional", note="x"
        ),
        lambda: services.forward(
            appeal=appeal, actor=accused, to_cabinet=elsewhere, reason="Не наш вопрос"
        ),
        lambda: services.return_with_explanation(appeal=appeal, actor=accused, note="Возврат"),
    ] + [
        lambda ground=ground: services.close_no_merits(
            appeal=appeal, actor=accused, ground=ground, note="Основание"
        )
        for ground in Appeal.NoMeritsGround
    ]
    for attempt in attempts:
        with pytest.raises(TransitionNotAllowed):
            attempt()
    assert list(appeal.events.values_list("action", flat=True)) == ["register"]
    # Someone else in the body decides: assignment, and the answer is signed by the deputy.
    appeal = services.assign(appeal=appeal, actor=deputy, executor=executor)
    services.draft_answer(
        appeal=appeal,
        actor=executor,
        text="Ответ по существу.",
        result="explained",
        classifier=classifier_code(),
    )
    appeal.refresh_from_db()
    with translation.override("en"):
        assert "about you" in workflow.refusal(appeal, accused, "sign_answer")
    assert workflow.refusal(appeal, deputy, "sign_answer") is None


def test_R6_a_complaint_is_not_forwarded_to_the_body_the_accused_official_heads(cabinet, registrar):
    accused = member(CabinetFactory(code="dep"), Role.HEAD)
    his_body = accused.memberships.get().cabinet
    appeal = registered(cabinet, registrar, kind="complaint", respondent_official=accused)
    with (
        translation.override("en"),
        pytest.raises(TransitionNotAllowed, match="headed by the official"),
    ):
        services.forward(appeal=appeal, actor=registrar, to_cabinet=his_body, reason="ЖКХ")
    other = CabinetFactory()
    appeal = services.forward(appeal=appeal, actor=registrar, to_cabinet=other, reason="ЖКХ")
    assert appeal.cabinet == other


def test_R6_the_body_complained_about_may_only_pass_the_complaint_on_or_return_it(
    cabinet, head, registrar, django_capture_on_commit_callbacks
):
    executor = member(cabinet, Role.EXECUTOR)
    appeal = registered(
        cabinet,
        registrar,
        kind="complaint",
        respondent_cabinet=cabinet,
        author=CitizenFactory(language="en"),
    )
    for attempt in (
        lambda: services.assign(appeal=appeal, actor=head, executor=executor),
        lambda: services.close_no_merits(
            appeal=appeal, actor=head, ground="unclear", note="Неясно"
        ),
        lambda: services.extend(appeal=appeal, actor=head, days=5, reason="exceptional", note="x"),
    ):
        with pytest.raises(TransitionNotAllowed):
            attempt()
    # No other body: returned with the explanation of the right to go to court.
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.return_with_explanation(
            appeal=appeal, actor=head, note="Жалоба на действия самой администрации."
        )
    assert appeal.status == Status.RETURNED
    assert "court" in mail.outbox[-1].body


# --- R11: each ground with its precondition, decider and notice ----------------------------


def test_R11_part_1_only_when_the_surname_or_every_reply_address_is_missing(
    cabinet, head, registrar, django_capture_on_commit_callbacks
):
    complete = registered(cabinet, registrar)
    with (
        translation.override("en"),
        pytest.raises(TransitionNotAllowed, match="part 1 does not apply"),
    ):
        services.close_no_merits(
            appeal=complete, actor=head, ground="no_name_or_address", note="Нет адреса"
        )
    nameless = registered(cabinet, registrar, author=None, last_name="", email="petrov@x.org")
    with django_capture_on_commit_callbacks(execute=True):
        nameless = services.close_no_merits(
            appeal=nameless, actor=head, ground="no_name_or_address", note="Нет фамилии"
        )
    assert nameless.status == Status.CLOSED_NO_MERITS
    assert mail.outbox == []  # part 1: no notice


def test_R11_an_anonymous_paper_letter_reporting_an_offence_is_registered_and_sent_to_law_enforcement(
    cabinet, head, registrar, django_capture_on_commit_callbacks
):
    fields = {"kind": "statement", "subject": "Поджог", "text": "Сосед поджёг сарай."}
    with pytest.raises(TransitionNotAllowed):  # an anonymous letter that reports nothing
        services.enter_paper_appeal(
            actor=registrar, cabinet=cabinet, channel="post", received_at=timezone.now(), **fields
        )
    appeal = services.enter_paper_appeal(
        actor=registrar,
        cabinet=cabinet,
        channel="post",
        received_at=timezone.now(),
        reports_offence=True,
        **fields,
    )
    appeal = services.register(appeal=appeal, actor=registrar)
    assert appeal.number and appeal.last_name == ""
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="law enforcement"):
        services.close_no_merits(
            appeal=appeal, actor=head, ground="no_name_or_address", note="Аноним"
        )
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.close_no_merits(
            appeal=appeal,
            actor=head,
            ground="no_name_or_address",
            note="Анонимное сообщение о преступлении",
            law_enforcement="ОМВД России по г. Демограду",
        )
    event = appeal.events.get(action="close_no_merits")
    assert event.data["law_enforcement"] == "ОМВД России по г. Демограду"
    assert mail.outbox == []


def test_R11_an_anonymous_offence_report_can_be_forwarded_to_law_enforcement_inside_the_portal(
    cabinet, registrar
):
    police = CabinetFactory(code="police", name="ОМВД")
    appeal = services.enter_paper_appeal(
        actor=registrar,
        cabinet=cabinet,
        channel="paper",
        received_at=timezone.now(),
        reports_offence=True,
        kind="statement",
        subject="Кража",
        text="Украли велосипед.",
    )
    appeal = services.register(appeal=appeal, actor=registrar)
    appeal = services.forward(
        appeal=appeal, actor=registrar, to_cabinet=police, reason="Сообщение о преступлении"
    )
    assert appeal.cabinet == police and appeal.reports_offence


def test_R11_part_3_abuse_is_decided_by_the_head_and_the_notice_says_abuse_is_inadmissible(
    cabinet, head, registrar, django_capture_on_commit_callbacks
):
    deputy_signer = member(cabinet, Role.EXECUTOR)
    appeal = registered(cabinet, registrar, author=CitizenFactory(language="en"))
    appeal = services.assign(appeal=appeal, actor=head, executor=deputy_signer)
    with pytest.raises(TransitionNotAllowed):
        services.close_no_merits(appeal=appeal, actor=registrar, ground="abusive", note="Мат")
    with django_capture_on_commit_callbacks(execute=True):
        services.close_no_merits(appeal=appeal, actor=head, ground="abusive", note="Угрозы")
    assert "Abuse of the right to appeal is inadmissible" in mail.outbox[-1].body  # en


def _answered_earlier(cabinet, author, number="A-1"):
    earlier = AppealFactory(cabinet=cabinet, author=author, status=Status.ANSWERED, number=number)
    Answer.objects.create(appeal=earlier, text="Ответ", drafted_by=author, signed_at=timezone.now())
    return earlier


def test_R11_part_5_needs_the_head_and_an_earlier_answer_on_the_merits_to_the_same_citizen(
    cabinet, head, registrar, django_capture_on_commit_callbacks
):
    citizen = CitizenFactory(language="en")
    appeal = registered(cabinet, registrar, author=citizen)
    with pytest.raises(TransitionNotAllowed):  # no earlier answer at all
        services.close_no_merits(appeal=appeal, actor=head, ground="repeated", note="Повтор")
    stranger = _answered_earlier(cabinet, CitizenFactory(), number="A-0")
    unanswered = AppealFactory(cabinet=cabinet, author=citizen, status=Status.IN_WORK)
    elsewhere = _answered_earlier(CabinetFactory(), citizen)
    for wrong in (stranger, unanswered, elsewhere):
        with pytest.raises(TransitionNotAllowed):
            services.close_no_merits(
                appeal=appeal, actor=head, ground="repeated", note="Повтор", earlier=[wrong]
            )
    earlier = _answered_earlier(cabinet, citizen)
    with pytest.raises(TransitionNotAllowed):  # the registrar is not the head
        services.close_no_merits(
            appeal=appeal, actor=registrar, ground="repeated", note="Повтор", earlier=[earlier]
        )
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.close_no_merits(
            appeal=appeal, actor=head, ground="repeated", note="Повтор", earlier=[earlier]
        )
    assert appeal.events.get(action="close_no_merits").data["earlier"] == [earlier.pk]
    assert "A-1" in mail.outbox[-1].body and "correspondence" in mail.outbox[-1].body


def test_R11_part_5_1_sends_the_address_of_the_published_answer(
    cabinet, head, registrar, django_capture_on_commit_callbacks
):
    appeal = registered(cabinet, registrar)
    with pytest.raises(TransitionNotAllowed):
        services.close_no_merits(appeal=appeal, actor=head, ground="published", note="Опубликован")
    url = "https://demograd.example/answers/42/"
    with django_capture_on_commit_callbacks(execute=True):
        services.close_no_merits(
            appeal=appeal, actor=head, ground="published", note="Опубликован", published_url=url
        )
    assert url in mail.outbox[-1].body


def test_R11_notice_due_is_stored_reminded_and_shown_overdue(
    cabinet, head, registrar, django_capture_on_commit_callbacks
):
    appeal = registered(cabinet, registrar)  # registered Monday 2 March 2026
    assert appeal.notice_due == date(2026, 3, 9)
    # 8 March falls on a Sunday and its day off moves to Monday 9 March: control Friday 6 March.
    assert appeal.notice_control_due == date(2026, 3, 6)
    with django_capture_on_commit_callbacks(execute=True):
        # the working day before: the head of the notice, the registrar of forwarding (R5)
        assert send_due_reminders(today=date(2026, 3, 5)) == 2
        assert send_due_reminders(today=date(2026, 3, 6)) == 0
    reminder = Reminder.objects.get(kind="notice_t1")
    assert reminder.appeal == appeal
    assert Reminder.objects.get(kind="forwarding_t1").appeal == appeal
    assert sorted(m.to[0] for m in mail.outbox) == sorted([head.email, registrar.email])
    with time_machine.travel("2026-03-10 09:00:00+00:00", tick=False):
        assert appeal.notice_overdue
        appeal = services.close_no_merits(
            appeal=appeal, actor=head, ground="unreadable", note="Текст не читается"
        )
    assert appeal.events.get(action="close_no_merits").data["notice_late"] is True


# --- R4: numbering across the year ----------------------------------------------------------

ALLOWED_SHAPES = [
    ("{code}-{year}-{seq:06d}", "year"),
    ("{code}/{seq}/{year}", "year"),
    ("{year}{seq:05d}", "year"),
    ("{seq}", "never"),
    ("{code}-{seq}", "never"),
    ("{code}-{seq:06d}", "never"),
    ("{code}-{year!s:.2}-{seq}", "never"),  # a shortened year does not tell years apart
]


@pytest.mark.parametrize(("number_format", "scheme"), ALLOWED_SHAPES)
def test_R4_every_allowed_number_format_numbers_uniquely_across_31_december(
    cabinet, registrar, number_format, scheme
):
    assert services.number_scheme(number_format) == scheme
    CabinetAppealSettings.objects.create(cabinet=cabinet, number_format=number_format)
    numbers = []
    for moment in (
        "2026-12-31 08:00:00+00:00",
        "2026-12-31 20:30:00+00:00",  # 23:30 in Moscow
        "2026-12-31 21:30:00+00:00",  # 00:30 on 1 January in Moscow
        "2027-01-11 08:00:00+00:00",
    ):
        with time_machine.travel(moment, tick=False):
            numbers.append(
                services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar).number
            )
    assert len(set(numbers)) == 4
    first_of_2027 = numbers[2]
    if scheme == "year":
        assert first_of_2027 == number_format.format(code="ADM", year=2027, seq=1)
    else:
        assert first_of_2027 == number_format.format(code="ADM", year=2027, seq=3)


@pytest.mark.parametrize(
    "number_format", ["{code}-{year}", "{code}-{seq!s:.2}", "{code}-{seq:x}", "{nr}", "{code"]
)
def test_R4_a_number_format_that_could_repeat_a_number_is_refused(
    cabinet, registrar, number_format
):
    with pytest.raises(ValueError):
        services.number_scheme(number_format)
    CabinetAppealSettings.objects.create(cabinet=cabinet, number_format=number_format)
    with time_machine.travel(MSK_MONDAY, tick=False):
        first = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
        second = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
    assert (first.number, second.number) == ("ADM-2026-000001", "ADM-2026-000002")


def test_R4_a_changed_format_never_gives_a_number_the_cabinet_already_has(cabinet, registrar):
    settings_ = CabinetAppealSettings.objects.create(cabinet=cabinet, number_format="{code}-{seq}")
    with time_machine.travel(MSK_MONDAY, tick=False):
        services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
        AppealFactory(cabinet=cabinet, number="ADM-2026-2", status=Status.REGISTERED)
        settings_.number_format = "{code}-{year}-{seq}"
        settings_.save()
        numbers = [
            services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar).number
            for _ in range(2)
        ]
    assert numbers == ["ADM-2026-1", "ADM-2026-3"]


# --- Clocks: every term has its legal and control date -----------------------------------


def test_R4_R5_R11_every_term_stores_its_legal_and_control_date(cabinet, registrar):
    # Received Thursday 7 May 2026: registration due Sunday 10 May, control Friday 8 May.
    with time_machine.travel("2026-05-07 09:00:00+00:00", tick=False):
        appeal = AppealFactory(cabinet=cabinet)
        services.set_receipt_deadlines(appeal)
        appeal.save()
        assert (appeal.registration_due, appeal.registration_control_due) == (
            date(2026, 5, 10),
            date(2026, 5, 8),
        )
        appeal = services.register(appeal=appeal, actor=registrar)
    assert (appeal.forwarding_due, appeal.forwarding_control_due) == (
        date(2026, 5, 14),
        date(2026, 5, 14),
    )
    assert (appeal.notice_due, appeal.notice_control_due) == (date(2026, 5, 14), date(2026, 5, 14))
    assert (appeal.legal_due, appeal.control_due) == (date(2026, 6, 6), date(2026, 6, 5))


def test_R4_the_registration_reminder_never_falls_on_a_non_working_day(
    cabinet, registrar, django_capture_on_commit_callbacks
):
    # Received Monday 29 December 2025: registration due Thursday 1 January 2026; 31 December
    # is a day off in 2025, so the control date is Tuesday 30 December, and the reminder comes
    # on the working day before it, not on 31 December (the day before the legal date).
    with time_machine.travel("2025-12-29 09:00:00+00:00", tick=False):
        appeal = AppealFactory(cabinet=cabinet)
        services.set_receipt_deadlines(appeal)
        appeal.save()
    assert appeal.registration_due == date(2026, 1, 1)
    assert appeal.registration_control_due == date(2025, 12, 30)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(today=date(2025, 12, 31)) == 0
        assert send_due_reminders(today=date(2026, 1, 1)) == 0
        assert send_due_reminders(today=date(2025, 12, 29)) == 1
        assert send_due_reminders(today=date(2025, 12, 30)) == 0
    assert mail.outbox[0].to == [registrar.email]
    # Received Thursday 12 March 2026: due Sunday 15 March, control Friday 13 March; no
    # reminder on Saturday 14 March.
    with time_machine.travel("2026-03-12 09:00:00+00:00", tick=False):
        later = AppealFactory(cabinet=cabinet)
        services.set_receipt_deadlines(later)
        later.save()
    assert later.registration_control_due == date(2026, 3, 13)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(today=date(2026, 3, 14)) == 0
        assert send_due_reminders(today=date(2026, 3, 13)) == 1


# --- Time zone: the profile's --------------------------------------------------------------


def test_conventions_profile_carries_the_time_zone_used_when_time_zone_is_not_set():
    from tests.edem.test_settings import run

    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.TIME_ZONE)"
    )
    assert run(code, EDEM_JURISDICTION="ua", TIME_ZONE="").stdout.strip() == "Europe/Kyiv"
    assert run(code, EDEM_JURISDICTION="ru", TIME_ZONE="").stdout.strip() == "Europe/Moscow"
    assert run(code, EDEM_JURISDICTION="ua", TIME_ZONE="Europe/Moscow").stdout.strip() == (
        "Europe/Moscow"
    )


def test_R21_a_receipt_at_23_30_kyiv_on_the_last_day_of_a_month_belongs_to_that_day():
    from tests.edem.test_settings import run

    code = (
        "import django; django.setup(); from datetime import datetime, UTC; "
        "from appeals.models import Appeal; from appeals.services import set_receipt_deadlines; "
        "a = Appeal(received_at=datetime(2027, 1, 31, 21, 30, tzinfo=UTC)); "
        "set_receipt_deadlines(a); print(a.legal_due, a.registration_due)"
    )
    result = run(code, EDEM_JURISDICTION="ua", TIME_ZONE="")  # TIME_ZONE not set
    assert result.returncode == 0, result.stderr
    # 23:30 in Kyiv on 31 January (00:30 on 1 February in Moscow): one month = 28 February.
    assert result.stdout.split() == ["2027-02-28", "2027-02-03"]


# --- R12: delivery over the chosen channel -------------------------------------------------


def _signed(cabinet, head, registrar, **fields):
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from tests.factories import TOTP_SECRET

    executor = member(cabinet, Role.EXECUTOR)
    appeal = registered(cabinet, registrar, **fields)
    appeal = services.assign(appeal=appeal, actor=head, executor=executor)
    services.draft_answer(
        appeal=appeal, actor=executor, text=ANSWER, result="explained", classifier=classifier_code()
    )
    code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
    return services.sign_answer(appeal=appeal, actor=head, otp_code=code)


ANSWER = "Уважаемый Пётр Петрович!\n\nЯма во дворе дома № 1 заделана 10 марта."


def test_R12_an_answer_by_email_carries_its_full_text_and_the_signed_letter_as_pdf(
    cabinet, head, registrar, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = _signed(cabinet, head, registrar, answer_channel="email")
    # The officials' new-work mails went out too; the citizen's is the one with the letter.
    [message] = [m for m in mail.outbox if m.attachments]
    assert "Яма во дворе дома № 1 заделана 10 марта." in message.body
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf" and filename.endswith("-answer.pdf")
    with answer.letter.open("rb") as letter:
        assert content == letter.read() and content.startswith(b"%PDF")
    # The delivery is part of the case: which message, to whom, when.
    answer.refresh_from_db()
    assert answer.delivery_channel == "email" and answer.mail_batch is None
    assert answer.delivery.email == message.to[0] and answer.delivery.status == "sent"
    assert answer.delivery.sent_at is not None
    event = answer.appeal.events.get(action="sign_answer")
    assert event.data["delivery"] == "email"


def test_R12_an_answer_by_post_goes_into_a_mail_batch_whose_register_the_registrar_prints(
    cabinet, head, registrar
):
    import io

    from pypdf import PdfReader

    answer = _signed(cabinet, head, registrar, answer_channel="post", email="", author=None)
    assert answer.delivery_channel == "post" and answer.mail_batch.dispatched_at is None
    with pytest.raises(TransitionNotAllowed):  # only the cabinet's registrar or head
        services.form_mail_batch(cabinet=cabinet, actor=member(cabinet, Role.EXECUTOR))
    batch = services.form_mail_batch(cabinet=cabinet, actor=registrar)
    batch = services.mark_mail_batch_sent(batch=batch, actor=registrar)
    with batch.register.open("rb") as register:
        text = " ".join(
            "\n".join(
                p.extract_text() for p in PdfReader(io.BytesIO(register.read())).pages
            ).split()
        )
    appeal = answer.appeal
    assert appeal.number in text and "Садовая" in text and appeal.last_name in text
    assert appeal.events.filter(action="posted", data__batch=batch.pk).exists()
    with pytest.raises(TransitionNotAllowed):  # nothing left to post
        services.form_mail_batch(cabinet=cabinet, actor=registrar)
