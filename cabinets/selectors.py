"""Reads for cabinets and publications."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch

from .models import Cabinet, Membership, Publication, StaffInvitation
from .roles import Role

#: The roles without which a cabinet cannot receive appeals: someone must register them.
RECEIVING_ROLES = (Role.HEAD, Role.REGISTRAR)


def _receiving_staff():
    return Membership.objects.filter(
        cabinet=OuterRef("pk"), ended_at__isnull=True, role__in=RECEIVING_ROLES
    )


def staffed_cabinets(queryset=None):
    """Active cabinets with an active head or registrar: the only ones offered to citizens as
    addressees and the only targets of routing."""
    queryset = Cabinet.objects.active() if queryset is None else queryset
    return queryset.filter(Exists(_receiving_staff()))


def with_receiving_staff(queryset):
    """``queryset`` of cabinets annotated with ``has_receiving_staff``."""
    return queryset.annotate(has_receiving_staff=Exists(_receiving_staff()))


def staffless_cabinets(queryset=None):
    """Active cabinets with neither an active head nor an active registrar."""
    queryset = Cabinet.objects.active() if queryset is None else queryset
    return queryset.exclude(Exists(_receiving_staff()))


def has_receiving_staff(cabinet):
    """Whether ``cabinet`` has an active head or registrar (someone registers its appeals)."""
    return Membership.objects.filter(
        cabinet=cabinet, ended_at__isnull=True, role__in=RECEIVING_ROLES
    ).exists()


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


def municipal_default_cabinet():
    """The municipality's default cabinet (the first administration, else the first active
    cabinet): where appeals go when routing finds no staffed cabinet."""
    active = Cabinet.objects.active()
    return (
        active.filter(kind=Cabinet.Kind.ADMINISTRATION).order_by("pk").first()
        or active.order_by("pk").first()
    )


def identity_offices():
    """Where a citizen confirms their identity in person: the administrations' offices with an
    address (their registrars see the document), else the municipality's default cabinet."""
    offices = list(
        Cabinet.objects.active()
        .filter(kind=Cabinet.Kind.ADMINISTRATION)
        .exclude(address="")
        .order_by("pk")
    )
    if not offices:
        default = municipal_default_cabinet()
        offices = [default] if default is not None else []
    return offices


def heads_of(cabinet):
    """The users heading ``cabinet``: its active head memberships, else its ``head`` field."""
    users = list(
        get_user_model()
        .objects.filter(
            memberships__cabinet=cabinet,
            memberships__role=Role.HEAD,
            memberships__ended_at__isnull=True,
        )
        .distinct()
    )
    if not users and cabinet.head_id:
        users = [cabinet.head]
    return users


def cabinet_staff(cabinet):
    """The cabinet's active memberships for its staff screen, each annotated with
    ``has_totp`` (an authenticator app set up) and ``email_verified`` (the address
    confirmed), in two queries whatever the staff's size."""
    return (
        Membership.objects.active()
        .filter(cabinet=cabinet)
        .select_related("user")
        .annotate(
            has_totp=Exists(
                Authenticator.objects.filter(user=OuterRef("user"), type=Authenticator.Type.TOTP)
            ),
            email_verified=Exists(
                EmailAddress.objects.filter(
                    user=OuterRef("user"), verified=True, email__iexact=OuterRef("user__email")
                )
            ),
        )
        .order_by("role", "user__last_name", "user__first_name", "user__email")
    )


def pending_invitations(cabinet):
    return StaffInvitation.objects.pending().filter(cabinet=cabinet).select_related("invited_by")


def staff_history(cabinet, limit=20):
    return cabinet.events.select_related("actor").order_by("-at", "-id")[:limit]
