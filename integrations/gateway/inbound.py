"""Mail in: what the beat task does with each message of the gateway's mailbox.

- A reply carrying a genuine token of a letter (``tokens``) is filed into that letter's case
  (its text, its files through the upload checks), and the responsible officials are told.
- A bounce (a delivery status report) of the portal's own mail marks that message failed in
  the outbox and, if it concerned an appeal, shows it in the case.
- Anything else is not an appeal (R2: an e-mail is not a channel for appeals): its sender gets
  one auto-reply a day, in their language, pointing to the portal's filing page; never an
  auto-reply to an auto-reply, a list or bulk message, or a bounce (RFC 3834).

Exactly once: the message's row (``InboundMessage``, unique Message-ID) is written in the same
transaction as its effects, and the message leaves the inbox only after that commits. A forged
token counts as none."""

import hashlib
import logging
import re
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from appeals import services as appeal_services
from appeals.models import Appeal
from edem.core import calendar
from edem.notifications.models import Notification
from edem.notifications.services import mark_bounced, notify

from ..models import GatewayLetter, InboundMessage
from .mailbox import Mailbox
from .tokens import tokens_in

logger = logging.getLogger(__name__)

parser = BytesParser(policy=policy.default)


def parse(raw):
    return parser.parsebytes(raw)


def sender_of(message):
    return parseaddr(str(message.get("From", "")))[1].strip()


def header(message, name):
    try:
        return str(message.get(name, "") or "").strip()
    except (ValueError, TypeError):  # a header too broken to decode
        return ""


# --- What kind of message -------------------------------------------------------------------

NOTIFICATION_ID = re.compile(r"<notification-(\d+)@")
DAEMONS = ("mailer-daemon@", "postmaster@")


def is_bounce(message):
    """A delivery status notification (RFC 3464), or a report from a mailer daemon."""
    if message.get_content_type() == "multipart/report":
        return True
    sender = sender_of(message).lower()
    return header(message, "Return-Path") == "<>" and sender.startswith(DAEMONS)


def is_automatic(message):
    """Mail that must get no auto-reply (RFC 3834 and common practice): auto-submitted,
    bulk, junk or list mail, an empty return path, mail from a mailer daemon."""
    auto = header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if header(message, "Precedence").lower() in ("bulk", "junk", "list"):
        return True
    if header(message, "Return-Path") == "<>":
        return True
    if (
        header(message, "List-Id")
        or header(message, "X-Autoreply")
        or header(message, "X-Autorespond")
    ):
        return True
    sender = sender_of(message).lower()
    return not sender or sender.startswith(DAEMONS)


def bounced_notification(message):
    """(outbox row, reason) of the portal's message a bounce reports, or (None, reason)."""
    ids, reason = [], []
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            text = part.as_string() if kind == "message/rfc822" else _text_of(part)
            ids += re.findall(r"X-Edem-Notification:\s*(\d+)", text)
            ids += NOTIFICATION_ID.findall(text)
        elif kind == "message/delivery-status":
            text = part.as_string()
            for field in ("Status", "Diagnostic-Code"):
                found = re.search(rf"^{field}:\s*(.+)$", text, re.MULTILINE | re.IGNORECASE)
                if found:
                    reason.append(found.group(1).strip())
    reason = "; ".join(reason) or header(message, "Subject")
    for pk in ids:
        row = Notification.objects.filter(pk=int(pk)).first()
        if row is not None:
            return row, reason
    return None, reason


# --- Content --------------------------------------------------------------------------------


def _text_of(part):
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # unknown charset, broken encoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    return content


def text_of(message):
    """The message's text: the plain part, else the HTML part stripped; "" when it has none."""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    text = _text_of(body)
    if body.get_content_type() == "text/html":
        text = strip_tags(text)
    return text.strip()


def files_of(message):
    """(filename, bytes) of each attachment, names decoded (RFC 2047 and RFC 2231)."""
    files = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() not in ("attachment", "inline"):
            continue
        name = part.get_filename()
        if part.get_content_disposition() == "inline" and not name:
            continue  # the text itself
        files.append((name or "file", part.get_payload(decode=True) or b""))
    return files


def language_of(message):
    """The sender's language, guessed from Content-Language or Accept-Language, else the
    portal's default."""
    supported = [code for code, _name in settings.LANGUAGES]
    for name in ("Content-Language", "Accept-Language"):
        for item in header(message, name).split(","):
            code = item.split(";")[0].strip().lower()[:2]
            if code in supported:
                return code
    return settings.LANGUAGE_CODE


def message_key(message, raw):
    message_id = header(message, "Message-ID")
    return (message_id or f"<sha256-{hashlib.sha256(raw).hexdigest()}@edem>")[:998]


# --- Acting on one message ------------------------------------------------------------------


def own_addresses():
    return {
        settings.EDEM_GATEWAY_ADDRESS.lower(),
        parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(),
    }


def process(raw, message=None):
    """Handle one raw message exactly once. Returns its ``InboundMessage`` (None when a
    message with this Message-ID was handled before)."""
    message = message or parse(raw)
    key = message_key(message, raw)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = InboundMessage.objects.create(
                    message_id=key,
                    sender=sender_of(message)[:320],
                    subject=header(message, "Subject")[:998],
                    outcome=InboundMessage.Outcome.IGNORED,
                )
        except IntegrityError:
            return None
        if is_bounce(message):
            _bounce(row, message)
        elif not _reply(row, message):
            _not_an_appeal(row, message)
        row.save()
    return row


def _bounce(row, message):
    row.outcome = InboundMessage.Outcome.BOUNCE
    notification, reason = bounced_notification(message)
    row.note = reason[:2000]
    if notification is None:
        return
    row.notification = notification
    mark_bounced(notification.pk, reason)
    appeal = _appeal_of(notification)
    if appeal is not None:
        appeal_services.record_mail_bounce(appeal=appeal, notification=notification, reason=reason)


def _appeal_of(notification):
    letter = GatewayLetter.objects.filter(notification=notification).select_related("appeal")
    if letter.exists():
        return letter.first().appeal
    found = re.match(r"appeal:(\d+):", notification.key or "")
    return Appeal.objects.filter(pk=int(found.group(1))).first() if found else None


def _reply(row, message):
    """File a reply carrying a genuine token of a letter; False if there is none."""
    tokens = tokens_in(message)
    letter = (
        GatewayLetter.objects.select_related("appeal", "request")
        .filter(token__in=tokens)
        .order_by("-pk")
        .first()
        if tokens
        else None
    )
    if letter is None:
        return False
    appeal_services.file_external_reply(
        appeal=letter.appeal,
        sender=header(message, "From")[:320],
        subject=header(message, "Subject"),
        text=text_of(message),
        files=files_of(message),
        request=letter.request,
    )
    row.outcome = InboundMessage.Outcome.FILED
    row.letter = letter
    return True


def _not_an_appeal(row, message):
    """R2: a plain e-mail is not an appeal. One auto-reply per sender per day, pointing to the
    filing page, never to automatic mail or to the portal's own addresses."""
    sender = sender_of(message).lower()
    if is_automatic(message) or sender in own_addresses():
        row.note = "automatic"
        return
    day = calendar.local_date().isoformat()
    key = f"gateway-autoreply:{day}:{hashlib.sha256(sender.encode()).hexdigest()[:40]}"
    if Notification.objects.filter(key=key).exists():
        row.note = "already answered today"
        return
    message_id = header(message, "Message-ID")
    row.notification = notify(
        template="integrations/autoreply",
        email=sender,
        language=language_of(message),
        context={"path": reverse("appeals:file")},
        key=key,
        headers={
            "Auto-Submitted": "auto-replied",
            **({"In-Reply-To": message_id, "References": message_id} if message_id else {}),
        },
    )
    row.outcome = InboundMessage.Outcome.AUTO_REPLIED


# --- The mailbox ----------------------------------------------------------------------------


def poll(mailbox=None, *, limit=None):
    """Read the mailbox once: each message handled, then moved out of the inbox after its
    transaction committed. Returns {outcome: count} ("moved_again" for a message handled
    before whose move had not happened)."""
    counts = {}
    limit = limit or settings.EDEM_GATEWAY_BATCH
    with mailbox or Mailbox() as box:
        for uid in box.uids(limit):
            raw = box.fetch(uid)
            if raw is None:
                continue
            message = parse(raw)
            try:
                row = process(raw, message)
            except Exception:  # left in the inbox, tried again next time; the others go on
                logger.exception("Gateway: message UID %s could not be handled", uid)
                counts["error"] = counts.get("error", 0) + 1
                continue
            outcome = row.outcome if row is not None else "moved_again"
            box.move(uid)  # only after the row and its effects committed
            InboundMessage.objects.filter(
                message_id=message_key(message, raw), moved_at__isnull=True
            ).update(moved_at=timezone.now())
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts
