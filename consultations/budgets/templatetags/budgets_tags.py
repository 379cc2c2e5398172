"""Template tags of participatory budgeting for pages owned by other apps (the personal
cabinet includes ``budgets/_personal_section.html``)."""

from django import template
from django.utils import timezone

from consultations.eligibility import voter_key

from ..models import BudgetCycle, Project, Vote
from ..workflow import Phase

register = template.Library()


@register.simple_tag
def budget_summary(user):
    """Counts of the user's projects and votes, and the cycles where voting is open now."""
    if not user or not user.is_authenticated:
        return {"projects": 0, "votes": 0, "open_voting": []}
    today = timezone.localdate()
    voting = BudgetCycle.objects.filter(
        parameters_approved_at__isnull=False,
        voting_start__lte=today,
        voting_end__gte=today,
    ).order_by("voting_end")
    return {
        "projects": Project.objects.filter(author=user).count(),
        "votes": Vote.objects.filter(voter_key=voter_key(user)).count(),
        "open_voting": [c for c in voting if c.is_open(Phase.VOTING, today)],
    }
