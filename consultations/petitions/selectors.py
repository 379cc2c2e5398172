"""Reads of petitions: the public list and page, the signatories, "my petitions", and the
service cabinet's queue (staff see only their cabinets' petitions; outsiders get a 404)."""

from django.db.models import Count, F, Q
from django.http import Http404

from consultations._shared import staff_cabinet_ids

from .models import Petition, Signature
from .workflow import PUBLIC_STATES, Status


def _search(queryset, text):
    text = (text or "").strip()
    if not text:
        return queryset
    query = Q(title__icontains=text) | Q(text__icontains=text) | Q(author_name__icontains=text)
    if text.isdigit():
        query |= Q(pk=int(text))
    return queryset.filter(query)


def public_list(filters=None):
    """Published petitions, filtered (status, cabinet, territory, search) and sorted by
    signatures or newest."""
    filters = filters or {}
    qs = Petition.objects.public()
    if filters.get("status") in PUBLIC_STATES:
        qs = qs.filter(status=filters["status"])
    if filters.get("cabinet"):
        qs = qs.filter(cabinet=filters["cabinet"])
    if filters.get("territory"):
        qs = qs.filter(territory=filters["territory"])
    qs = _search(qs, filters.get("q"))
    if filters.get("sort") == "signatures":
        order = ("-signature_count", "-published_at", "-pk")
    else:
        order = ("-published_at", "-pk")
    return qs.select_related("cabinet", "territory").order_by(*order)


def public_petition(pk, user=None):
    """A published petition, or the author's own in any state; otherwise 404."""
    petition = (
        Petition.objects.select_related("cabinet", "territory", "eligible_territory", "appeal")
        .filter(pk=pk)
        .first()
    )
    if petition is None:
        raise Http404
    if petition.is_public:
        return petition
    if user is not None and user.is_authenticated and petition.author_id == user.pk:
        return petition
    raise Http404


def signers(petition):
    """The public list of signatories: confirmed, valid signatures, names only (never e-mail
    addresses); those who chose so appear without their name."""
    return (
        petition.signatures.valid()
        .only("public_name", "show_name", "confirmed_at")
        .order_by("confirmed_at", "pk")
    )


def my_petitions(user):
    return Petition.objects.filter(author=user).select_related("cabinet").order_by("-created_at")


def my_signatures(user):
    return (
        Signature.objects.filter(user=user)
        .select_related("petition", "petition__cabinet")
        .order_by("-created_at")
    )


# --- Service cabinet ----------------------------------------------------------------------


def petition_for_staff(user, pk):
    """The petition if the user is staff of its cabinet; otherwise 404, never 403."""
    petition = (
        Petition.objects.filter(cabinet_id__in=staff_cabinet_ids(user), pk=pk)
        .exclude(status=Status.DRAFT)
        .select_related("cabinet", "territory", "author", "appeal", "moderated_by")
        .first()
    )
    if petition is None:
        raise Http404
    return petition


def work_queue(user, filters=None, *, with_status=True):
    """The petitions of the user's cabinets (drafts are the author's own business), the
    moderation queue first, each sorted by its due date."""
    filters = filters or {}
    qs = Petition.objects.filter(cabinet_id__in=staff_cabinet_ids(user)).exclude(
        status=Status.DRAFT
    )
    if with_status and filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("cabinet"):
        qs = qs.filter(cabinet=filters["cabinet"])
    qs = _search(qs, filters.get("q"))
    return qs.select_related("cabinet").order_by(
        F("moderation_due").asc(nulls_last=True), "-published_at", "-pk"
    )


def status_counts(user, filters=None):
    qs = work_queue(user, filters, with_status=False).order_by()
    return dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


def signature_sources(petition, limit=10):
    """Where the signatures came from (for the moderators' bulk invalidation): the busiest
    IP addresses and e-mail domains with their counts."""
    valid = petition.signatures.filter(invalidated_at__isnull=True)
    ips = valid.exclude(ip=None).values("ip").annotate(n=Count("pk")).order_by("-n", "ip")[:limit]
    domains = (
        valid.values("email_domain").annotate(n=Count("pk")).order_by("-n", "email_domain")[:limit]
    )
    return list(ips), list(domains)
