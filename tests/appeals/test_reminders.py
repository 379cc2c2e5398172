import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection

from appeals.models import Reminder
from appeals.reminders import send_due_reminders
from appeals.workflow import Status
from cabinets.roles import Role
from edem.notifications.models import Notification
from tests.conftest import needs_services
from tests.factories import AppealFactory, CabinetFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    cabinet = CabinetFactory()
    return (
        cabinet,
        member(cabinet, Role.HEAD),
        member(cabinet, Role.REGISTRAR),
        member(cabinet, Role.EXECUTOR),
    )


def deliver(django_capture_on_commit_callbacks, today):
    with django_capture_on_commit_callbacks(execute=True):
        return send_due_reminders(today=today)


def test_R8_executor_reminded_5_days_and_1_day_before_control_due_once_each(
    staff, django_capture_on_commit_callbacks
):
    cabinet, _head, _registrar, executor = staff
    appeal = AppealFactory(
        cabinet=cabinet, status=Status.IN_WORK, executor=executor, number="X-1",
        legal_due=date(2026, 4, 1), control_due=date(2026, 4, 1),
    )  # fmt: skip
    assert deliver(django_capture_on_commit_callbacks, date(2026, 3, 27)) == 1
    assert deliver(django_capture_on_commit_callbacks, date(2026, 3, 27)) == 0  # the beat ran twice
    assert deliver(django_capture_on_commit_callbacks, date(2026, 3, 31)) == 1
    assert [m.to for m in mail.outbox] == [[executor.email], [executor.email]]
    assert "X-1" in mail.outbox[0].subject
    assert set(appeal.reminders.values_list("kind", flat=True)) == {"answer_t5", "answer_t1"}


def test_R8_reminders_use_control_due_which_is_before_a_holiday(
    staff, django_capture_on_commit_callbacks
):
    cabinet, _head, _registrar, executor = staff
    # legal due on Friday 1 May 2026 (a holiday): control due Thursday 30 April.
    AppealFactory(
        cabinet=cabinet, status=Status.IN_WORK, executor=executor,
        legal_due=date(2026, 5, 1), control_due=date(2026, 4, 30),
    )  # fmt: skip
    assert deliver(django_capture_on_commit_callbacks, date(2026, 4, 29)) == 1
    assert Reminder.objects.get().kind == "answer_t1"


def test_R4_registrar_reminded_the_day_before_registration_is_due(
    staff, django_capture_on_commit_callbacks
):
    cabinet, _head, registrar, _executor = staff
    AppealFactory(
        cabinet=cabinet,
        status=Status.RECEIVED,
        registration_due=date(2026, 3, 5),
        registration_control_due=date(2026, 3, 5),
    )
    assert deliver(django_capture_on_commit_callbacks, date(2026, 3, 4)) == 1
    assert mail.outbox[0].to == [registrar.email]


def test_R8_overdue_escalated_to_the_head_the_day_after_once(
    staff, django_capture_on_commit_callbacks
):
    cabinet, head, _registrar, executor = staff
    appeal = AppealFactory(
        cabinet=cabinet, status=Status.IN_WORK, executor=executor,
        legal_due=date(2026, 4, 1), control_due=date(2026, 4, 1),
    )  # fmt: skip
    assert (
        deliver(django_capture_on_commit_callbacks, date(2026, 4, 1)) == 0
    )  # due today: not overdue
    assert not appeal.is_overdue(today=date(2026, 4, 1))
    assert deliver(django_capture_on_commit_callbacks, date(2026, 4, 2)) == 1
    assert deliver(django_capture_on_commit_callbacks, date(2026, 4, 3)) == 0
    assert mail.outbox[-1].to == [head.email]
    assert appeal.is_overdue(today=date(2026, 4, 2))


def test_an_extension_starts_a_new_reminder_stage(staff, django_capture_on_commit_callbacks):
    cabinet, head, registrar, executor = staff
    appeal = AppealFactory(
        cabinet=cabinet, status=Status.IN_WORK, executor=executor,
        legal_due=date(2026, 4, 1), control_due=date(2026, 4, 1),
    )  # fmt: skip
    deliver(django_capture_on_commit_callbacks, date(2026, 3, 31))
    appeal.legal_due = appeal.control_due = date(2026, 4, 20)
    appeal.save()
    # (Monday 20 April: the 1-day reminder's Sunday is a day off, it goes on Friday 17 April.)
    assert deliver(django_capture_on_commit_callbacks, date(2026, 4, 17)) == 1


def test_closed_appeals_get_no_reminders(staff, django_capture_on_commit_callbacks):
    cabinet, _head, _registrar, executor = staff
    AppealFactory(
        cabinet=cabinet, status=Status.ANSWERED, executor=executor,
        legal_due=date(2026, 4, 1), control_due=date(2026, 4, 1),
    )  # fmt: skip
    assert deliver(django_capture_on_commit_callbacks, date(2026, 3, 31)) == 0
    assert deliver(django_capture_on_commit_callbacks, date(2026, 4, 5)) == 0


def test_beat_task_is_scheduled_and_runs(staff):
    from appeals.tasks import send_deadline_reminders
    from edem.celery import BEAT_SCHEDULE

    assert any(
        task == "appeals.tasks.send_deadline_reminders" for task, _ in BEAT_SCHEDULE.values()
    )
    assert send_deadline_reminders.delay().get() == 0


def test_R8_many_overdue_appeals_reach_the_head_as_one_digest(
    staff, django_capture_on_commit_callbacks
):
    cabinet, head, _registrar, executor = staff
    for n in range(3):
        AppealFactory(
            cabinet=cabinet, status=Status.IN_WORK, executor=executor, number=f"D-{n}",
            legal_due=date(2026, 4, 1), control_due=date(2026, 4, 1),
        )  # fmt: skip
    assert deliver(django_capture_on_commit_callbacks, date(2026, 4, 2)) == 3
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [head.email]
    assert all(f"D-{n}" in message.body for n in range(3))
    assert "overdue=on" in message.body
    assert Reminder.objects.filter(kind="overdue").count() == 3
    # A fourth appeal that becomes overdue later gets its own message; the three are not repeated.
    AppealFactory(
        cabinet=cabinet, status=Status.IN_WORK, executor=executor, number="D-9",
        legal_due=date(2026, 4, 2), control_due=date(2026, 4, 2),
    )  # fmt: skip
    assert deliver(django_capture_on_commit_callbacks, date(2026, 4, 3)) == 1
    assert len(mail.outbox) == 2 and "D-9" in mail.outbox[1].subject


@needs_services
@pytest.mark.django_db(transaction=True)
def test_R8_two_sweeps_at_once_remind_each_appeal_once():
    cabinet = CabinetFactory(code="swp")
    member(cabinet, Role.HEAD)
    executor = member(cabinet, Role.EXECUTOR)
    for _ in range(30):
        AppealFactory(
            cabinet=cabinet, status=Status.IN_WORK, executor=executor,
            legal_due=date(2026, 4, 1), control_due=date(2026, 4, 1),
        )  # fmt: skip
    results, barrier = [], threading.Barrier(2)

    def sweep():
        try:
            barrier.wait()
            results.append(send_due_reminders(today=date(2026, 4, 2)))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 30
    assert Reminder.objects.filter(kind="overdue").count() == 30
    listed = [
        item["number"]
        for n in Notification.objects.filter(template="appeals/reminder")
        for item in n.context["items"]
    ]
    assert len(listed) == len(set(listed)) == 30


def test_R8_reminder_days_follow_the_deadline_policy(staff, django_capture_on_commit_callbacks):
    from appeals.models import DeadlinePolicy

    DeadlinePolicy(first_reminder_days=7, last_reminder_days=2, due_soon_days=5).save()
    cabinet, _head, _registrar, executor = staff
    AppealFactory(
        cabinet=cabinet, status=Status.IN_WORK, executor=executor, number="P-1",
        legal_due=date(2026, 4, 10), control_due=date(2026, 4, 10),
    )  # fmt: skip
    assert deliver(django_capture_on_commit_callbacks, date(2026, 4, 5)) == 0  # 5 days: no
    assert deliver(django_capture_on_commit_callbacks, date(2026, 4, 3)) == 1  # 7 days
    assert deliver(django_capture_on_commit_callbacks, date(2026, 4, 8)) == 1  # 2 days
    assert "7" in mail.outbox[0].body and "10 апреля 2026 г." in mail.outbox[0].body


def test_deadline_policy_refuses_reminders_out_of_order():
    from django.core.exceptions import ValidationError

    from appeals.models import DeadlinePolicy

    with pytest.raises(ValidationError):
        DeadlinePolicy(first_reminder_days=2, last_reminder_days=2, due_soon_days=3).full_clean()


# --- Reminders on days off (RULES, Conventions): control dates, working days only -----------


def sweep_days(django_capture_on_commit_callbacks, first, last):
    """Run the daily sweep from ``first`` to ``last``; the days on which something went."""
    sent, day = {}, first
    while day <= last:
        count = deliver(django_capture_on_commit_callbacks, day)
        if count:
            sent[day] = count
        day += timedelta(days=1)
    return sent


def test_R8_answer_reminders_due_in_the_new_year_holidays_go_on_the_working_day_before(
    staff, django_capture_on_commit_callbacks
):
    cabinet, _head, _registrar, executor = staff
    # Control date Tuesday 13 January 2026: the 5-day reminder falls on Thursday 8 January, a
    # day off of the new-year holidays (31 December to 11 January); it goes on Tuesday
    # 30 December, the last working day before it, and says how far the date really is.
    late = AppealFactory(
        cabinet=cabinet, status=Status.IN_WORK, executor=executor, number="NY-13",
        legal_due=date(2026, 1, 13), control_due=date(2026, 1, 13),
    )  # fmt: skip
    # Control date Monday 12 January: the 1-day reminder falls on Sunday 11 January, so it
    # goes on 30 December too; it may not say "tomorrow".
    early = AppealFactory(
        cabinet=cabinet, status=Status.IN_WORK, executor=executor, number="NY-12",
        legal_due=date(2026, 1, 12), control_due=date(2026, 1, 12),
    )  # fmt: skip
    sent = sweep_days(django_capture_on_commit_callbacks, date(2025, 12, 26), date(2026, 1, 12))
    # 30 December: both 5-day reminders (8 and 7 January are days off) and NY-12's 1-day
    # reminder; 12 January: NY-13's 1-day reminder. Nothing in the holidays.
    assert sent == {date(2025, 12, 30): 3, date(2026, 1, 12): 1}
    assert set(late.reminders.values_list("kind", flat=True)) == {"answer_t5", "answer_t1"}
    assert set(early.reminders.values_list("kind", flat=True)) == {"answer_t5", "answer_t1"}
    # (Mails are in the executor's language, Russian: "завтра" is "tomorrow".)
    bodies = [m.body for m in mail.outbox]
    assert not any("завтра" in body for body in bodies[:-1])
    assert "13 дней" in bodies[1] or "13 дней" in bodies[2]  # how far 12 January really is
    assert "завтра" in bodies[-1]  # 12 January for 13 January: really tomorrow


def test_R8_an_answer_reminder_due_on_a_may_holiday_goes_on_the_friday_before(
    staff, django_capture_on_commit_callbacks
):
    cabinet, _head, _registrar, executor = staff
    # Control date Tuesday 12 May 2026: the 1-day reminder falls on Monday 11 May (a day off
    # moved from Saturday 9 May): it goes on Friday 8 May. The 5-day reminder falls on
    # Thursday 7 May, a working day.
    appeal = AppealFactory(
        cabinet=cabinet, status=Status.IN_WORK, executor=executor,
        legal_due=date(2026, 5, 12), control_due=date(2026, 5, 12),
    )  # fmt: skip
    sent = sweep_days(django_capture_on_commit_callbacks, date(2026, 5, 1), date(2026, 5, 12))
    assert sent == {date(2026, 5, 7): 1, date(2026, 5, 8): 1}
    assert list(appeal.reminders.order_by("sent_at").values_list("kind", flat=True)) == [
        "answer_t5",
        "answer_t1",
    ]


def test_R5_the_forwarding_reminder_comes_on_the_working_day_before_the_control_date(
    staff, django_capture_on_commit_callbacks
):
    cabinet, _head, registrar, _executor = staff
    # Forwarding legal due Sunday 11 January 2026, control date Tuesday 30 December: the
    # registrar is reminded on Monday 29 December, never in the holidays.
    appeal = AppealFactory(
        cabinet=cabinet, status=Status.REGISTERED, number="F-1",
        forwarding_due=date(2026, 1, 11), forwarding_control_due=date(2025, 12, 30),
    )  # fmt: skip
    sent = sweep_days(django_capture_on_commit_callbacks, date(2025, 12, 26), date(2026, 1, 12))
    assert sent == {date(2025, 12, 29): 1}
    assert appeal.reminders.get().kind == "forwarding_t1"
    assert mail.outbox[0].to == [registrar.email] and "F-1" in mail.outbox[0].subject


def test_R11_the_notice_reminder_before_may_day_comes_on_the_working_day_before(
    staff, django_capture_on_commit_callbacks
):
    cabinet, head, _registrar, _executor = staff
    # Notice control date Monday 4 May 2026: the reminder's day, Sunday 3 May, and the days
    # before it back to 1 May are days off: it goes on Thursday 30 April.
    AppealFactory(
        cabinet=cabinet, status=Status.REGISTERED,
        notice_due=date(2026, 5, 4), notice_control_due=date(2026, 5, 4),
    )  # fmt: skip
    sent = sweep_days(django_capture_on_commit_callbacks, date(2026, 4, 27), date(2026, 5, 4))
    assert sent == {date(2026, 4, 30): 1}
    assert mail.outbox[0].to == [head.email]
