"""The beat task: collection periods end, missed terms are flagged; running it twice does no
harm."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cabinets.roles import Role
from consultations.petitions import tasks
from consultations.petitions.models import Petition
from consultations.petitions.workflow import Status
from edem.celery import BEAT_SCHEDULE
from edem.notifications.models import Notification
from tests.factories import CabinetFactory, member

from .factories import CollectingPetitionFactory, PetitionFactory

pytestmark = pytest.mark.django_db


def test_the_task_is_in_the_beat_schedule():
    assert any(
        task == "consultations.petitions.tasks.run_petitions_by_date"
        for task, _seconds in BEAT_SCHEDULE.values()
    )


def test_R24_collection_ends_by_date_and_the_task_is_idempotent():
    today = timezone.localdate()
    ended = CollectingPetitionFactory(collection_ends_on=today - timedelta(days=1))
    last_day = CollectingPetitionFactory(collection_ends_on=today)
    assert tasks.run_petitions_by_date.delay().get() == {"expired": 1, "flagged": 0}
    assert tasks.run_petitions_by_date.delay().get() == {"expired": 0, "flagged": 0}
    ended.refresh_from_db()
    last_day.refresh_from_db()
    assert ended.status == Status.EXPIRED and ended.expired_at
    assert last_day.status == Status.COLLECTING  # the last day still collects
    assert ended.events.filter(action="expire").count() == 1
    assert (
        Notification.objects.filter(recipient=ended.author, context__event="expired").count() == 1
    )


def test_R23_R25_missed_terms_are_flagged_once_and_the_cabinet_is_told():
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    yesterday = timezone.localdate() - timedelta(days=1)
    late_moderation = PetitionFactory(
        cabinet=cabinet, status=Status.MODERATION, moderation_due=yesterday
    )
    late_announce = CollectingPetitionFactory(
        cabinet=cabinet, status=Status.THRESHOLD_REACHED, announce_due=yesterday
    )
    late_decision = CollectingPetitionFactory(
        cabinet=cabinet, status=Status.UNDER_CONSIDERATION, decision_due=yesterday
    )
    on_time = PetitionFactory(
        cabinet=cabinet, status=Status.MODERATION, moderation_due=timezone.localdate()
    )
    assert tasks.run_petitions_by_date() == {"expired": 0, "flagged": 3}
    assert tasks.run_petitions_by_date() == {"expired": 0, "flagged": 0}
    for petition, action in (
        (late_moderation, "overdue_moderation"),
        (late_announce, "overdue_announce"),
        (late_decision, "overdue_decision"),
    ):
        assert petition.events.filter(action=action).count() == 1
        assert Notification.objects.filter(recipient=head, context__event=action).count() == 1
        assert Petition.objects.get(pk=petition.pk).is_overdue()
    assert not on_time.events.exists()


def test_R25_working_days_skip_the_new_year_holidays():
    from edem.core.calendar import working_day_deadline
    from edem.core.jurisdiction import get_profile

    # Russia: 31 December 2026 and 1-10 January 2027 are days off, so the three working days
    # after 30 December 2026 are 11, 12 and 13 January (the petitions' services count their
    # moderation, announcement and decision days with this kernel function).
    due = working_day_deadline(date(2026, 12, 30), 3, get_profile().country)
    assert due.legal_due == date(2027, 1, 13)
