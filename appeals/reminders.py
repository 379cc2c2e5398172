"""Deadline reminders and escalation (R8): executors twice before ``control_due`` (5 days and
1 day before by default: ``DeadlinePolicy``),
registrars the working day before registration is due (R4) and before the forwarding term ends
(R5), heads before the no-merits notice term ends (R11), the head the day after a missed
``legal_due``.

Reminders work from the control dates (RULES, Conventions), which are working days, and go out
on working days only: a reminder whose day falls on a weekend or holiday is sent on the working
day before it (``_reminder_window``), never on the day off nor after it.

Each reminder is claimed by inserting a ``Reminder`` row under the unique constraint
(appeal, kind, stage) with ``INSERT … ON CONFLICT DO NOTHING RETURNING``, one statement per
few thousand appeals, so a sweep that runs twice, or two beats at once, sends nothing twice; the
mail is queued in the same transaction as the claim. Each person gets one message per kind and
sweep listing their appeals (a digest), not one per appeal: the head of a cabinet with two
hundred overdue appeals gets one escalation, not two hundred.
"""

import uuid
from collections import defaultdict
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import CharField, Count, Exists, F, OuterRef, Window
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone

from cabinets.access import members
from cabinets.roles import Role
from edem.accounts.models import User
from edem.core import calendar
from edem.core.jurisdiction import get_profile
from edem.notifications.services import notify

from .models import Appeal, DeadlinePolicy, Reminder
from .workflow import OPEN_STATES, Status

WORKING_STATES = [Status.REGISTERED, Status.IN_WORK, Status.ANSWER_DRAFTED, Status.REOPENED]
DIGEST_ITEMS = 50  # appeals listed in one message; the rest are counted and linked


def _claim(kind, queryset, due_field, batch):
    """Insert a reminder for every appeal of ``queryset`` that has none of ``kind`` for its
    current due date, in one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` statement (PostgreSQL
    and SQLite ≥ 3.35 both have it); returns how many rows this call inserted. A concurrent
    sweep's rows are skipped by the unique constraint, so each appeal is claimed by one sweep
    only, and the rows carry this sweep's ``batch`` id."""
    already = Reminder.objects.filter(
        appeal=OuterRef("pk"), kind=kind, stage=Cast(OuterRef(due_field), CharField())
    )
    candidates = (
        queryset.filter(~Exists(already))
        .order_by()
        .values(claim_pk=F("pk"), claim_stage=Cast(due_field, CharField()))
    )
    select_sql, select_params = candidates.query.sql_with_params()
    table = connection.ops.quote_name(Reminder._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    batch_value = connection.ops.adapt_unknown_value(batch.hex)
    with connection.cursor() as cursor:
        cursor.execute(
            # Only the table name is interpolated (from the model); every value is a parameter.
            f"INSERT INTO {table} (appeal_id, kind, stage, sent_at, batch) "  # noqa: S608
            f"SELECT c.claim_pk, %s, c.claim_stage, %s, %s FROM ({select_sql}) c WHERE true "
            "ON CONFLICT (appeal_id, kind, stage) DO NOTHING",
            [kind, now, batch_value, *select_params],
        )
        return cursor.rowcount


def _staff(cabinet_ids, role):
    people = defaultdict(list)
    for membership in members(cabinet_ids, roles=[role]):
        people[membership.cabinet_id].append(membership.user)
    return people


def _digest(kind, person, rows, count, queue_query, batch, today):
    items = [
        {
            "number": number or f"#{pk}",
            "subject": subject,
            "due": due.isoformat(),
            "path": f"/service/appeals/{pk}/",
        }
        for pk, due, number, subject in rows
    ]
    context = {
        "kind": kind,
        # Days from today to the (first) control date: a reminder sent early, on the working
        # day before a holiday, says how far the date really is.
        "days": (rows[0][1] - today).days,
        "count": count,
        "more": max(0, count - len(items)),
        "items": items,
        "queue_path": f"/service/appeals/?{queue_query}",
        # The single-appeal wording reads these.
        **{name: items[0][name] for name in ("number", "subject", "due", "path")},
    }
    notify(
        template="appeals/reminder",
        recipient=person,
        context=context,
        key=f"reminders:{kind}:{person.pk}:{batch.hex}",
    )


def _sweep(kind, queryset, due_field, group_field, recipients_for, queue_query, today):
    """Claim one kind of reminder and send each recipient one digest; returns the number of
    appeals reminded about. Claims and messages commit together or not at all."""
    batch = uuid.uuid4()
    with transaction.atomic():
        claimed = _claim(kind, queryset, due_field, batch)
        if not claimed:
            return 0
        # One pass over this sweep's rows: each group's first DIGEST_ITEMS appeals by due date,
        # with the group's total, by window functions.
        rows = (
            Appeal.objects.filter(reminders__batch=batch, reminders__kind=kind)
            .annotate(
                rank=Window(
                    RowNumber(), partition_by=F(group_field), order_by=[F(due_field), F("pk")]
                ),
                total=Window(Count("*"), partition_by=F(group_field)),
            )
            .filter(rank__lte=DIGEST_ITEMS)
            .order_by(group_field, "rank")
            .values_list(group_field, "total", "pk", due_field, "number", "subject")
        )
        groups = defaultdict(list)
        totals = {}
        for group, total, *row in rows:
            groups[group].append(tuple(row))
            totals[group] = total
        recipients = recipients_for(groups)
        for group, group_rows in groups.items():
            for person in recipients.get(group, []):
                _digest(kind, person, group_rows, totals[group], queue_query, batch, today)
    return claimed


def _executors(executor_ids):
    return {pk: [user] for pk, user in User.objects.in_bulk(list(executor_ids)).items()}


def _by_role(role):
    return lambda cabinet_ids: _staff(list(cabinet_ids), role)


def _staffed(role):
    """Cabinets with someone in ``role``: a reminder is claimed only when it can be sent, so an
    escalation waits for a head rather than being lost."""
    return members(roles=[role]).values("cabinet_id")


def _reminder_window(today, days_before, country):
    """The control dates whose reminder, ``days_before`` them, is sent ``today`` (a working
    day): the reminder days from today up to the next working day, exclusive. A reminder day
    that falls on a weekend or holiday thus goes out on the working day before it."""
    next_working = calendar.add_working_days(today, 1, country)
    return (
        today + timedelta(days=days_before),
        next_working + timedelta(days=days_before - 1),
    )


def send_due_reminders(today=None):
    """Run once or many times a day; returns how many appeals were reminded about now."""
    today = today or timezone.localdate()
    policy = DeadlinePolicy.current()
    country = get_profile().country
    sent = 0
    if calendar.is_working_day(today, country):
        sent += _send_term_reminders(today, policy, country)
    # R8: heads the day after a missed legal due date (overdue counts against legal_due).
    sent += _sweep(
        Reminder.Kind.OVERDUE,
        Appeal.objects.filter(
            status__in=sorted(OPEN_STATES),
            legal_due__lt=today,
            cabinet_id__in=_staffed(Role.HEAD),
        ),
        "legal_due",
        "cabinet_id",
        _by_role(Role.HEAD),
        "overdue=on",
        today,
    )
    return sent


def _send_term_reminders(today, policy, country):
    """The reminders of the terms still running, on a working day ``today`` (Conventions)."""
    sent = 0
    # R8: executors twice before the control date (by default 5 days and 1 day before).
    for days, kind in (
        (policy.first_reminder_days, Reminder.Kind.ANSWER_T5),
        (policy.last_reminder_days, Reminder.Kind.ANSWER_T1),
    ):
        sent += _sweep(
            kind,
            Appeal.objects.filter(
                status__in=WORKING_STATES,
                control_due__range=_reminder_window(today, days, country),
                executor__isnull=False,
            ),
            "control_due",
            "executor_id",
            _executors,
            "due_soon=on",
            today,
        )
    # R4: registrars on the working day before the registration's control date (the reminder
    # for a term that ends after a holiday comes on the last working day before it). R5:
    # registrars likewise before the forwarding term ends, for the appeals nobody has taken
    # into work yet (an appeal outside the cabinet's competence goes on within 7 days). R11:
    # heads before the control date of the notice of parts 4, 4.1 and 5.1.
    # (From today: a term whose control date is today and was never reminded, such as an
    # appeal received yesterday with a 1-day remainder, is reminded still.)
    window = (today, _reminder_window(today, 1, country)[1])
    for kind, status, due_field, role, query in (
        (
            Reminder.Kind.REGISTRATION_T1,
            Status.RECEIVED,
            "registration_control_due",
            Role.REGISTRAR,
            "status=received",
        ),
        (
            Reminder.Kind.FORWARDING_T1,
            Status.REGISTERED,
            "forwarding_control_due",
            Role.REGISTRAR,
            "status=registered",
        ),
        (
            Reminder.Kind.NOTICE_T1,
            Status.REGISTERED,
            "notice_control_due",
            Role.HEAD,
            "status=registered",
        ),
    ):
        sent += _sweep(
            kind,
            Appeal.objects.filter(
                status=status,
                **{f"{due_field}__range": window},
                cabinet_id__in=_staffed(role),
            ),
            due_field,
            "cabinet_id",
            _by_role(role),
            query,
            today,
        )
    return sent
