"""Counting a budget cycle (R36): the projects as candidates, the funds, the winners by the rule
of ``winners.py``, and the results stored and told to authors and voters."""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from edem.core.i18n import in_every_language
from edem.notifications.services import notify

from .history import record_event
from .winners import Candidate, select_winners
from .workflow import ON_BALLOT, ImplementationStatus, ProjectStatus


def candidates_of(cycle, projects):
    """The projects as ``winners.Candidate``s: final votes when counted, else ``n_votes``."""
    grouped = cycle.categories.exists()
    return [
        Candidate(
            id=p.pk,
            votes=p.final_votes if p.final_votes is not None else p.n_votes,
            cost=p.effective_cost,
            submitted_at=p.submitted_at,
            group=p.category_id if grouped else None,
        )
        for p in projects
    ]


def funds_of(cycle):
    categories = list(cycle.categories.all())
    if categories:
        return {c.pk: c.fund for c in categories}
    return {None: cycle.total_fund}


def compute_results(cycle):
    """Count the votes, apply the rule of ``winners.py`` (R36), store votes, places and the
    winners, and tell the authors and the voters."""
    if cycle.results_published_at is not None:
        return
    cycle.ballots.filter(locked_at__isnull=True).update(locked_at=timezone.now())  # R35
    projects = list(
        cycle.projects.filter(status__in=ON_BALLOT)
        .annotate(n_votes=Count("votes"))
        .select_related("author")
    )
    for project in projects:
        project.final_votes = project.n_votes
    results = select_winners(candidates_of(cycle, projects), funds_of(cycle))
    winners = {c.id for r in results.values() for c in r.winners}
    places = {c.id: i for r in results.values() for i, c in enumerate(r.ranking, start=1)}
    for project in projects:
        project.rank = places.get(project.pk)
        if project.pk in winners:
            project.status = ProjectStatus.SELECTED
            project.implementation_status = ImplementationStatus.PLANNED
        else:
            project.status = ProjectStatus.NOT_SELECTED
        project.save(
            update_fields=["final_votes", "rank", "status", "implementation_status", "updated_at"]
        )
    cycle.results_published_at = timezone.now()
    cycle.save(update_fields=["results_published_at", "updated_at"])
    record_event(
        cycle,
        action="results",
        winners=sorted(winners),
        remaining={str(k): str(r.remaining) for k, r in results.items()},
    )
    path = reverse("budgets:results", args=[cycle.pk])
    for project in projects:
        notify(
            template="budgets/results",
            recipient=project.author,
            context={
                "role": "author",
                "cycle": in_every_language(cycle, "title"),
                "title": project.title,
                "selected": project.pk in winners,
                "votes": project.final_votes,
                "path": path,
            },
            key=f"budgets:results:{cycle.pk}:author:{project.pk}",
        )
    voters = cycle.ballots.filter(user__isnull=False).select_related("user")
    for ballot in voters:
        notify(
            template="budgets/results",
            recipient=ballot.user,
            context={"role": "voter", "cycle": in_every_language(cycle, "title"), "path": path},
            key=f"budgets:results:{cycle.pk}:voter:{ballot.user_id}",
        )
