"""Reads for cabinets and publications."""

from django.db.models import Prefetch

from .models import Cabinet, Membership, Publication


def cabinets_of(user):
    """Active cabinets where ``user`` holds an active membership."""
    return (
        Cabinet.objects.active()
        .filter(memberships__user=user, memberships__ended_at__isnull=True)
        .distinct()
    )


def memberships_of(user):
    """The user's active memberships with their cabinets and colleagues, for the service
    cabinet home: a constant number of queries whatever the number of cabinets."""
    colleagues = (
        Membership.objects.active().select_related("user").order_by("role", "user__last_name")
    )
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("cabinet")
        .prefetch_related(
            Prefetch("cabinet__memberships", queryset=colleagues, to_attr="active_members")
        )
        .order_by("cabinet__name", "role")
    )


def public_publications(*, cabinet=None, territory=None, kind=None, query=None):
    qs = Publication.objects.published().select_related("cabinet", "territory")
    if cabinet is not None:
        qs = qs.filter(cabinet=cabinet)
    if territory is not None:
        qs = qs.filter(territory=territory)
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(title__icontains=query) | qs.filter(body__icontains=query)
    return qs.order_by("-published_at", "-id")


def cabinet_publications(cabinet):
    """Every publication of a cabinet, drafts included, for its officials."""
    return cabinet.publications.select_related("author", "territory").order_by("-updated_at")


def public_cabinets():
    return Cabinet.objects.active().select_related("parent", "territory").order_by("name")
