"""The case file's side of the mail gateway (``integrations``): a letter sent to a body outside
the portal, that body's reply filed into the case, a message of the portal that bounced. The
gateway reads and sends the mail; what the case records, and who is told, is decided here."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinets.access import staff_with
from edem.core.uploads import MAX_FILES, UploadRefused, clean_upload, store
from edem.core.workflow import TransitionNotAllowed
from edem.notifications.services import notify

from .. import workflow
from ..models import Attachment, ExternalRequest
from ._common import record


@transaction.atomic
def record_external_letter(*, appeal, body, kind, notification, files=(), request=None):
    """The case records that a letter went to ``body`` by e-mail (R5, R7, R11 part 1):
    which body, to which address, with which files, and the outbox row that carries it (for a
    request for documents, also on the request, whose sending the card shows)."""
    if request is not None:
        ExternalRequest.objects.filter(pk=request.pk).update(notification=notification)
    return record(
        appeal,
        actor=None,
        action="external_letter",
        from_status=appeal.status,
        is_public=False,
        note=body.name,
        kind=kind,
        body=body.pk,
        email=body.email,
        notification=notification.pk,
        files=list(files),
    )


def _responsible_officials(appeal):
    """Who is told of a reply: the executor and co-executors, else whoever may sign answers
    or register appeals in the cabinet that holds the appeal."""
    people = [appeal.executor] if appeal.executor_id else []
    people += list(appeal.co_executors.all())
    people = [p for p in people if p.is_active and p.email]
    if not people:
        people = list(staff_with("cabinets.sign_answer", appeal.cabinet_id)) + list(
            staff_with("cabinets.register_appeal", appeal.cabinet_id)
        )
    return list({p.pk: p for p in people if p.email}.values())


@transaction.atomic
def record_external_reply(*, appeal, actor, request, text="", files=()):
    """An official files a reply to a request for documents that came by post or through a
    cabinet of the portal (R7): the same filing as a reply read by the mail gateway, with the
    official named on the history line. ``files`` are ``(filename, bytes)``."""
    workflow.check(appeal, actor, "request_documents")
    if request.appeal_id != appeal.pk:
        raise TransitionNotAllowed(_("This request belongs to another appeal."))
    if not text.strip() and not files:
        raise TransitionNotAllowed(_("Give the text of the reply or attach its scan."))
    return file_external_reply(
        appeal=appeal,
        sender=request.addressee,
        subject=request.subject,
        text=text,
        files=files,
        request=request,
        actor=actor,
    )


@transaction.atomic
def file_external_reply(*, appeal, sender, subject, text, files=(), request=None, actor=None):
    """File another body's reply into the case: its text as a history line (not shown to the
    citizen), each attached file through the same content checks as an upload (a refused file
    is named with its reason on the line), the document request answered (R7); the responsible
    officials are told. ``files`` are ``(filename, bytes)``. Returns the history line."""
    kept, refused = [], []
    for index, (filename, data) in enumerate(files):
        filename = (filename or "file").replace("/", "_")[:200]
        if index >= MAX_FILES:
            refused.append({"name": filename, "reason": _("Too many files in one message.")})
            continue
        try:
            clean = clean_upload(ContentFile(data, name=filename))
        except UploadRefused as exc:
            refused.append({"name": filename, "reason": str(exc)})
            continue
        attachment = store(
            Attachment(appeal=appeal, uploaded_by=actor, stage=Attachment.Stage.EXTERNAL),
            clean,
            filename,
        )
        kept.append(attachment.pk)
    if request is not None and request.answered_on is None:
        ExternalRequest.objects.filter(pk=request.pk).update(answered_on=timezone.localdate())
    notes = [text.strip()] + [
        _("File not accepted: “%(name)s”: %(reason)s") % item for item in refused
    ]
    line = record(
        appeal,
        actor=actor,
        action="external_reply",
        from_status=appeal.status,
        is_public=False,
        note="\n\n".join(n for n in notes if n),
        sender=sender,
        subject=subject[:255],
        attachments=kept,
        refused=refused,
        request=request.pk if request else None,
    )
    for person in _responsible_officials(appeal):
        if actor is not None and person.pk == actor.pk:
            continue  # who filed it knows
        notify(
            template="appeals/external_reply",
            recipient=person,
            context={
                "number": appeal.number or f"#{appeal.pk}",
                "subject": appeal.subject,
                "sender": sender,
                "files": len(kept),
                "refused": len(refused),
                "path": f"/service/appeals/{appeal.pk}/",
            },
            key=f"external_reply:{line.pk}:{person.pk}",
        )
    return line


@transaction.atomic
def record_mail_bounce(*, appeal, notification, reason):
    """A message of the portal about this appeal came back undelivered: the case shows it,
    with the address and the mail server's reason, so that an official can send it otherwise."""
    return record(
        appeal,
        actor=None,
        action="mail_bounced",
        from_status=appeal.status,
        is_public=False,
        note=(reason or "")[:2000],
        email=notification.email,
        notification=notification.pk,
    )
