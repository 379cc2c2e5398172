"""Deadline reminders and escalation (R8): executors twice before ``control_due`` (5 days and
1 day before by default: ``DeadlinePolicy``),
registrars the day before registration is due (R4), the head the day after a missed
``legal_due``.

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


def _digest(kind, person, rows, count, queue_query, batch, days=None):
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
        "days": days,
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


def _sweep(kind, queryset, due_field, group_field, recipients_for, queue_query, days=None):
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
                _digest(kind, person, group_rows, totals[group], queue_query, batch, days)
    return claimed


def _executors(executor_ids):
    return {pk: [user] for pk, user in User.objects.in_bulk(list(executor_ids)).items()}


def _by_role(role):
    return lambda cabinet_ids: _staff(list(cabinet_ids), role)


def _staffed(role):
    """Cabinets with someone in ``role``: a reminder is claimed only when it can be sent, so an
    escalation waits for a head rather than being lost."""
    return members(roles=[role]).values("cabinet_id")


def send_due_reminders(today=None):
    """Run once or many times a day; returns how many appeals were reminded about now."""
    today = today or timezone.localdate()
    policy = DeadlinePolicy.current()
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
                control_due=today + timedelta(days=days),
                executor__isnull=False,
            ),
            "control_due",
            "executor_id",
            _executors,
            "due_soon=on",
            days=days,
        )
    # R4: registrars the day before registration is due.
    sent += _sweep(
        Reminder.Kind.REGISTRATION_T1,
        Appeal.objects.filter(
            status=Status.RECEIVED,
            registration_due=today + timedelta(days=1),
            cabinet_id__in=_staffed(Role.REGISTRAR),
        ),
        "registration_due",
        "cabinet_id",
        _by_role(Role.REGISTRAR),
        "status=received",
    )
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
    )
    return sent
