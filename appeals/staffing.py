"""A cabinet that loses its last head or registrar: nobody registers or sees its appeals any
more. Routing already skips it (``services.registration.route``); its open appeals are listed
to the administrator on the cabinet's admin page, and the head of the municipality's default
cabinet is told by mail (through the notifications outbox) so that someone takes them over."""

from django.db import transaction
from django.urls import reverse

from cabinets.models import Membership
from cabinets.selectors import (
    RECEIVING_ROLES,
    has_receiving_staff,
    heads_of,
    municipal_default_cabinet,
)
from edem.core.i18n import in_every_language
from edem.notifications.services import notify

from .selectors import open_appeals_of

MAX_LISTED = 20


@transaction.atomic
def report_staffless(*, cabinet):
    """If ``cabinet`` has just lost its last head or registrar and holds open appeals, mail
    the head(s) of the default cabinet once per loss. Returns the notifications queued."""
    if not cabinet.is_active or has_receiving_staff(cabinet):
        return []
    last_loss = (
        Membership.objects.filter(cabinet=cabinet, role__in=RECEIVING_ROLES, ended_at__isnull=False)
        .order_by("-ended_at", "-pk")
        .first()
    )
    if last_loss is None:
        return []  # never staffed: nothing was lost (routing skips it all the same)
    appeals = list(open_appeals_of(cabinet))
    if not appeals:
        return []
    default = municipal_default_cabinet()
    recipients = heads_of(default) if default is not None else []
    context = {
        "cabinet": in_every_language(cabinet, "name"),
        "count": len(appeals),
        "items": [
            {
                "number": appeal.number or f"#{appeal.pk}",
                "subject": appeal.subject,
                "due": appeal.legal_due.isoformat() if appeal.legal_due else "",
                "path": reverse("admin:appeals_appeal_change", args=[appeal.pk]),
            }
            for appeal in appeals[:MAX_LISTED]
        ],
        "more": max(0, len(appeals) - MAX_LISTED),
        "cabinet_path": reverse("admin:cabinets_cabinet_change", args=[cabinet.pk]),
    }
    return [
        notify(
            template="appeals/staffless",
            recipient=user,
            context=context,
            key=f"cabinet-staffless:{cabinet.pk}:{last_loss.pk}:u{user.pk}",
        )
        for user in recipients
        if user.email
    ]
