"""Deadline reminders and escalation (R8): executors at T-5 and T-1 before ``control_due``,
registrars the day before registration is due (R4), the head the day after a missed
``legal_due``. Each is claimed by inserting a ``Reminder`` row under a unique constraint before
the mail is queued, so a sweep that runs twice sends nothing twice."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from cabinets.models import Membership
from cabinets.roles import Role
from edem.notifications.services import notify

from .models import Appeal, Reminder
from .workflow import OPEN_STATES, Status

WORKING_STATES = [Status.REGISTERED, Status.IN_WORK, Status.ANSWER_DRAFTED, Status.REOPENED]


def _claim(appeal, kind, stage):
    try:
        with transaction.atomic():
            Reminder.objects.create(appeal=appeal, kind=kind, stage=stage)
    except IntegrityError:
        return False
    return True


def _send(appeal, kind, stage, recipients, due):
    if not recipients or not _claim(appeal, kind, stage):
        return 0
    for person in recipients:
        notify(
            template="appeals/reminder",
            recipient=person,
            context={
                "kind": kind,
                "number": appeal.number or f"#{appeal.pk}",
                "subject": appeal.subject,
                "due": due.isoformat(),
                "path": f"/service/appeals/{appeal.pk}/",
            },
            key=f"reminder:{appeal.pk}:{kind}:{stage}:{person.pk}",
        )
    return 1


def _staff(cabinet_ids, role):
    people = {}
    for membership in (
        Membership.objects.active()
        .filter(cabinet_id__in=cabinet_ids, role=role)
        .select_related("user")
    ):
        people.setdefault(membership.cabinet_id, []).append(membership.user)
    return people


def send_due_reminders(today=None):
    """Run once or many times a day; returns how many reminders were sent now."""
    today = today or timezone.localdate()
    sent = 0
    # Executors: T-5 and T-1 before the control date.
    for days, kind in ((5, Reminder.Kind.ANSWER_T5), (1, Reminder.Kind.ANSWER_T1)):
        for appeal in Appeal.objects.filter(
            status__in=WORKING_STATES,
            control_due=today + timedelta(days=days),
            executor__isnull=False,
        ).select_related("executor"):
            with transaction.atomic():
                sent += _send(
                    appeal,
                    kind,
                    appeal.control_due.isoformat(),
                    [appeal.executor],
                    appeal.control_due,
                )
    # Registrars: registration due tomorrow.
    waiting = list(
        Appeal.objects.filter(status=Status.RECEIVED, registration_due=today + timedelta(days=1))
    )
    registrars = _staff({a.cabinet_id for a in waiting}, Role.REGISTRAR)
    for appeal in waiting:
        with transaction.atomic():
            sent += _send(
                appeal,
                Reminder.Kind.REGISTRATION_T1,
                appeal.registration_due.isoformat(),
                registrars.get(appeal.cabinet_id, []),
                appeal.registration_due,
            )
    # Heads: the day after a missed legal due date (overdue counts against legal_due).
    overdue = list(Appeal.objects.filter(status__in=OPEN_STATES, legal_due__lt=today))
    heads = _staff({a.cabinet_id for a in overdue}, Role.HEAD)
    for appeal in overdue:
        with transaction.atomic():
            sent += _send(
                appeal,
                Reminder.Kind.OVERDUE,
                appeal.legal_due.isoformat(),
                heads.get(appeal.cabinet_id, []),
                appeal.legal_due,
            )
    return sent
