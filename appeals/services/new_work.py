"""Officials are told of new work: the registrars and the head of a cabinet when an appeal
arrives in its queue (filed, entered from paper, forwarded in), an executor when an appeal is
assigned to them. Each person chose (``User.work_mail``) a mail for each appeal or one daily
digest. The people are found through ``cabinets.access`` only; the mail goes through the
notifications outbox in the recipient's language. It runs as a subscriber of the appeals'
domain events, after the change committed (so the mail has the number given at once on
receipt), retried from the event outbox if it fails. Nobody is told of what they did
themselves."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cabinets.access import can, members
from cabinets.roles import Role
from edem.core.i18n import in_every_language
from edem.notifications.models import Notification
from edem.notifications.services import notify

from ..models import WorkNotice

QUEUE_ROLES = (Role.REGISTRAR, Role.HEAD)
DIGEST_ITEMS = 50  # appeals listed in one digest; the rest are counted and linked


def _recipients(event):
    """(reason, people) for a history line that brings new work, else (None, [])."""
    appeal = event.appeal
    if event.action == "receive":
        people = {m.user for m in members(appeal.cabinet_id, roles=QUEUE_ROLES)}
        return WorkNotice.Reason.ARRIVED, people
    if event.action == "assign":
        ids = [event.data.get("executor"), *event.data.get("co_executors", [])]
        people = get_user_model().objects.filter(pk__in=[pk for pk in ids if pk], is_active=True)
        # Only people who may work on it there (access decides, not the row).
        return WorkNotice.Reason.ASSIGNED, {
            p for p in people if can(p, "cabinets.answer_appeal", appeal.cabinet_id)
        }
    return None, set()


def _item(appeal):
    return {
        "number": appeal.number or f"#{appeal.pk}",
        "subject": appeal.subject,
        "path": f"/service/appeals/{appeal.pk}/",
    }


def tell_officials(event):
    """For a history line that brings new work (``AppealFiled``: filed, entered, forwarded in;
    ``AppealAssigned``), delivered after commit (``appeals.subscribers``): a ``WorkNotice`` per
    person, mailed at once to those who chose a mail for each. Safe to run twice: one notice
    per person and line."""
    reason, people = _recipients(event)
    if reason is None:
        return []
    appeal = event.appeal
    notices = []
    for person in sorted(people, key=lambda p: p.pk):
        if event.actor_id == person.pk or not person.email:
            continue
        notice, created = WorkNotice.objects.get_or_create(
            recipient=person, event=event, defaults={"appeal": appeal, "reason": reason}
        )
        if not created:
            continue
        notices.append(notice)
        if person.work_mail == person.WorkMail.EACH:
            notify(
                template="appeals/new_work",
                recipient=person,
                context={
                    "reason": reason,
                    "cabinet": in_every_language(appeal.cabinet, "short_name"),
                    "count": 1,
                    "items": [_item(appeal)],
                    **_item(appeal),
                },
                key=f"new_work:{notice.pk}",
            )
            notice.sent_at = timezone.now()
            notice.save(update_fields=["sent_at"])
    return notices


def send_work_digests(today=None):
    """The daily digest: each person who chose it gets their unsent notices in one mail, at
    most once a day (the outbox key holds the person and the day; what arrives after today's
    digest waits for tomorrow's). Returns the number of digests queued."""
    today = today or timezone.localdate()
    people = (
        get_user_model()
        .objects.filter(
            is_active=True,
            work_mail=get_user_model().WorkMail.DAILY,
            work_notices__sent_at__isnull=True,
        )
        .distinct()
    )
    sent = 0
    for person in people:
        key = f"new_work_digest:{person.pk}:{today.isoformat()}"
        with transaction.atomic():
            if Notification.objects.filter(key=key).exists():
                continue
            notices = list(
                WorkNotice.objects.select_for_update(skip_locked=True)
                .filter(recipient=person, sent_at__isnull=True)
                .select_related("appeal")
                .order_by("created_at", "pk")
            )
            if not notices:
                continue
            reasons = {}
            for notice in notices:  # one line per appeal, however many notices it had
                reasons.setdefault(notice.appeal, notice.reason)
            items = [{**_item(a), "reason": r} for a, r in reasons.items()]
            notify(
                template="appeals/new_work_digest",
                recipient=person,
                context={
                    "day": today.isoformat(),
                    "count": len(items),
                    "more": max(0, len(items) - DIGEST_ITEMS),
                    "items": items[:DIGEST_ITEMS],
                    "queue_path": "/service/appeals/",
                },
                key=key,
            )
            WorkNotice.objects.filter(pk__in=[n.pk for n in notices]).update(sent_at=timezone.now())
            sent += 1
    return sent
