"""Returning with an explanation (R6), merging a repeat appeal, and the notices the citizen gets
at every step the rules name (registered, extended, withdrawn, reopened, returned, merged)."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from appeals import services
from appeals.models import Appeal
from appeals.workflow import Status
from cabinets.roles import Role
from edem.core.workflow import TransitionNotAllowed
from edem.notifications.models import Notification
from tests.factories import AppealFactory, CabinetFactory, CitizenFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    cabinet = CabinetFactory(code="adm")
    return cabinet, member(cabinet, Role.HEAD), member(cabinet, Role.REGISTRAR)


def events_mailed(appeal):
    return [
        n.context["event"]
        for n in Notification.objects.filter(template="appeals/status").order_by("pk")
        if n.context.get("subject") == appeal.subject
    ]


def test_R6_complaint_returned_with_explanation_and_the_right_to_go_to_court(
    staff, django_capture_on_commit_callbacks
):
    cabinet, head, registrar = staff
    appeal = AppealFactory(
        cabinet=cabinet, kind=Appeal.Kind.COMPLAINT, respondent_cabinet=cabinet, subject="Жалоба"
    )
    with pytest.raises(TransitionNotAllowed):  # a registrar may not return
        services.return_with_explanation(appeal=appeal, actor=registrar, note="x")
    with pytest.raises(TransitionNotAllowed):  # an explanation is required
        services.return_with_explanation(appeal=appeal, actor=head, note="  ")
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        appeal = services.return_with_explanation(
            appeal=appeal, actor=head, note="Жалоба на решение самой администрации."
        )
    assert appeal.status == Status.RETURNED and appeal.closed_at
    assert appeal.events.filter(action="return").exists()
    body = mail.outbox[-1].body
    assert "Жалоба на решение самой администрации." in body
    assert "суд" in body  # the citizen's language is Russian: the right to go to court


def test_a_repeat_appeal_is_merged_into_the_earlier_one_of_the_same_citizen(staff):
    cabinet, head, registrar = staff
    citizen = CitizenFactory()
    earlier = services.register(
        appeal=AppealFactory(cabinet=cabinet, author=citizen), actor=registrar
    )
    repeat = AppealFactory(cabinet=cabinet, author=citizen, subject="Снова про яму")
    stranger = AppealFactory(cabinet=cabinet)
    with pytest.raises(TransitionNotAllowed):  # not the same citizen
        services.merge(appeal=stranger, actor=head, into=earlier)
    with pytest.raises(TransitionNotAllowed):  # not into itself
        services.merge(appeal=repeat, actor=head, into=repeat)
    with pytest.raises(TransitionNotAllowed):  # the earlier one must be registered
        services.merge(
            appeal=repeat, actor=head, into=AppealFactory(cabinet=cabinet, author=citizen)
        )
    repeat = services.merge(appeal=repeat, actor=head, into=earlier, note="Тот же вопрос")
    assert repeat.status == Status.MERGED and repeat.merged_into == earlier
    assert earlier.events.filter(action="merged_in").exists()
    notice = Notification.objects.filter(template="appeals/status").latest("pk")
    assert notice.context["event"] == "merged"
    assert notice.context["into_number"] == earlier.number


def test_merge_and_return_through_the_card(client, staff):
    cabinet, head, registrar = staff
    citizen = CitizenFactory()
    earlier = services.register(
        appeal=AppealFactory(cabinet=cabinet, author=citizen), actor=registrar
    )
    repeat = AppealFactory(cabinet=cabinet, author=citizen)
    client.force_login(head)
    card = client.get(reverse("appeals_service:card", args=[repeat.pk])).content.decode()
    assert reverse("appeals_service:act", args=[repeat.pk, "merge"]) in card
    assert earlier.number in card  # offered as the earlier appeal
    other = AppealFactory(cabinet=cabinet)
    other_card = client.get(reverse("appeals_service:card", args=[other.pk])).content.decode()
    assert reverse("appeals_service:act", args=[other.pk, "merge"]) not in other_card
    response = client.post(
        reverse("appeals_service:act", args=[repeat.pk, "merge"]),
        {"merge-into": earlier.pk, "merge-note": ""},
    )
    assert response.status_code == 302
    repeat.refresh_from_db()
    assert repeat.merged_into == earlier
    page = client.get(reverse("appeals_service:card", args=[earlier.pk])).content.decode()
    assert reverse("appeals_service:card", args=[repeat.pk]) in page
    response = client.post(
        reverse("appeals_service:act", args=[other.pk, "return"]), {"return-note": ""}
    )
    assert response.status_code == 400  # the explanation is required, shown beside the form
    other.refresh_from_db()
    assert other.status == Status.RECEIVED


def test_R4_R9_R10_the_citizen_is_told_of_registration_extension_withdrawal_and_reopening(staff):
    cabinet, head, registrar = staff
    appeal = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
    services.extend(appeal=appeal, actor=head, days=10, reason="exceptional", note="Выезд на место")
    services.withdraw(appeal=appeal, actor=appeal.author)
    assert events_mailed(appeal) == ["registered", "extended", "withdrawn"]
    extended = Notification.objects.filter(context__event="extended").get()
    assert extended.context["reason"] == "Выезд на место"
    assert extended.context["due"] == Appeal.objects.get(pk=appeal.pk).legal_due.isoformat()


def test_reopening_is_confirmed_to_the_citizen_with_the_new_due_date(staff):
    cabinet, head, registrar = staff
    appeal = AppealFactory(cabinet=cabinet, status=Status.ANSWERED, number="ADM-1")
    appeal.answered_at = timezone.now()
    appeal.save()
    appeal = services.reopen(appeal=appeal, actor=appeal.author, reason="Яма осталась")
    notice = Notification.objects.filter(context__event="reopened").get()
    assert notice.context["due"] == appeal.legal_due.isoformat()


def test_the_head_reopens_an_answered_case_with_a_reason_and_a_new_deadline(staff):
    cabinet, head, registrar = staff
    appeal = AppealFactory(cabinet=cabinet, status=Status.ANSWERED, number="ADM-7")
    with pytest.raises(TransitionNotAllowed):  # a registrar may not
        services.reopen_by_head(appeal=appeal, actor=registrar, reason="Яма осталась")
    with pytest.raises(TransitionNotAllowed):  # a reason is required
        services.reopen_by_head(appeal=appeal, actor=head, reason=" ")
    appeal = services.reopen_by_head(
        appeal=appeal, actor=head, reason="Жители сообщают: яма осталась"
    )
    assert appeal.status == Status.REOPENED and appeal.legal_due > timezone.localdate()
    assert appeal.events.filter(action="reopen_by_head", is_public=True).exists()
    assert Notification.objects.filter(context__event="reopened").exists()


def test_a_duplicate_public_problem_of_another_citizen_is_merged_and_its_author_follows(
    staff, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from appeals.community.models import Follow
    from appeals.models import Category

    cabinet, head, registrar = staff
    pits = Category.objects.create(name="Ямы")
    point = {"latitude": Decimal("56.000000"), "longitude": Decimal("38.000000")}
    earlier = services.register(
        appeal=AppealFactory(cabinet=cabinet, category=pits, is_public=True, **point),
        actor=registrar,
    )
    near = {"latitude": Decimal("56.000500"), "longitude": Decimal("38.000000")}  # ~55 m
    duplicate = AppealFactory(
        cabinet=cabinet, category=pits, is_public=True, subject="Яма у дома", **near
    )
    far = AppealFactory(
        cabinet=cabinet, category=pits, is_public=True,
        latitude=Decimal("56.010000"), longitude=Decimal("38.000000"),
    )  # fmt: skip
    private = AppealFactory(cabinet=cabinet, category=pits, is_public=False, **near)
    for other in (far, private):  # 1 km away; not public
        with pytest.raises(TransitionNotAllowed):
            services.merge(appeal=other, actor=head, into=earlier)
    with django_capture_on_commit_callbacks(execute=True):  # followers are told after commit
        duplicate = services.merge(appeal=duplicate, actor=head, into=earlier)
    assert duplicate.status == Status.MERGED and duplicate.merged_into == earlier
    notice = Notification.objects.filter(context__event="merged_duplicate").get()
    assert notice.context["into_number"] == earlier.number
    assert Follow.objects.filter(appeal=earlier, user=duplicate.author).exists()
