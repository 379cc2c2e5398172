"""Reads of appeals for officials: who may see what (R14), the work queue and its counts."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, Sum, prefetch_related_objects
from django.http import Http404
from django.utils import timezone

from cabinets.access import members, roles_by_cabinet, roles_in, roles_with
from cabinets.roles import Role
from edem.core.expressions import HasRows

from . import workflow
from .categories import category_ids
from .models import Appeal, AppealEvent, Attachment, DeadlinePolicy, StatusCount
from .workflow import OPEN_STATES, Status

FULL_VIEW_ROLES = frozenset({Role.HEAD, Role.REGISTRAR, Role.OBSERVER})
COUNTS_TTL = 600


def _roles(user):
    """(cabinets where the user sees everything, cabinets where the user is an executor)."""
    roles = roles_by_cabinet(user)
    full = {cabinet for cabinet, held in roles.items() if held & FULL_VIEW_ROLES}
    executor_in = {cabinet for cabinet, held in roles.items() if Role.EXECUTOR in held} - full
    return full, executor_in


def _held(user, full, executor_in):
    q = Q(pk__in=[])
    if full:
        q |= Q(cabinet_id__in=sorted(full))
    if executor_in:
        co_assigned = Appeal.co_executors.through.objects.filter(user=user).values("appeal_id")
        q |= Q(cabinet_id__in=sorted(executor_in)) & (Q(executor=user) | Q(pk__in=co_assigned))
    return q


def _passed_on(full):
    """Appeals forwarded away from a cabinet where the user has a full-view role: read-only."""
    if not full:
        return Q(pk__in=[])
    passed = AppealEvent.objects.filter(action="forward", data__from_cabinet__in=sorted(full))
    return Q(pk__in=passed.values("appeal_id")) & ~Q(cabinet_id__in=sorted(full))


def visibility(user):
    """A Q over appeals the user may see as staff (R14): the whole cabinet for its head,
    registrar and observer; only assigned appeals for an executor; read-only, the appeals that
    were forwarded away from a cabinet where the user has a full-view role."""
    full, executor_in = _roles(user)
    return _held(user, full, executor_in) | _passed_on(full)


def sees_personal_data(user, appeal):
    """Whether the user may see the citizen's personal data on this appeal (R14, R18): staff
    of the cabinet that holds it or held it before, but not an observer, who reads the case
    without personal data (DESIGN §3)."""
    if roles_in(user, appeal.cabinet_id) - {Role.OBSERVER}:
        return True
    full, _executor_in = _roles(user)
    if not full:
        return False
    return AppealEvent.objects.filter(
        appeal=appeal, action="forward", data__from_cabinet__in=sorted(full)
    ).exists()


def holds(user, appeal):
    """Whether the user is staff of the cabinet that holds the appeal now (not read-only)."""
    return bool(roles_in(user, appeal.cabinet_id))


def appeal_for_staff(user, pk):
    """The appeal if the user may see it as staff; otherwise 404, never 403, so that numbers do
    not leak."""
    appeal = (
        Appeal.objects.filter(visibility(user))
        .select_related("cabinet", "category", "territory", "executor", "author", "classifier")
        .filter(pk=pk)
        .first()
    )
    if appeal is None:
        raise Http404
    return appeal


def appeal_for_card(user, pk):
    """``appeal_for_staff`` with what the card shows of it in the same query: whether it has
    answers, files, notes, requests for documents, co-executors and repeat appeals joined to it
    (the card reads those lists only when there is something). Only the rows every card shows are joined: each join more costs
    PostgreSQL more to plan than the rare appeal that needs it (merged, a complaint about
    someone) costs to read on its own."""
    from .models import Answer, ExternalRequest, InternalNote

    found = list(
        Appeal.objects.filter(visibility(user))
        .select_related("cabinet", "category", "territory", "executor", "classifier")
        .defer("territory__boundary")  # the card names the territory; a town's polygon is big
        .annotate(
            has_answers=HasRows(Answer, "appeal"),
            has_attachments=HasRows(Attachment, "appeal"),
            has_notes=HasRows(InternalNote, "appeal"),
            has_merged=HasRows(Appeal, "merged_into"),
            has_requests=HasRows(ExternalRequest, "appeal"),
            has_co_executors=HasRows(Appeal.co_executors.through, "appeal"),
        )
        .filter(pk=pk)
        .order_by()[:1]
    )
    if not found:
        raise Http404
    return found[0]


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


class Scope:
    HELD = "held"  # what the user's cabinets hold now: the work
    PASSED = "passed"  # forwarded away from them: read-only, for reference


OPEN = "open"  # the status filter's default: every state still in work


def _queue(user, filters):
    full, executor_in = _roles(user)
    if filters.get("scope") == Scope.PASSED:
        return Appeal.objects.filter(_passed_on(full)), full, executor_in
    return Appeal.objects.filter(_held(user, full, executor_in)), full, executor_in


def _filtered(qs, filters, *, with_status):
    today = timezone.localdate()
    status = filters.get("status")
    if with_status and status == OPEN:
        qs = qs.filter(status__in=sorted(OPEN_STATES))
    elif with_status and status:
        qs = qs.filter(status=status)
    if filters.get("category"):  # a group: its categories too
        qs = qs.filter(
            category_id__in=category_ids(getattr(filters["category"], "pk", filters["category"]))
        )
    for name in ("territory", "executor", "kind", "cabinet"):
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
        qs = qs.filter(status__in=sorted(OPEN_STATES), legal_due__lt=today)
    if filters.get("due_soon"):
        qs = qs.filter(
            status__in=sorted(OPEN_STATES),
            control_due__gte=today,
            control_due__lte=today + timedelta(days=DeadlinePolicy.current().due_soon_days),
        )
    if filters.get("q"):
        qs = _search(qs, filters["q"])
    return qs


def work_queue(user, filters=None, *, with_status=True):
    """The appeals the user may see, filtered; sorted by the answer due date (soonest first).
    The default (status "open", scope "held") walks the partial index ``appeal_open_queue_idx``
    in order, so the first page costs the same at a thousand appeals or a million."""
    filters = filters or {}
    qs, _full, _executor_in = _queue(user, filters)
    qs = _filtered(qs, filters, with_status=with_status)
    return qs.select_related("cabinet", "category", "executor").order_by(
        F("legal_due").asc(nulls_last=True), "received_at", "pk"
    )


def _version_key(cabinet_id):
    return f"appeals:queue-version:{cabinet_id}"


def bump_queue_version(*cabinet_ids):
    """Invalidate the cached counts of these cabinets' queues (called after an appeal's change
    commits, ``services._common.queue_changed``)."""
    for cabinet_id in {c for c in cabinet_ids if c}:
        try:
            cache.incr(_version_key(cabinet_id))
        except ValueError:
            cache.set(_version_key(cabinet_id), 1, None)


# The filters a count kept by the database answers (``models.StatusCount``): one at a time.
COUNTED_BY = ("kind", "category", "territory", "executor")
_NOT_FILTERS = ("status", "scope", "cabinet")


def _counted_values(name, value):
    if name == "category":  # a group: its categories too
        return [str(pk) for pk in category_ids(getattr(value, "pk", value))]
    return [str(getattr(value, "pk", value))]


def _kept_counts(user, filters, full, executor_in):
    """{status: count} from the counts the database keeps, or None when the filters need a
    count of their own (dates, search, deadlines, forwarded elsewhere, two fields at once, or
    a field on an executor's own appeals)."""
    if filters.get("scope") == Scope.PASSED:
        return None
    if any(value for name, value in filters.items() if name not in (*COUNTED_BY, *_NOT_FILTERS)):
        return None
    by = [name for name in COUNTED_BY if filters.get(name)]
    if len(by) > 1 or (by and executor_in):
        return None
    if filters.get("cabinet"):
        only = getattr(filters["cabinet"], "pk", filters["cabinet"])
        full, executor_in = full & {only}, executor_in & {only}
    if not full and not executor_in:
        return {}
    rows = Q(pk__in=[])
    if full:
        dimension, values = (by[0], _counted_values(by[0], filters[by[0]])) if by else ("", [""])
        rows |= Q(cabinet_id__in=sorted(full), dimension=dimension, value__in=values)
    if executor_in:
        rows |= Q(cabinet_id__in=sorted(executor_in), dimension="executor", value=str(user.pk))
    counts = dict(
        StatusCount.objects.filter(rows)
        .values_list("status")
        .annotate(total=Sum("n"))
        .values_list("status", "total")
    )
    if executor_in:  # and those the user works on as a co-executor
        co_executed = (
            Appeal.objects.filter(cabinet_id__in=sorted(executor_in), co_executors=user)
            .exclude(executor=user)
            .order_by()
            .values_list("status")
            .annotate(n=Count("*"))
        )
        for status, n in co_executed:
            counts[status] = counts.get(status, 0) + n
    return counts


def status_counts(user, filters=None):
    """{status: count} for the sidebar, over the queue with every filter but the status.

    The whole queue, and the queue filtered by one of kind, topic, territory or executor, is
    counted by the database as appeals change (``models.StatusCount``, kept by triggers in the
    same transaction): a few rows read, whatever the size of the archive, and never stale.
    Other filters are counted on the appeals themselves; that result is cached per user,
    filters, day and the version of every cabinet involved; saving any appeal of a cabinet bumps
    its version (``bump_queue_version``, after commit, from the services), so a count is not
    stale after a change. Only a bump lost while the cache server was down can leave such a
    count stale, for at most ``COUNTS_TTL``."""
    filters = dict(filters or {})
    filters.pop("status", None)
    qs, full, executor_in = _queue(user, filters)
    counts = _kept_counts(user, filters, full, executor_in)
    if counts is not None:
        return counts
    cabinets = sorted(full | executor_in)
    versions = cache.get_many([_version_key(c) for c in cabinets]) if cabinets else {}
    signature = repr(
        (
            user.pk,
            sorted((k, str(getattr(v, "pk", v))) for k, v in filters.items() if v),
            timezone.localdate().isoformat(),
            [(c, versions.get(_version_key(c), 0)) for c in cabinets],
        )
    )
    key = "appeals:status-counts:" + hashlib.sha256(signature.encode()).hexdigest()
    counts = cache.get(key)
    if counts is None:
        qs = _filtered(qs, filters, with_status=False).order_by()
        counts = dict(qs.values_list("status").annotate(n=Count("*")).values_list("status", "n"))
        cache.set(key, counts, COUNTS_TTL)
    return counts


def queue_total(counts, status):
    """The number of appeals on the queue for a status filter, from the sidebar counts: the
    paginator needs no COUNT query of its own."""
    if status == OPEN:
        return sum(n for s, n in counts.items() if s in OPEN_STATES)
    if status:
        return counts.get(status, 0)
    return sum(counts.values())


def open_appeals_of(cabinet):
    """The appeals ``cabinet`` holds that are not answered or closed yet, oldest first."""
    return (
        Appeal.objects.filter(cabinet=cabinet, status__in=OPEN_STATES)
        .only("pk", "number", "subject", "status", "received_at", "legal_due", "cabinet_id")
        .order_by("received_at", "pk")
    )


def same_citizen(appeal):
    """Q: the appeals of the citizen who filed ``appeal`` (the same author, or the same
    e-mail), or None when it names neither (a letter with a postal address only)."""
    found = None
    if appeal.author_id:
        found = Q(author_id=appeal.author_id)
    if appeal.email:
        by_email = Q(email__iexact=appeal.email)
        found = by_email if found is None else found | by_email
    return found


def earlier_answers(appeal):
    """Appeals of the same citizen to the same body answered on the merits (R11 part 5)."""
    same_person = same_citizen(appeal) or Q(pk__in=[])
    return (
        Appeal.objects.filter(same_person, cabinet_id=appeal.cabinet_id, status=Status.ANSWERED)
        .filter(answers__signed_at__isnull=False)
        .exclude(pk=appeal.pk)
        .distinct()
    )


@dataclass(frozen=True)
class StaffNextStep:
    """The step that moves an appeal on (``action``), and who may take it: ``yours`` when the
    viewer may take it now, else the people of the cabinet who may, each with their roles there
    that grant it (``people``: [(user, [Role])]), and the roles that grant it at all."""

    action: object
    yours: bool
    people: list
    roles: list


@dataclass(frozen=True)
class AuthorNextStep:
    """What happens next to the author's appeal and by when (``due``: a date or None)."""

    text: str
    due: object


def next_step_for_staff(appeal, user, memberships=None):
    """The appeal's next step on the main path (``workflow.next_step``) and who may take it,
    asked of the workflow's own rule for each member of the cabinet holding the permission.
    None for an answered or closed appeal.

    The cabinet's staff and their roles there come from one query of its memberships (or from
    ``memberships``: [(user, role)] the caller has, e.g. the card's kept lists), and the
    appeal's co-executors from one more when it has any, whatever the number of people."""
    action = workflow.next_step(appeal.status)
    if action is None:
        return None
    granting = roles_with(action.who)
    if workflow.refusal(appeal, user, action.name) is None:
        return StaffNextStep(action=action, yours=True, people=[], roles=granting)
    if memberships is None:
        memberships = [(m.user, m.role) for m in members(appeal.cabinet_id)]
    staff = {}
    for member, role in memberships:
        if member.is_active:
            person = staff.setdefault(member.pk, member)
            person.__dict__.setdefault("_active_roles", []).append(
                (appeal.cabinet_id, role)
            )  # their roles here: all this question asks (the instances are this list's own)
    if getattr(appeal, "has_co_executors", True):
        prefetch_related_objects([appeal], "co_executors")
    people = []
    for _pk, person in sorted(staff.items()):
        held = roles_in(person, appeal.cabinet_id)
        if not any(role in held for role in granting):
            continue
        if workflow.refusal(appeal, person, action.name) is None:
            people.append((person, [role for role in granting if role in held]))
    return StaffNextStep(action=action, yours=False, people=people, roles=granting)


def next_step_for_author(appeal):
    """What the author is told happens next (``workflow.CITIZEN_NEXT``), or None."""
    action = workflow.next_step(appeal.status)
    if action is None or action.name not in workflow.CITIZEN_NEXT:
        return None
    text, due_field = workflow.CITIZEN_NEXT[action.name]
    return AuthorNextStep(text=text, due=getattr(appeal, due_field, None))


def citizen_files(appeal):
    """The files the author sees (R14): their own and the scans, and the files of the
    information an answer carries (R17) once that answer is signed, never a draft's."""
    return appeal.attachments.exclude(answer__isnull=False, answer__signed_at__isnull=True)
