"""The demo town's appeals: loaded by ``seed_demo`` through the real services, once."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from appeals.models import Appeal
from appeals.workflow import Status
from edem.accounts.models import User

pytestmark = pytest.mark.django_db


def test_demo_appeals_cover_the_workflow_and_load_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the public map follows after commit
        call_command("seed_demo", quiet=True)
    call_command("seed_demo_appeals")  # again: nothing new
    # The appeals told in fixtures/demo/appeals.toml; seed_demo_analytics adds months of
    # history besides (marked in the subject).
    appeals = Appeal.objects.exclude(subject__startswith="(история) ")
    # eleven appeals (one of them an organisation's) and three requests for information (R17)
    assert appeals.count() == 14
    statuses = set(appeals.values_list("status", flat=True))
    assert {
        Status.RECEIVED, Status.REGISTERED, Status.IN_WORK, Status.ANSWER_DRAFTED,
        Status.ANSWERED, Status.CLOSED_NO_MERITS, Status.WITHDRAWN,
    } <= statuses  # fmt: skip
    for answered in appeals.exclude(kind=Appeal.Kind.INFORMATION_REQUEST).filter(
        status=Status.ANSWERED
    ):
        assert answered.answers.get().letter  # signed with the demo second factor: a real PDF
    # 59-FZ Art. 1(4): an organisation's appeal, answered by post to its address (R12), the
    # letter in an outgoing-mail batch with its register, handed to the post office.
    organisation = appeals.get(organisation_number="1026900123458")
    assert organisation.signer_position and organisation.status == Status.ANSWERED
    batch = organisation.answers.get().mail_batch
    assert batch.is_sent and batch.register
    assert organisation.events.filter(action="posted").exists()
    assert appeals.filter(is_collective=True).exists()
    assert appeals.filter(events__action="extend").exists()
    assert appeals.filter(events__action="forward").exists()
    # R17: requests for information in their stages: answered, refused with reasons, deferred.
    requests = appeals.filter(kind=Appeal.Kind.INFORMATION_REQUEST)
    assert requests.count() == 3
    assert requests.filter(status=Status.ANSWERED, answers__refusal_ground="").exists()
    assert requests.filter(status=Status.ANSWERED, answers__refusal_ground="restricted").exists()
    deferred = requests.get(events__action="defer")
    assert deferred.status == Status.IN_WORK and deferred.original_due < deferred.legal_due
    assert any(a.is_overdue() for a in appeals.filter(status__in=["registered", "in_work"]))
    # Street and yard problems are on the public map, with supports and comments.
    from appeals.community.models import Comment
    from appeals.problems.models import PublicProblem

    assert PublicProblem.objects.count() >= 3
    assert PublicProblem.objects.filter(support_count__gte=1).exists()
    assert Comment.objects.filter(is_official=True).exists()
    # The housing department publishes a reception; two citizens booked it (R15), one of a
    # privileged category, and today's walk-ins have their outcomes.
    from appeals.reception.models import Booking, ReceptionCard, ReceptionSchedule

    schedule = ReceptionSchedule.objects.get(cabinet__code="housing")
    assert schedule.is_published and schedule.official.email == "housing.head@demo.edem"
    assert Booking.objects.live().filter(schedule=schedule).count() == 2
    assert Booking.objects.filter(privileged_category="war_veteran").exists()
    assert set(ReceptionCard.objects.values_list("outcome", flat=True)) == {"oral", "explained"}
    assert "каб. 12" in client.get(reverse("reception:schedule", args=["housing"])).content.decode()
    # The citizen sees them in the personal cabinet.
    client.force_login(User.objects.get(email="petrov@demo.edem"))
    page = client.get(reverse("appeals:my_list")).content.decode()
    assert "Не горят фонари на ул. Мира" in page
    # The demo town in ru, uk and en (issue 16): topics and answer templates.
    from appeals.models import AnswerTemplate, Category

    lighting = Category.objects.get(name_ru="Уличное освещение")
    assert (lighting.name_uk, lighting.name_en) == ("Вуличне освітлення", "Street lighting")
    assert not Category.objects.filter(name_uk__isnull=True).exists()
    assert not Category.objects.filter(name_en="").exists()
    assert not AnswerTemplate.objects.filter(title_en__isnull=True).exists()
    assert AnswerTemplate.objects.get(title_ru="Общий ответ").body_uk.startswith("Шановний")


def test_bare_demo_has_no_appeals():
    call_command("seed_demo", quiet=True, bare=True)
    assert not Appeal.objects.exists()
    # The town's reference data in ru, uk and en (issue 16).
    from cabinets.models import Cabinet, Membership, Publication
    from edem.geo.models import Territory

    housing = Cabinet.objects.get(code="housing")
    assert housing.name_uk == "Управління житлово-комунального господарства"
    assert housing.short_name_en == "Housing and utilities"
    assert not Cabinet.objects.filter(name_en__isnull=True).exists()
    assert set(Territory.objects.values_list("name_en", flat=True)) == {
        "Northern District", "Central District", "Riverside District"
    }  # fmt: skip
    mayor = Membership.objects.get(user__email="mayor@demo.edem")
    assert (mayor.position_uk, mayor.position_en) == (
        "Голова міського округу", "Head of the urban district"
    )  # fmt: skip
    assert not Membership.objects.filter(position_en__isnull=True).exists()
    for publication in Publication.objects.all():
        assert publication.title_uk and publication.title_en
        assert publication.body_html_en.startswith("<") and publication.body_html_uk
