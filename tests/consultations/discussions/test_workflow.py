"""R28 initiators and moderation, R29 lifecycle: the transitions table, frozen text and dates,
early termination, and the beat task that moves discussions by date."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from consultations.discussions import services, tasks, workflow
from consultations.discussions.models import DiscussionEvent
from consultations.discussions.workflow import Status
from consultations.eligibility import NotEligible
from edem.celery import BEAT_SCHEDULE
from edem.core.workflow import TransitionNotAllowed
from tests.factories import CabinetFactory, CitizenFactory, UserFactory, member

from .factories import DRAFT_MD, CommentFactory, DiscussionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cabinet():
    return CabinetFactory()


@pytest.fixture
def head(cabinet):
    return member(cabinet, "head")


@pytest.fixture
def registrar(cabinet):
    return member(cabinet, "registrar")


def _create(cabinet, actor, **kw):
    now = timezone.now()
    fields = {
        "title": "Проект правил благоустройства",
        "starts_at": now + timedelta(days=2),
        "ends_at": now + timedelta(days=23),
        "markdown": DRAFT_MD,
    }
    fields.update(kw)
    return services.create_discussion(actor=actor, cabinet=cabinet, **fields)


def test_R28_a_cabinet_creates_a_discussion_as_a_draft_with_version_1(cabinet, registrar):
    discussion = _create(cabinet, registrar)
    assert discussion.status == Status.DRAFT
    version = discussion.current_version()
    assert version.number == 1 and version.paragraphs.count() == 4
    assert list(discussion.events.values_list("action", flat=True)) == ["create", "version"]
    executor = member(cabinet, "executor")
    with pytest.raises(TransitionNotAllowed):  # an executor may not put acts up for discussion
        _create(cabinet, executor)
    with pytest.raises(TransitionNotAllowed):  # nor may staff of another cabinet
        _create(CabinetFactory(), registrar)


def test_R28_residents_may_propose_a_discussion_subject_to_moderation(
    cabinet, registrar, django_capture_on_commit_callbacks
):
    resident = CitizenFactory(birth_date=timezone.localdate().replace(year=1980))
    with django_capture_on_commit_callbacks(execute=True):
        discussion = services.propose_discussion(
            actor=resident, cabinet=cabinet, title="Правила выгула собак", markdown=DRAFT_MD
        )
    assert discussion.status == Status.MODERATION and discussion.proposed_by_resident
    assert not discussion.is_public
    assert [m.to for m in mail.outbox] == [[registrar.email]]  # the moderators are told
    with pytest.raises(TransitionNotAllowed):  # the resident cannot approve their own
        services.approve(discussion=discussion, actor=resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        discussion = services.reject(
            discussion=discussion, actor=registrar, note="Проект уже обсуждался в мае."
        )
    assert discussion.status == Status.REJECTED
    assert mail.outbox[0].to == [resident.email]
    assert "Проект уже обсуждался в мае." in mail.outbox[0].body


def test_R28_a_resident_who_may_not_initiate_is_refused_with_the_reason(cabinet, settings):
    settings.EDEM_DISCUSSION_INITIATOR_MIN_AGE = 18
    unverified = UserFactory()  # e-mail only
    with translation.override("en"), pytest.raises(NotEligible) as refused:
        services.propose_discussion(
            actor=unverified, cabinet=cabinet, title="Проект", markdown=DRAFT_MD
        )
    assert "verification level" in str(refused.value.reason)
    young = CitizenFactory(birth_date=timezone.localdate() - timedelta(days=365 * 15))
    with translation.override("en"), pytest.raises(NotEligible, match="age of 18"):
        services.propose_discussion(actor=young, cabinet=cabinet, title="П", markdown=DRAFT_MD)


def test_R29_lifecycle_follows_the_transitions_table(cabinet, registrar, head):
    discussion = _create(cabinet, registrar)
    with pytest.raises(TransitionNotAllowed):  # DRAFT cannot jump to SCHEDULED
        services.approve(discussion=discussion, actor=registrar)
    services.submit(discussion=discussion, actor=registrar)
    services.approve(discussion=discussion, actor=registrar, note="Соответствует регламенту")
    discussion.refresh_from_db()
    assert discussion.status == Status.SCHEDULED and discussion.is_public
    with pytest.raises(TransitionNotAllowed):  # only the calendar opens a discussion
        workflow.check(discussion, head, "start")
    assert services.run_calendar(now=discussion.starts_at) == (1, 0)
    discussion.refresh_from_db()
    assert discussion.status == Status.ACTIVE
    with pytest.raises(TransitionNotAllowed):  # the outcome waits for the end
        services.publish_results(discussion=discussion, actor=head)
    assert services.run_calendar(now=discussion.ends_at) == (0, 1)
    discussion.refresh_from_db()
    assert discussion.status == Status.COMPLETED
    with pytest.raises(TransitionNotAllowed):  # a registrar does not publish the outcome
        services.publish_results(discussion=discussion, actor=registrar)
    services.publish_results(discussion=discussion, actor=head)
    discussion.refresh_from_db()
    assert discussion.status == Status.RESULTS_PUBLISHED
    history = list(discussion.events.values_list("action", "from_status", "to_status"))
    assert [h[0] for h in history] == [
        "create", "version", "submit", "approve", "start", "complete", "publish_results",
    ]  # fmt: skip
    assert history[-1][1:] == ("completed", "results_published")
    event = discussion.events.last()
    with pytest.raises(ValueError):  # the history is immutable
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_R29_every_refusal_of_the_table_says_why(cabinet, registrar):
    discussion = DiscussionFactory(cabinet=cabinet, status=Status.ACTIVE)
    with translation.override("en"):
        assert "Open for comments" in str(workflow.refusal(discussion, registrar, "submit"))
        assert "calendar" in str(workflow.refusal(discussion, registrar, "complete"))
        outsider = member(CabinetFactory(), "head")
        assert "role" in str(workflow.refusal(discussion, outsider, "moderate"))
    # the registrar (a resident too) may take part and moderate, not decide or edit
    assert [a.name for a in workflow.available_actions(discussion, registrar)] == ["moderate"]
    registrar.verification_level = "resident"
    assert [a.name for a in workflow.available_actions(discussion, registrar)] == [
        "comment",
        "support",
        "moderate",
    ]


def test_R29_text_and_dates_are_frozen_once_active(cabinet, registrar):
    discussion = _create(cabinet, registrar)
    later = discussion.ends_at + timedelta(days=5)
    services.update_discussion(discussion=discussion, actor=registrar, ends_at=later, title="Новое")
    services.add_version(discussion=discussion, actor=registrar, markdown=DRAFT_MD + "\nЕщё.\n")
    discussion.refresh_from_db()
    assert discussion.title == "Новое" and discussion.versions.count() == 2
    services.submit(discussion=discussion, actor=registrar)
    services.approve(discussion=discussion, actor=registrar)
    services.run_calendar(now=discussion.starts_at)
    discussion.refresh_from_db()
    assert discussion.status == Status.ACTIVE
    with pytest.raises(TransitionNotAllowed):
        services.update_discussion(
            discussion=discussion, actor=registrar, ends_at=later + timedelta(days=1)
        )
    with pytest.raises(TransitionNotAllowed):
        services.update_discussion(discussion=discussion, actor=registrar, title="Другое")
    with pytest.raises(TransitionNotAllowed):
        services.add_version(discussion=discussion, actor=registrar, markdown="Иной текст.")
    discussion.refresh_from_db()
    assert (discussion.title, discussion.ends_at, discussion.versions.count()) == (
        "Новое",
        later,
        2,
    )


def test_R29_a_resident_initiator_shapes_only_their_own_draft(cabinet):
    resident = CitizenFactory()
    discussion = DiscussionFactory(
        cabinet=cabinet, initiator=resident, status=Status.DRAFT, proposed_by_resident=True
    )
    services.update_discussion(discussion=discussion, actor=resident, title="Мой проект")
    services.submit(discussion=discussion, actor=resident)
    with pytest.raises(TransitionNotAllowed):  # on moderation the cabinet decides
        services.update_discussion(discussion=discussion, actor=resident, title="Другой")


def test_R29_terminated_early_needs_a_reason_and_tells_the_participants(
    cabinet, head, django_capture_on_commit_callbacks
):
    discussion = DiscussionFactory(cabinet=cabinet)
    comment = CommentFactory(discussion=discussion)
    with pytest.raises(TransitionNotAllowed):
        services.terminate(discussion=discussion, actor=head, reason="boredom", note="x")
    with pytest.raises(TransitionNotAllowed):
        services.terminate(discussion=discussion, actor=head, reason="technical_error", note=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.terminate(
            discussion=discussion,
            actor=head,
            reason="no_longer_relevant",
            note="Проект отозван администрацией.",
        )
    discussion.refresh_from_db()
    assert discussion.status == Status.TERMINATED_EARLY
    assert discussion.termination_reason == "no_longer_relevant"
    assert [m.to for m in mail.outbox] == [[comment.author.email]]
    assert "Проект отозван администрацией." in mail.outbox[0].body
    with pytest.raises(TransitionNotAllowed):  # final
        services.terminate(discussion=discussion, actor=head, reason="technical_error", note="x")


def test_R29_beat_task_opens_and_closes_by_date_idempotently(
    cabinet, head, django_capture_on_commit_callbacks
):
    assert "consultations.discussions.tasks.run_discussion_calendar" in {
        task for task, _seconds in BEAT_SCHEDULE.values()
    }
    now = timezone.now()
    resident = CitizenFactory()
    due = DiscussionFactory(
        cabinet=cabinet,
        status=Status.SCHEDULED,
        starts_at=now - timedelta(minutes=1),
        initiator=resident,
        proposed_by_resident=True,
    )
    not_yet = DiscussionFactory(
        cabinet=cabinet, status=Status.SCHEDULED, starts_at=now + timedelta(hours=1)
    )
    ending = DiscussionFactory(
        cabinet=cabinet, starts_at=now - timedelta(days=30), ends_at=now - timedelta(minutes=1)
    )
    participant = CommentFactory(discussion=ending).author
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.run_discussion_calendar.delay().get() == {"started": 1, "completed": 1}
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.run_discussion_calendar.delay().get() == {"started": 0, "completed": 0}
    for item in (due, not_yet, ending):
        item.refresh_from_db()
    assert (due.status, not_yet.status, ending.status) == (
        Status.ACTIVE,
        Status.SCHEDULED,
        Status.COMPLETED,
    )
    assert DiscussionEvent.objects.filter(action__in=["start", "complete"]).count() == 2
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([resident.email, participant.email, head.email])
    # a second, concurrent-looking call on a row already moved does nothing
    assert services.start(due.pk) is False and services.complete(ending.pk) is False
