"""What residents around public problems hear of (subscribed in ``apps.py``; delivered after
commit through the kernel's event outbox, which logs and retries a failure)."""

from appeals.models import Appeal, AppealEvent

from . import services
from .models import Follow


def alert_followers(event):
    """A public line of an appeal's history is mailed to the followers of its public problem
    (``services.on_public_event``: once per line and follower)."""
    if not event.is_public or event.history_id is None:
        return 0
    line = AppealEvent.objects.select_related("appeal").filter(pk=event.history_id).first()
    if line is None:
        return 0
    return services.on_public_event(line)


def author_follows(event):
    """A newly public problem: its author follows it, and its counters count the follows,
    supports and comments made before it appeared."""
    appeal = Appeal.objects.filter(pk=event.appeal_id).select_related("author").first()
    if appeal is None:
        return
    if appeal.author_id:
        services.follow(appeal=appeal, user=appeal.author, reason=Follow.Reason.AUTHOR)
    services.recount(appeal.pk)
