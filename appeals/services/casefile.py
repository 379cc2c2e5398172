"""The case file around an appeal: internal notes, document requests to other bodies (R7), co-signers of a collective appeal (R1)."""

import secrets

from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinets.access import can, roles_in, staff_with
from cabinets.roles import Role
from edem.core.jurisdiction import get_profile
from edem.core.uploads import MAX_FILES
from edem.core.workflow import TransitionNotAllowed
from edem.notifications.services import notify

from .. import deadlines, workflow
from ..models import Attachment, CoSigner, ExternalRequest, InternalNote
from ..workflow import Status
from ._common import record


@transaction.atomic
def add_note(*, appeal, actor, text):
    if not can(actor, "cabinets.view_cabinet_work", appeal.cabinet_id):
        raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))
    if not text.strip():
        raise TransitionNotAllowed(_("The note is empty."))
    return InternalNote.objects.create(appeal=appeal, author=actor, text=text.strip())


@transaction.atomic
def add_documents(*, appeal, actor, attachments, note=""):
    """An official of the holding cabinet (not an observer) adds documents to the case: the
    signed answer's scan, a decision, an act of inspection, e.g. from the municipality's EDMS.
    ``attachments`` are the actor's own pending uploads (``store_upload``); an internal history
    line records it."""
    if not roles_in(actor, appeal.cabinet_id) - {Role.OBSERVER}:
        raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))
    attachments = [a for a in attachments if a.uploaded_by_id == actor.pk and a.appeal_id is None]
    if not attachments:
        raise TransitionNotAllowed(_("Attach at least one document."))
    if appeal.attachments.count() + len(attachments) > MAX_FILES:
        raise TransitionNotAllowed(_("At most 10 files can be attached."))
    Attachment.objects.filter(pk__in=[a.pk for a in attachments], appeal__isnull=True).update(
        appeal=appeal
    )
    record(
        appeal,
        actor=actor,
        action="add_documents",
        from_status=appeal.status,
        is_public=False,
        note=note.strip(),
        files=len(attachments),
    )
    return list(appeal.attachments.filter(pk__in=[a.pk for a in attachments]))


@transaction.atomic
def send_external_request(
    *,
    appeal,
    actor,
    subject,
    addressee="",
    postal_address="",
    body=None,
    to_cabinet=None,
    text="",
    files=(),
):
    """Request documents from another body (R7): due 15 days after sending. It is also what
    allows an extension with the reason ``external_request`` (R9). The addressee is one of: a
    ``body`` from the directory of external bodies, which gets the request by e-mail (the
    gateway in ``integrations`` sends it on the history line's event, with the chosen ``files``
    of the appeal); a cabinet of the portal (``to_cabinet``), whose registrars are told on the
    portal and by e-mail; or an ``addressee`` named in free text, with its ``postal_address``,
    to whom the official posts the printed letter (``letters.request_letter_pdf``) and then
    records the day (``record_request_posted``). The citizen is not told: the law asks a
    notice only when the request extends the term (R9, ``extend``)."""
    workflow.check(appeal, actor, "request_documents")
    subject, text, addressee = subject.strip(), text.strip(), addressee.strip()
    postal_address = postal_address.strip()
    if body is not None and to_cabinet is not None:
        raise TransitionNotAllowed(
            _(
                "Choose one addressee: a body of the directory, a cabinet, or a name for a letter by post."
            )
        )
    if postal_address and (body is not None or to_cabinet is not None):
        raise TransitionNotAllowed(_("A postal address is only for a letter by post."))
    if body is not None:
        if not body.is_active:
            raise TransitionNotAllowed(_("This body is no longer in the directory."))
        addressee = addressee or body.name
    if to_cabinet is not None:
        if to_cabinet.pk == appeal.cabinet_id or not to_cabinet.is_active:
            raise TransitionNotAllowed(_("Choose another active cabinet of the portal."))
        addressee = addressee or to_cabinet.name
    if not addressee or not subject:
        raise TransitionNotAllowed(_("Name the body and what is requested."))
    files = list(files)
    if any(f.appeal_id != appeal.pk for f in files):
        raise TransitionNotAllowed(_("Only files of this appeal can be sent with the request."))
    today = timezone.localdate()
    due = deadlines.external_request_deadline(today, get_profile())
    request = ExternalRequest.objects.create(
        appeal=appeal,
        addressee=addressee,
        subject=subject,
        text=text,
        postal_address=postal_address,
        body=body,
        to_cabinet=to_cabinet,
        sent_by=actor,
        sent_on=today,
        due_on=due.legal_due,
    )
    request.files.set(files)
    if to_cabinet is not None:
        request.notification = _tell_cabinet(request)
        request.save(update_fields=["notification"])
    record(
        appeal,
        actor=actor,
        action="external_request",
        from_status=appeal.status,
        is_public=False,
        addressee=addressee,
        request=request.pk,
        to_body=body.pk if body else None,
        to_cabinet=to_cabinet.pk if to_cabinet else None,
        due=due.legal_due.isoformat(),
        files=[f.pk for f in files],
        note=subject,
    )
    return request


@transaction.atomic
def record_request_posted(*, appeal, actor, request, posted_on):
    """The official records the day the printed request for documents went by post (R7): the
    card shows it, an internal history line keeps it. Once only; not before the request was
    made, not in the future."""
    workflow.check(appeal, actor, "request_documents")
    request = ExternalRequest.objects.select_for_update().get(pk=request.pk)
    if request.appeal_id != appeal.pk:
        raise TransitionNotAllowed(_("This request belongs to another appeal."))
    if request.sending != ExternalRequest.Sending.POST:
        raise TransitionNotAllowed(_("Only a request sent by post is posted."))
    if request.posted_on is not None:
        raise TransitionNotAllowed(_("The day this letter was posted is already recorded."))
    if posted_on < request.sent_on or posted_on > timezone.localdate():
        raise TransitionNotAllowed(
            _("The letter is posted on the day of the request or later, and not in the future.")
        )
    request.posted_on = posted_on
    request.save(update_fields=["posted_on"])
    record(
        appeal,
        actor=actor,
        action="external_request_posted",
        from_status=appeal.status,
        is_public=False,
        note=request.addressee,
        request=request.pk,
        posted_on=posted_on.isoformat(),
    )
    return request


def _tell_cabinet(request):
    """The registrars of the cabinet asked (else its official address) get the request; the
    first message is the one whose sending the case shows."""
    appeal, cabinet = request.appeal, request.to_cabinet
    context = {
        "cabinet": appeal.cabinet.name,
        "reply_to": appeal.cabinet.email,
        "number": appeal.number or f"#{appeal.pk}",
        "subject": request.subject,
        "text": request.text,
        "due": request.due_on.isoformat(),
        "files": [f.original_name for f in request.files.all()],
    }
    mail = {
        "template": "appeals/external_request",
        "context": context,
        "attachments": [
            {"name": f.file.name, "filename": f.original_name, "mimetype": f.content_type}
            for f in request.files.all()
        ],
        "headers": {"Reply-To": appeal.cabinet.email} if appeal.cabinet.email else None,
    }
    people = [p for p in staff_with("cabinets.register_appeal", cabinet) if p.email]
    sent = [
        notify(recipient=person, key=f"external_request:{request.pk}:{person.pk}", **mail)
        for person in people
    ]
    if not sent and cabinet.email:
        sent.append(notify(email=cabinet.email, key=f"external_request:{request.pk}", **mail))
    return sent[0] if sent else None


MAX_COSIGNERS = 100


@transaction.atomic
def invite_cosigners(*, appeal, actor, emails):
    """The author invites co-signers of a collective appeal by e-mail (R1)."""

    if appeal.author_id != actor.pk:
        raise TransitionNotAllowed(_("Only the author of the appeal may invite co-signers."))
    if not Status(appeal.status).is_open:
        raise TransitionNotAllowed(
            _("Co-signers can be invited while the appeal is being considered.")
        )
    cleaned = []
    for raw in emails:
        email = raw.strip().lower()
        if not email or email == actor.email.lower():
            continue
        try:
            validate_email(email)
        except Exception as exc:
            raise TransitionNotAllowed(
                _("“%(email)s” is not an e-mail address.") % {"email": raw.strip()}
            ) from exc
        cleaned.append(email)
    if appeal.cosigners.count() + len(cleaned) > MAX_COSIGNERS:
        raise TransitionNotAllowed(_("A collective appeal can have at most 100 co-signers."))
    invited = []
    for email in dict.fromkeys(cleaned):
        cosigner, created = CoSigner.objects.get_or_create(
            appeal=appeal, email=email, defaults={"token": secrets.token_urlsafe(32)}
        )
        if created:
            invited.append(cosigner)
            notify(
                template="appeals/cosign_invitation",
                email=email,
                # In the invited person's own language when they have an account here.
                language=_language_of(email) or actor.language,
                context={
                    "author": appeal.full_name,
                    "subject": appeal.subject,
                    "path": f"/appeals/cosign/{cosigner.token}/",
                },
                key=f"cosign:{cosigner.pk}",
            )
    if invited and not appeal.is_collective:
        appeal.is_collective = True
        appeal.save(update_fields=["is_collective", "updated_at"])
    if invited:
        record(
            appeal,
            actor=actor,
            action="invite_cosigners",
            from_status=appeal.status,
            is_public=False,
            count=len(invited),
        )
    return invited


@transaction.atomic
def confirm_cosign(*, token, actor):
    """A co-signer confirms with their own account, whose e-mail must be the invited one."""
    cosigner = (
        CoSigner.objects.select_for_update().select_related("appeal").filter(token=token).first()
    )
    if cosigner is None:
        raise TransitionNotAllowed(_("This invitation link is not valid."))
    if cosigner.email.lower() != actor.email.lower():
        raise TransitionNotAllowed(_("Sign in with the e-mail address the invitation was sent to."))
    if cosigner.confirmed_at is None:
        cosigner.user, cosigner.confirmed_at = actor, timezone.now()
        cosigner.save(update_fields=["user", "confirmed_at"])
        record(
            cosigner.appeal,
            actor=actor,
            action="cosign",
            from_status=cosigner.appeal.status,
            is_public=False,
        )
    return cosigner


def _language_of(email):
    """The language of the portal's account with this e-mail address, if there is one."""
    return (
        get_user_model()
        .objects.filter(email__iexact=email)
        .values_list("language", flat=True)
        .first()
    )
