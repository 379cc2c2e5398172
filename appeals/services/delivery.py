"""Delivery of the signed answer (R12): by e-mail with its full text and the signed letter as a
PDF attachment (``sign_answer`` queues it); by post through the cabinet's outgoing-mail batch,
whose register of postal items the registrar prints when the batch is dispatched."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinets.access import can
from edem.core.workflow import TransitionNotAllowed
from edem.documents.pdf import render_pdf

from ..models import Answer, Appeal, MailBatch
from .common import record


def letter_attachment(answer):
    """The signed letter as a notification attachment (R12)."""
    return {
        "name": answer.letter.name,
        "filename": f"{answer.appeal.number or answer.appeal.pk}-answer.pdf".replace("/", "-"),
        "mimetype": "application/pdf",
    }


def file_attachment(item):
    """A file of the information an answer to a request for information carries (R17), as a
    notification attachment."""
    return {"name": item.file.name, "filename": item.original_name, "mimetype": item.content_type}


def open_mail_batch(cabinet):
    """The cabinet's open outgoing-mail batch, created when there is none, under a row lock."""
    MailBatch.objects.get_or_create(cabinet=cabinet, dispatched_at__isnull=True)
    return MailBatch.objects.select_for_update().get(cabinet=cabinet, dispatched_at__isnull=True)


def post_answer(answer):
    """Put a signed answer to a citizen who chose the post in the open batch (R12)."""
    appeal = answer.appeal
    if appeal.answer_channel != Appeal.AnswerChannel.POST:
        return None
    if not appeal.postal_address.strip():
        raise TransitionNotAllowed(_("The citizen chose the post but gave no postal address."))
    answer.mail_batch = open_mail_batch(appeal.cabinet)
    return answer.mail_batch


@transaction.atomic
def dispatch_mail_batch(*, cabinet, actor):
    """The registrar dispatches the open batch (R12): its register of postal items is rendered
    as a PDF to print, the batch is closed with its date, and each appeal's history records
    the posting."""
    if not can(actor, "cabinets.register_appeal", cabinet):
        raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))
    batch = MailBatch.objects.select_for_update().filter(
        cabinet=cabinet, dispatched_at__isnull=True
    )
    batch = batch.first()
    answers = (
        list(Answer.objects.filter(mail_batch=batch).select_related("appeal").order_by("pk"))
        if batch
        else []
    )
    if not answers:
        raise TransitionNotAllowed(_("There are no letters to post."))
    batch.dispatched_at, batch.dispatched_by = timezone.now(), actor
    pdf = render_pdf(
        "appeals/letters/mail_register.html",
        {"batch": batch, "cabinet": cabinet, "answers": answers},
    )
    batch.register.save(f"register-{cabinet.code}-{batch.pk}.pdf", ContentFile(pdf), save=False)
    batch.save()
    for answer in answers:
        record(
            answer.appeal,
            actor=actor,
            action="posted",
            from_status=answer.appeal.status,
            batch=batch.pk,
            posted_on=batch.dispatched_at.date().isoformat(),
        )
    return batch
