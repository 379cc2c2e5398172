"""Use cases of the webhooks: make a subscription, rotate its secret, re-send deliveries.

The secret is returned once, to be shown to the administrator once; it stays in the row only
because every delivery is signed with it.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import WebhookDelivery, WebhookSubscription
from . import delivery, signing


def issue_secret(subscription, *, grace=None, now=None):
    """Give ``subscription`` (saved or not) a new secret and return it. The previous one, if
    any, keeps signing too for ``grace`` (``EDEM_WEBHOOK_SECRET_GRACE`` by default)."""
    now = now or timezone.now()
    if subscription.secret:
        if grace is None:
            grace = timedelta(hours=settings.EDEM_WEBHOOK_SECRET_GRACE_HOURS)
        subscription.previous_secret = subscription.secret
        subscription.previous_secret_until = now + grace
    secret = signing.new_secret()
    subscription.secret = secret
    subscription.secret_rotated_at = now
    return secret


@transaction.atomic
def rotate_secret(*, subscription, grace=None, now=None):
    """A new secret; the old one signs as well until the grace period ends. Returns the new
    secret."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    secret = issue_secret(subscription, grace=grace, now=now)
    subscription.save(
        update_fields=["secret", "previous_secret", "previous_secret_until", "secret_rotated_at"]
    )
    return secret


def resend(ids, now=None):
    """Send these deliveries again, from a fresh retry schedule (an administrator's action):
    the same message id and body, signed anew. A row being sent right now is left to that
    attempt. Returns how many were queued."""
    now = now or timezone.now()
    with transaction.atomic():
        free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - delivery.CLAIM_LEASE)
        rows = WebhookDelivery.objects.select_for_update().filter(free, pk__in=ids)
        ids = list(rows.values_list("pk", flat=True))
        WebhookDelivery.objects.filter(pk__in=ids).update(
            status=WebhookDelivery.PENDING,
            attempts=0,
            next_attempt_at=now,
            claimed_at=None,
            delivered_at=None,
        )
        transaction.on_commit(lambda: delivery.queue(ids), robust=True)
    return len(ids)
