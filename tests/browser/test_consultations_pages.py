"""The consultations pages of the demo town in headless Chromium: every public page and the
forms a resident fills (ballot, signature, budget vote, comment), with axe-core finding no
serious or critical violation, on a desktop and on a phone without sideways scrolling."""

from django.urls import reverse

from consultations.budgets.models import BudgetCycle
from consultations.discussions.models import Discussion
from consultations.petitions.models import Petition
from consultations.polls.models import Poll

from .a11y import assert_accessible
from .test_portal import scroll_width, sign_in

DEMO_PASSWORD = "edem-demo-2026"  # noqa: S105 - the demo town's published password


def public_pages():
    discussion = Discussion.objects.filter(status="active").first()
    published = Discussion.objects.filter(status="results_published").first()
    poll = Poll.objects.filter(status="active").first()
    poll_done = Poll.objects.filter(status="results_published").first()
    petition = Petition.objects.filter(status="collecting").first()
    answered = Petition.objects.filter(status="answered").first()
    cycle = BudgetCycle.objects.filter(status="voting").first()
    project = cycle.projects.filter(status="accepted").first()
    return [
        reverse("consultations:index"),
        reverse("discussions:list"),
        reverse("discussions:detail", args=[discussion.pk]),
        reverse("discussions:outcome", args=[published.pk]),
        reverse("polls:list"),
        reverse("polls:detail", args=[poll.pk]),
        reverse("polls:results", args=[poll_done.pk]),
        reverse("petitions:list"),
        reverse("petitions:detail", args=[petition.pk]),
        reverse("petitions:detail", args=[answered.pk]),
        reverse("budgets:list"),
        reverse("budgets:cycle", args=[cycle.pk]),
        reverse("budgets:project", args=[project.pk]),
    ]


def test_public_consultations_pages_are_accessible(page, demo_consultations):
    for url in public_pages():
        response = page.goto(url)
        assert response.status == 200, url
        assert_accessible(page)


def test_resident_forms_are_accessible(page, demo_consultations):
    sign_in(page, "ivanova@demo.edem", DEMO_PASSWORD)
    poll = Poll.objects.filter(status="active").first()
    petition = Petition.objects.filter(status="collecting").first()
    cycle = BudgetCycle.objects.filter(status="voting").first()
    for url in (
        reverse("polls:detail", args=[poll.pk]),
        reverse("petitions:detail", args=[petition.pk]),
        reverse("budgets:vote", args=[cycle.pk]),
        reverse("petitions:create"),
        reverse("polls:propose"),
        reverse("discussions:propose"),
        reverse("accounts:cabinet"),
    ):
        response = page.goto(url)
        assert response.status == 200, url
        assert_accessible(page)


def test_consultations_pages_fit_a_phone(phone_page, demo_consultations):
    for url in public_pages():
        phone_page.goto(url)
        assert scroll_width(phone_page) <= 390 + 1, url
