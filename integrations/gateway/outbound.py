"""Letters out: an appeal forwarded to a body outside the portal (R5), an offence report sent
to law enforcement (R11 part 1), a request for documents (R7). The appeals services record the
decision and name the body on the history line; this subscriber (``AppealForwarded``,
``AppealClosedWithoutAnswer``, ``AppealCaseFileChanged``, after commit, retried from the event
outbox) renders the letter PDF, mails it with the appeal's files through the outbox, with a
reply address and subject tag unique to the case, and has the case record the sending."""

from django.conf import settings
from django.core.files.base import ContentFile

from appeals import services as appeal_services
from appeals.models import AppealEvent, ExternalRequest
from cabinets.models import ExternalBody
from edem.documents.pdf import render_pdf
from edem.notifications.services import notify

from ..models import GatewayLetter
from .tokens import new_token, reply_address, subject_tag

# action of the history line -> (key of its details naming the body, kind of letter)
SENDING_ACTIONS = {
    "forward": ("to_body", GatewayLetter.Kind.FORWARD),
    "close_no_merits": ("law_enforcement_body", GatewayLetter.Kind.LAW_ENFORCEMENT),
    "external_request": ("to_body", GatewayLetter.Kind.REQUEST),
}


def letter_to_send(line):
    """(body, kind, request) if this history line sends something to an external body."""
    key, kind = SENDING_ACTIONS.get(line.action, (None, None))
    body_id = line.data.get(key) if key else None
    if not body_id:
        return None
    body = ExternalBody.objects.get(pk=body_id)
    request = None
    if kind == GatewayLetter.Kind.REQUEST and line.data.get("request"):
        request = ExternalRequest.objects.get(pk=line.data["request"])
    return body, kind, request


def send_on_event(event):
    """The subscriber: a history line that names an external body sends it the letter."""
    line = AppealEvent.objects.select_related("appeal__cabinet").filter(pk=event.history_id).first()
    if line is None:
        return None
    found = letter_to_send(line)
    if found is None:
        return None
    body, kind, request = found
    return send_letter(line=line, body=body, kind=kind, request=request)


def send_letter(*, line, body, kind, request=None):
    """Render and mail the letter for ``line`` once (a second run finds it sent)."""
    existing = GatewayLetter.objects.filter(cause=line).first()
    if existing is not None:
        return existing
    appeal = line.appeal
    token = new_token()
    if request is not None:  # R7: only the files the official chose go with a request
        files = list(request.files.order_by("pk"))
    else:
        files = list(appeal.attachments.exclude(stage="external").order_by("pk"))
    language = settings.LANGUAGE_CODE
    context = {
        "appeal": appeal,
        "cabinet": appeal.cabinet,
        "body": body,
        "kind": kind,
        "line": line,
        "request": request,
        "files": files,
        "reply_to": reply_address(token),
        "ref": subject_tag(token),
    }
    pdf = render_pdf("integrations/letters/external_letter.html", context, language=language)
    letter = GatewayLetter(appeal=appeal, body=body, kind=kind, cause=line, request=request)
    letter.token = token
    letter.letter.save(f"letter-{appeal.pk}-{line.pk}.pdf", ContentFile(pdf), save=False)
    attachments = [
        {"name": letter.letter.name, "filename": "letter.pdf", "mimetype": "application/pdf"}
    ] + [
        {"name": f.file.name, "filename": f.original_name, "mimetype": f.content_type}
        for f in files
    ]
    letter.notification = notify(
        template="integrations/external_letter",
        email=body.email,
        language=language,
        context={
            "kind": kind,
            "body": body.name,
            "cabinet": appeal.cabinet.name,
            "number": appeal.number or f"#{appeal.pk}",
            "subject": appeal.subject,
            "ref": subject_tag(token),
            "reply_to": reply_address(token),
            "note": line.note,
        },
        key=f"gateway-letter:{line.pk}",
        attachments=attachments,
        headers={"Reply-To": reply_address(token)},
    )
    letter.save()
    appeal_services.record_external_letter(
        appeal=appeal,
        body=body,
        kind=kind,
        notification=letter.notification,
        files=[f.original_name for f in files],
        request=request,
    )
    return letter
