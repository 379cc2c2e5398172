"""Reads of civic initiatives for the public pages."""

from django.db.models import Count, Q, Sum

from .models import MODERATE_PERM, Initiative


def public_initiatives(*, query="", territory=None, category=None, status=None):
    """Initiatives anyone may read (never the hidden ones), newest first, filtered."""
    qs = Initiative.objects.exclude(status=Initiative.Status.HIDDEN).select_related(
        "territory", "category"
    )
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    if territory is not None:
        qs = qs.filter(territory=territory)
    if category is not None:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def readable(initiative, user):
    """A hidden initiative is readable only by its initiator (who must see the reason) and
    moderators."""
    if initiative.is_public:
        return True
    return user.is_authenticated and (
        user.pk == initiative.initiator_id or user.has_perm(MODERATE_PERM)
    )


def counts():
    """For the statistics page: initiatives open and in all, and the people who joined."""
    row = Initiative.objects.exclude(status=Initiative.Status.HIDDEN).aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status=Initiative.Status.OPEN)),
        people=Sum("member_count"),
    )
    return {k: row[k] or 0 for k in ("total", "open", "people")}
