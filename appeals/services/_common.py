"""What every appeals use case shares: the history line with its domain event, the citizen's
notices, the access log. (The row lock is the kernel's ``edem.core.locking.locked``.)"""

from django.db import transaction

from edem.core.events import APPEAL_EVENTS, AppealChanged
from edem.core.recording import record as record_history
from edem.notifications.services import notify

from ..models import AccessLog, MailBatch
from ..selectors import bump_queue_version


def _appeal_event(appeal, line):
    """The domain event of one history line: its class says which use case it was."""
    return APPEAL_EVENTS.get(line.action, AppealChanged)(
        appeal_id=appeal.pk,
        cabinet_id=appeal.cabinet_id,
        history_id=line.pk,
        action=line.action,
        is_public=line.is_public,
        at=line.at,
    )


def queue_changed(*cabinet_ids):
    """After commit, invalidate the cached work-queue counts of these cabinets. Every change of
    an appeal writes its history line through ``record``, which calls this, so no save is
    missed; and a cache that does not answer never touches the write (DESIGN §5)."""
    transaction.on_commit(lambda: bump_queue_version(*cabinet_ids), robust=True)


def record(appeal, **kwargs):
    """The appeal's history line with its domain event (the public projection and the
    followers' alerts subscribe to it, after commit); the work-queue counts of the cabinet that
    holds it, and of the one it came from, are refreshed after commit too."""
    line = record_history(appeal, event=_appeal_event, **{"is_public": True, **kwargs})
    queue_changed(appeal.cabinet_id, kwargs.get("from_cabinet"))
    return line


def notify_citizen(appeal, event, attachments=(), **context):
    """Tell the author (by e-mail, in their language) what happened to their appeal; an answer
    also goes to every confirmed co-signer (R1). Runs in the caller's transaction: the mail is
    queued only if the change commits."""
    payload = {
        "event": event,
        "number": appeal.number,
        "subject": appeal.subject,
        "full_name": appeal.full_name,
        "path": f"/appeals/my/{appeal.pk}/",
        **context,
    }
    author_email = appeal.email or getattr(appeal.author, "email", "")
    emails = (
        _answer_recipients(appeal)
        if event == "answered"
        else [author_email]
        if author_email
        else []
    )
    stage = appeal.events.count()
    sent = []
    for email in emails:
        is_author = email == author_email
        sent.append(
            notify(
                template="appeals/status",
                recipient=appeal.author
                if is_author and appeal.author and appeal.author.email == email
                else None,
                email=email,
                language=getattr(appeal.author, "language", None),
                context=payload if is_author else {**payload, "full_name": "", "path": ""},
                key=f"appeal:{appeal.pk}:{event}:{stage}:{email}",
                attachments=attachments,
            )
        )
    # A paper appeal without an e-mail is answered by post: the letter goes by post.
    return sent


def _answer_recipients(appeal):
    """Where the answer goes (R1): the author and every confirmed co-signer."""
    emails = [appeal.email or getattr(appeal.author, "email", "")]
    emails += list(
        appeal.cosigners.filter(confirmed_at__isnull=False).values_list("email", flat=True)
    )
    return [e for e in dict.fromkeys(emails) if e]


def log_access(*, user, action, appeal=None, cabinet=None, ip=None, **details):
    """Write one access-log line (R14, R18)."""
    return AccessLog.objects.create(
        user=user,
        action=action,
        appeal=appeal,
        cabinet_id=cabinet.pk if cabinet is not None else getattr(appeal, "cabinet_id", None),
        ip=ip,
        details=details,
    )


def open_mail_batch(cabinet):
    """The cabinet's open outgoing-mail batch, created when there is none, under a row lock."""
    MailBatch.objects.get_or_create(cabinet=cabinet, formed_at__isnull=True)
    return MailBatch.objects.select_for_update().get(cabinet=cabinet, formed_at__isnull=True)
