"""Reads of appeals for officials: who may see what (R14), the work queue and its counts."""

from datetime import timedelta

from django.db import connection
from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone

from cabinets.models import Membership
from cabinets.roles import Role

from .models import Appeal, AppealEvent
from .workflow import OPEN_STATES

FULL_VIEW_ROLES = (Role.HEAD, Role.REGISTRAR, Role.OBSERVER)


def visibility(user):
    """A Q over appeals the user may see as staff (R14): the whole cabinet for its head,
    registrar and observer; only assigned appeals for an executor; read-only, the appeals that
    were forwarded away from a cabinet where the user has a full-view role."""
    memberships = list(
        Membership.objects.active().filter(user=user).values_list("cabinet_id", "role")
    )
    full = {cabinet for cabinet, role in memberships if role in FULL_VIEW_ROLES}
    executor_in = {cabinet for cabinet, role in memberships if role == Role.EXECUTOR}
    q = Q(pk__in=[])
    if full:
        q |= Q(cabinet_id__in=full)
        passed = AppealEvent.objects.filter(action="forward", data__from_cabinet__in=list(full))
        q |= Q(pk__in=passed.values("appeal_id"))
    if executor_in:
        co_assigned = Appeal.co_executors.through.objects.filter(user=user).values("appeal_id")
        q |= Q(cabinet_id__in=executor_in) & (Q(executor=user) | Q(pk__in=co_assigned))
    return q


def holds(user, appeal):
    """Whether the user is staff of the cabinet that holds the appeal now (not read-only)."""
    return Membership.objects.active().filter(user=user, cabinet_id=appeal.cabinet_id).exists()


def appeal_for_staff(user, pk):
    """The appeal if the user may see it as staff; otherwise 404, never 403, so that numbers do
    not leak."""
    appeal = (
        Appeal.objects.filter(visibility(user))
        .select_related("cabinet", "category", "territory", "executor", "author")
        .filter(pk=pk)
        .first()
    )
    if appeal is None:
        raise Http404
    return appeal


def _search(queryset, text):
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("number", "subject", "text", "last_name", config="russian")
        return queryset.annotate(search=vector).filter(
            Q(search=SearchQuery(text, config="russian", search_type="websearch"))
            | Q(number__iexact=text)
        )
    return queryset.filter(
        Q(number__icontains=text)
        | Q(subject__icontains=text)
        | Q(text__icontains=text)
        | Q(last_name__icontains=text)
    )


def work_queue(user, filters=None, *, with_status=True):
    """The appeals the user may see, filtered; sorted by the answer due date (soonest first)."""
    filters = filters or {}
    today = timezone.localdate()
    qs = Appeal.objects.filter(visibility(user))  # no join in visibility(): no duplicates
    if with_status and filters.get("status"):
        qs = qs.filter(status=filters["status"])
    for name in ("category", "territory", "executor", "kind", "cabinet"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    for name, field in (
        ("received", "received_at__date"),
        ("registered", "registered_at__date"),
        ("due", "legal_due"),
    ):
        if filters.get(f"{name}_from"):
            qs = qs.filter(**{f"{field}__gte": filters[f"{name}_from"]})
        if filters.get(f"{name}_to"):
            qs = qs.filter(**{f"{field}__lte": filters[f"{name}_to"]})
    if filters.get("overdue"):
        qs = qs.filter(status__in=OPEN_STATES, legal_due__lt=today)
    if filters.get("due_soon"):
        qs = qs.filter(
            status__in=OPEN_STATES,
            control_due__gte=today,
            control_due__lte=today + timedelta(days=3),
        )
    if filters.get("q"):
        qs = _search(qs, filters["q"])
    return qs.select_related("cabinet", "category", "executor").order_by(
        F("legal_due").asc(nulls_last=True), "received_at", "pk"
    )


def status_counts(user, filters=None):
    """{status: count} for the sidebar, over the queue with every filter but the status."""
    qs = work_queue(user, filters, with_status=False).order_by()
    return dict(
        qs.values_list("status").annotate(n=Count("pk", distinct=True)).values_list("status", "n")
    )
