"""Reads of participatory budgets: public lists and pages, the personal cabinet, the service
cabinet's queues, and the published results (R36)."""

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from consultations._shared import staff_cabinet_ids
from consultations.eligibility import voter_key

from .models import BudgetCycle, BudgetEvent, Project, Vote
from .results import candidates_of, funds_of
from .winners import select_winners
from .workflow import ON_BALLOT, ProjectStatus


def public_cycles(filters=None):
    """Announced cycles (their parameters approved), newest year first."""
    filters = filters or {}
    qs = BudgetCycle.objects.filter(parameters_approved_at__isnull=False)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    for name in ("territory", "cabinet", "year"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    return (
        qs.select_related("cabinet", "territory")
        .annotate(n_projects=Count("projects"))
        .order_by("-year", "-submission_start", "pk")
    )


def public_cycle(pk):
    return get_object_or_404(
        BudgetCycle.objects.select_related("cabinet", "territory", "eligible_territory"),
        pk=pk,
        parameters_approved_at__isnull=False,
    )


SORTS = {
    "number": ("number", "submitted_at", "pk"),
    "newest": ("-submitted_at", "-pk"),
    "cost": ("cost", "pk"),
    "-cost": ("-cost", "pk"),
    "title": ("title", "pk"),
    "votes": ("rank", "-final_votes", "submitted_at", "pk"),
}


def public_projects(cycle, filters=None):
    """The projects of a public cycle, filtered and sorted. All submitted projects are public
    (including rejected ones, with the reason: R34); nothing of the author is shown."""
    filters = filters or {}
    qs = cycle.projects.all()
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    text = (filters.get("q") or "").strip()
    if text:
        query = Q(title__icontains=text) | Q(description__icontains=text)
        query |= Q(address__icontains=text)
        if text.isdigit():
            query |= Q(number=int(text))
        qs = qs.filter(query)
    sort = filters.get("sort") or ("votes" if cycle.results_published_at else "number")
    if sort == "votes" and not cycle.results_published_at:
        sort = "number"
    return qs.select_related("category").order_by(*SORTS.get(sort, SORTS["number"]))


def public_project(pk):
    return get_object_or_404(
        Project.objects.select_related("cycle", "cycle__cabinet", "category"),
        pk=pk,
        cycle__parameters_approved_at__isnull=False,
    )


def public_events(project):
    return BudgetEvent.objects.filter(project=project, is_public=True).order_by("at", "pk")


def ballot_projects(cycle):
    return (
        cycle.projects.filter(status=ProjectStatus.ACCEPTED)
        .select_related("category")
        .order_by("category__position", "number", "pk")
    )


def my_votes_in(cycle, user):
    if not user.is_authenticated:
        return []
    return list(
        Vote.objects.filter(ballot__cycle=cycle, voter_key=voter_key(user)).select_related(
            "project"
        )
    )


def my_projects(user):
    return Project.objects.filter(author=user).select_related("cycle").order_by("-submitted_at")


def my_votes(user):
    return (
        Vote.objects.filter(voter_key=voter_key(user))
        .select_related("project", "project__cycle")
        .order_by("-created_at")
    )


def results(cycle):
    """[(category or None, GroupResult with projects in place of candidates)] from the stored
    final votes, with the rule of ``winners.py`` (R36)."""
    if cycle.results_published_at is None:
        return []
    projects = {
        p.pk: p for p in cycle.projects.filter(status__in=ON_BALLOT).select_related("category")
    }
    groups = select_winners(candidates_of(cycle, projects.values()), funds_of(cycle))
    categories = {c.pk: c for c in cycle.categories.all()}
    out = []
    for group, result in groups.items():
        winners = {c.id for c in result.winners}
        rows = [(projects[c.id], c.id in winners) for c in result.ranking]
        out.append((categories.get(group), result, rows))
    out.sort(key=lambda item: (item[0].position, item[0].name) if item[0] else (0, ""))
    return out


# --- Service cabinet -----------------------------------------------------------------------


def staff_cycles(user):
    return (
        BudgetCycle.objects.filter(cabinet_id__in=staff_cabinet_ids(user))
        .select_related("cabinet", "territory")
        .annotate(
            n_projects=Count("projects", distinct=True),
            n_waiting=Count(
                "projects",
                filter=Q(projects__status__in=[ProjectStatus.SUBMITTED, ProjectStatus.APPEALED]),
                distinct=True,
            ),
        )
        .order_by("-year", "title", "pk")
    )


def staff_cycle(user, pk):
    """The cycle if the user is staff of its cabinet; otherwise 404 (never 403)."""
    cycle = (
        BudgetCycle.objects.select_related("cabinet", "territory")
        .filter(pk=pk, cabinet_id__in=staff_cabinet_ids(user))
        .first()
    )
    if cycle is None:
        raise Http404
    return cycle


def staff_project(user, pk):
    project = (
        Project.objects.select_related("cycle", "cycle__cabinet", "category", "author")
        .filter(pk=pk, cycle__cabinet_id__in=staff_cabinet_ids(user))
        .first()
    )
    if project is None:
        raise Http404
    return project


def review_queue(cycle, status=None):
    """The cycle's projects for review: waiting ones (submitted, appealed) first, oldest
    first."""
    qs = cycle.projects.select_related("category", "author")
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=[ProjectStatus.SUBMITTED, ProjectStatus.APPEALED])
    return qs.order_by("submitted_at", "pk")


def phase_counts(cycle):
    return dict(
        cycle.projects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
