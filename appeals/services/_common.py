"""What every appeals use case shares: the history line, the row lock, the citizen's notices, the access log."""

from django.db import transaction

from ..models import Appeal, AppealEvent
from ..selectors import bump_queue_version
from .new_work import tell_officials


def _event(appeal, *, actor, action, from_status="", note="", is_public=True, **data):
    """Write the history line; a public one is also mailed to the followers of the appeal's
    public problem (appeals.community), in this transaction."""
    event = AppealEvent.objects.create(
        appeal=appeal,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=appeal.status,
        note=note,
        is_public=is_public,
        data=data,
    )
    _queue_changed(appeal.cabinet_id, data.get("from_cabinet"))
    tell_officials(event)  # new work in a queue or for an executor
    if is_public:
        from appeals.community.services import alert_followers

        alert_followers(event)
    return event


def _queue_changed(*cabinet_ids):
    """After commit, invalidate the cached work-queue counts of these cabinets. Every change of
    an appeal writes its history line through ``_event``, which calls this, so no save is
    missed; and a cache that does not answer never touches the write (DESIGN §5)."""
    transaction.on_commit(lambda: bump_queue_version(*cabinet_ids), robust=True)


def _locked(appeal):
    """Reload the appeal under a row lock: two officials acting at once never both win."""
    return Appeal.objects.select_for_update().select_related("cabinet").get(pk=appeal.pk)


def _notify_citizen(appeal, event, **context):
    """Tell the author (by e-mail, in their language) what happened to their appeal; an answer
    also goes to every confirmed co-signer (R1). Runs in the caller's transaction: the mail is
    queued only if the change commits."""
    from edem.notifications.services import notify

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
        answer_recipients(appeal) if event == "answered" else [author_email] if author_email else []
    )
    stage = appeal.events.count()
    for email in emails:
        is_author = email == author_email
        notify(
            template="appeals/status",
            recipient=appeal.author
            if is_author and appeal.author and appeal.author.email == email
            else None,
            email=email,
            language=getattr(appeal.author, "language", None),
            context=payload if is_author else {**payload, "full_name": "", "path": ""},
            key=f"appeal:{appeal.pk}:{event}:{stage}:{email}",
        )
    # A paper appeal without an e-mail is answered by post: the letter goes by post.


def answer_recipients(appeal):
    """Where the answer goes (R1): the author and every confirmed co-signer."""
    emails = [appeal.email or getattr(appeal.author, "email", "")]
    emails += list(
        appeal.cosigners.filter(confirmed_at__isnull=False).values_list("email", flat=True)
    )
    return [e for e in dict.fromkeys(emails) if e]


def log_access(*, user, action, appeal=None, cabinet=None, ip=None, **details):
    """Write one access-log line (R14, R18)."""
    from ..models import AccessLog

    return AccessLog.objects.create(
        user=user,
        action=action,
        appeal=appeal,
        cabinet=cabinet or getattr(appeal, "cabinet", None),
        ip=ip,
        details=details,
    )
