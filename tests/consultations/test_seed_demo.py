"""The demo content of the four consultation instruments (``manage.py seed_demo_consultations``):
every instrument is alive in the states a visitor should see, a second run changes nothing, and
the public pages show it."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from consultations.budgets.models import BudgetCycle, BudgetEvent, ImplementationUpdate, Project
from consultations.budgets.models import Vote as BudgetVote
from consultations.budgets.workflow import Phase, ProjectStatus
from consultations.discussions.models import Comment, Discussion, DiscussionEvent
from consultations.discussions.models import Support as DiscussionSupport
from consultations.discussions.workflow import Status as DiscussionStatus
from consultations.management.commands import seed_demo_consultations as demo
from consultations.petitions.models import Petition, PetitionEvent, Signature
from consultations.petitions.workflow import Status as PetitionStatus
from consultations.polls.models import Answer, Ballot, Poll, PollEvent, Question
from consultations.polls.workflow import Status as PollStatus
from edem.geo.lookup import territory_for
from edem.notifications.models import Notification

pytestmark = pytest.mark.django_db

MODELS = (
    get_user_model(),
    Discussion,
    DiscussionEvent,
    Comment,
    DiscussionSupport,
    Poll,
    PollEvent,
    Ballot,
    Answer,
    Petition,
    PetitionEvent,
    Signature,
    BudgetCycle,
    BudgetEvent,
    Project,
    BudgetVote,
    ImplementationUpdate,
    Notification,
)


def snapshot():
    """Row counts, states and last changes of everything the demo writes."""
    return {
        "counts": {model.__name__: model.objects.count() for model in MODELS},
        "states": sorted(
            [("discussion", *row) for row in Discussion.objects.values_list("title", "status")]
            + [("poll", *row) for row in Poll.objects.values_list("title", "status")]
            + [("petition", *row) for row in Petition.objects.values_list("title", "status")]
            + [("cycle", *row) for row in BudgetCycle.objects.values_list("title", "status")]
        ),
        "changed": sorted(
            str(value)
            for model in (Discussion, Poll, Petition, BudgetCycle)
            for value in model.objects.values_list("updated_at", flat=True)
        ),
    }


@pytest.fixture
def seeded():
    call_command("seed_demo", quiet=True, bare=True)  # the town only
    out = StringIO()
    call_command("seed_demo_consultations", stdout=out)
    assert "are loaded" in out.getvalue()
    return out


def test_second_run_changes_nothing(seeded):
    before = snapshot()
    out = StringIO()
    call_command("seed_demo_consultations", stdout=out)
    assert "already there" in out.getvalue()
    assert snapshot() == before


def test_refuses_without_the_demo_town():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo_consultations", quiet=True)


def test_discussions_in_every_state(seeded):
    active = Discussion.objects.get(title=demo.DISCUSSION_ACTIVE)
    assert active.status == DiscussionStatus.ACTIVE
    assert active.versions.count() == 2  # the diff page has something to show
    assert active.current_version().sections.count() == 3
    assert active.current_version().paragraphs.count() >= 8
    assert active.comments.filter(kind=Comment.Kind.COMMENT).count() >= 2
    wording = active.comments.filter(kind=Comment.Kind.WORDING)
    assert wording.exists()
    assert DiscussionSupport.objects.filter(comment__in=wording).count() >= 3
    assert active.ends_at > timezone.now() > active.starts_at

    done = Discussion.objects.get(title=demo.DISCUSSION_DONE)
    assert done.status == DiscussionStatus.RESULTS_PUBLISHED
    assert done.ends_at < timezone.now()
    assert done.comments.count() >= 4
    assert not done.comments.visible().filter(decision__isnull=True).exists()  # R31
    assert done.events.filter(action="complete", actor__isnull=True).exists()  # by the beat

    proposed = Discussion.objects.get(title=demo.DISCUSSION_PROPOSED)
    assert proposed.status == DiscussionStatus.MODERATION
    assert proposed.proposed_by_resident


def test_polls_in_every_state(seeded):
    active = Poll.objects.get(title=demo.POLL_ACTIVE)
    assert active.status == PollStatus.ACTIVE
    assert set(active.questions.values_list("kind", flat=True)) == set(Question.Kind.values)
    multiple = active.questions.get(kind=Question.Kind.MULTIPLE)
    assert (multiple.min_choices, multiple.max_choices) == (1, 3)
    assert active.ballots.count() >= 5
    assert active.ends_at > timezone.now() > active.starts_at

    done = Poll.objects.get(title=demo.POLL_DONE)
    assert done.status == PollStatus.RESULTS_PUBLISHED
    assert done.decision
    texts = Answer.objects.filter(ballot__poll=done).exclude(text_status="")
    assert texts.filter(text_status=Answer.TextStatus.APPROVED).count() >= 3
    assert not texts.filter(text_status=Answer.TextStatus.PENDING).exists()

    assert Poll.objects.get(title=demo.POLL_PROPOSED).status == PollStatus.MODERATION


def test_petitions_in_every_state(seeded):
    collecting = Petition.objects.get(title=demo.PETITION_COLLECTING)
    assert collecting.status == PetitionStatus.COLLECTING
    assert 0 < collecting.signature_count < collecting.signature_threshold
    assert collecting.signatures.valid().count() == collecting.signature_count

    answered = Petition.objects.get(title=demo.PETITION_ANSWERED)
    assert answered.status == PetitionStatus.ANSWERED
    assert answered.signature_count >= answered.signature_threshold
    assert answered.answer_result == Petition.Result.SUPPORTED and answered.answer_text
    assert answered.events.filter(action="reach_threshold").exists()

    moderation = Petition.objects.get(title=demo.PETITION_MODERATION)
    assert moderation.status == PetitionStatus.MODERATION

    expired = Petition.objects.get(title=demo.PETITION_EXPIRED)
    assert expired.status == PetitionStatus.EXPIRED
    assert expired.collection_ends_on < timezone.localdate()
    assert 0 < expired.signature_count < expired.signature_threshold


def test_budgets_voting_now_and_last_year_implemented(seeded):
    year = timezone.localdate().year
    current = BudgetCycle.objects.get(title=demo.BUDGET_TITLE.format(year=year))
    assert current.status == Phase.VOTING
    assert current.is_open(Phase.VOTING)
    assert current.categories.count() == 2
    accepted = current.projects.filter(status=ProjectStatus.ACCEPTED)
    assert accepted.count() == 6
    for project in accepted:
        assert project.number is not None  # drawn by lot (R34)
        assert project.cost_lines.exists()
        assert territory_for(float(project.latitude), float(project.longitude)) is not None
    assert current.projects.filter(status=ProjectStatus.REJECTED).exclude(review_reason="")
    assert BudgetVote.objects.filter(project__cycle=current).count() >= 10

    previous = BudgetCycle.objects.get(title=demo.BUDGET_TITLE.format(year=year - 1))
    assert previous.results_published_at is not None
    # The first implementation update moves WINNERS_PUBLISHED on to IMPLEMENTATION.
    assert previous.status == Phase.IMPLEMENTATION
    assert previous.projects.filter(status=ProjectStatus.SELECTED).count() >= 2
    assert previous.projects.filter(status=ProjectStatus.NOT_SELECTED).exists()  # R36
    assert ImplementationUpdate.objects.filter(project__cycle=previous).exists()


def test_public_pages_show_the_demo(seeded, client):
    pages = {
        "/discussions/": [demo.DISCUSSION_ACTIVE, demo.DISCUSSION_DONE],
        "/polls/": [demo.POLL_ACTIVE, demo.POLL_DONE],
        "/petitions/": [demo.PETITION_COLLECTING, demo.PETITION_ANSWERED],
        "/budgets/": [demo.BUDGET_TITLE.format(year=timezone.localdate().year)],
    }
    active = Discussion.objects.get(title=demo.DISCUSSION_ACTIVE)
    done = Discussion.objects.get(title=demo.DISCUSSION_DONE)
    poll = Poll.objects.get(title=demo.POLL_DONE)
    answered = Petition.objects.get(title=demo.PETITION_ANSWERED)
    cycle = BudgetCycle.objects.get(status=Phase.VOTING)
    project = cycle.projects.filter(status=ProjectStatus.ACCEPTED).first()
    pages |= {
        f"/discussions/{active.pk}/": [active.title],
        f"/discussions/{active.pk}/versions/2/changes/": [active.title],
        f"/discussions/{done.pk}/outcome/": [done.title],
        f"/polls/{poll.pk}/results/": [poll.title, "Сквер Учителей"],
        f"/petitions/{answered.pk}/": [answered.title],
        f"/budgets/{cycle.pk}/": [cycle.title],
        f"/budgets/projects/{project.pk}/": [project.title],
    }
    for url, texts in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for text in texts:
            assert text in page, (url, text)
    for title in (demo.DISCUSSION_PROPOSED, demo.POLL_PROPOSED, demo.PETITION_MODERATION):
        for url in ("/discussions/", "/polls/", "/petitions/"):
            assert title not in client.get(url).content.decode()  # not public on moderation
