"""Delivery of the signed answer (R12): by e-mail with its full text and the signed letter as a
PDF attachment (``sign_answer`` queues it); by post through the cabinet's outgoing mail. The
letters to post wait in the cabinet's open batch; the registrar forms a batch of them (its
register of postal items is rendered as a PDF to print and hand over with the letters), then
marks it as sent with the date the post office took it, which each case's history records."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinets.access import can
from edem.core import calendar
from edem.core.locking import locked
from edem.core.workflow import TransitionNotAllowed
from edem.documents.pdf import render_pdf

from ..models import Answer, MailBatch
from ._common import open_mail_batch, record

PERMISSION = "cabinets.register_appeal"


def _check(actor, cabinet):
    if not can(actor, PERMISSION, cabinet):
        raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))


@transaction.atomic
def form_mail_batch(*, cabinet, actor, answer_ids=None):
    """The registrar forms a batch of the letters waiting to go by post (R12): all of them, or
    those of ``answer_ids``; the others keep waiting. The register of postal items is rendered
    as a PDF to print; the batch then waits to be marked as sent."""
    _check(actor, cabinet)
    batch = MailBatch.objects.select_for_update().filter(cabinet=cabinet, formed_at__isnull=True)
    batch = batch.first()
    waiting = (
        Answer.objects.filter(mail_batch=batch).select_related("appeal").order_by("pk")
        if batch
        else Answer.objects.none()
    )
    chosen = list(waiting if answer_ids is None else waiting.filter(pk__in=answer_ids))
    if not chosen:
        raise TransitionNotAllowed(_("There are no letters to post."))
    rest = list(waiting.exclude(pk__in=[answer.pk for answer in chosen]))
    batch.formed_at, batch.formed_by = timezone.now(), actor
    pdf = render_pdf(
        "appeals/letters/mail_register.html",
        {"batch": batch, "cabinet": cabinet, "answers": chosen},
    )
    batch.register.save(f"register-{cabinet.code}-{batch.pk}.pdf", ContentFile(pdf), save=False)
    batch.save()
    if rest:  # the letters left out keep waiting, in the cabinet's new open batch
        Answer.objects.filter(pk__in=[answer.pk for answer in rest]).update(
            mail_batch=open_mail_batch(cabinet)
        )
    return batch


@transaction.atomic
def mark_mail_batch_sent(*, batch, actor, sent_on=None):
    """The registrar marks a formed batch as sent (R12) with the date the post office took the
    letters (today by default; never in the future, never before the batch was formed); each
    appeal's history records the posting and its date."""
    batch = locked(batch)
    _check(actor, batch.cabinet)
    if batch.formed_at is None:
        raise TransitionNotAllowed(_("Form the batch and print its register first."))
    if batch.dispatched_on is not None:
        raise TransitionNotAllowed(_("This batch is already marked as sent."))
    today = calendar.local_date()
    sent_on = sent_on or today
    if sent_on > today:
        raise TransitionNotAllowed(_("The dispatch date cannot be in the future."))
    if sent_on < calendar.local_date(batch.formed_at):
        raise TransitionNotAllowed(_("The dispatch date cannot be before the batch was formed."))
    batch.dispatched_on, batch.dispatched_at, batch.dispatched_by = sent_on, timezone.now(), actor
    batch.save(update_fields=["dispatched_on", "dispatched_at", "dispatched_by"])
    for answer in batch.answers.select_related("appeal").order_by("pk"):
        record(
            answer.appeal,
            actor=actor,
            action="posted",
            from_status=answer.appeal.status,
            batch=batch.pk,
            posted_on=sent_on.isoformat(),
        )
    return batch
