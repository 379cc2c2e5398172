from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from appeals import services
from appeals.models import AccessLog, Appeal, Rating
from appeals.workflow import Status
from cabinets.roles import Role
from edem.core.workflow import TransitionNotAllowed
from tests.factories import AppealFactory, CabinetFactory, CitizenFactory, member

from .test_uploads import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered():
    return AppealFactory(status=Status.ANSWERED, answered_at=timezone.now(), number="A-1")


def test_citizen_rates_the_answer_once_and_can_change_it(client, answered):
    client.force_login(answered.author)
    client.post(
        reverse("appeals:citizen_action", args=[answered.pk, "rate"]),
        {"stars": "4", "comment": "Спасибо"},
    )
    client.post(reverse("appeals:citizen_action", args=[answered.pk, "rate"]), {"stars": "5"})
    assert Rating.objects.get(appeal=answered).stars == 5
    client.post(reverse("appeals:citizen_action", args=[answered.pk, "rate"]), {"stars": "9"})
    assert Rating.objects.get(appeal=answered).stars == 5


def test_reopen_within_30_days_returns_to_the_head_with_a_new_deadline(client, answered):
    client.force_login(answered.author)
    client.post(reverse("appeals:citizen_action", args=[answered.pk, "reopen"]), {"reason": ""})
    answered.refresh_from_db()
    assert answered.status == Status.ANSWERED
    client.post(
        reverse("appeals:citizen_action", args=[answered.pk, "reopen"]),
        {"reason": "Фонари снова не горят"},
    )
    answered.refresh_from_db()
    assert answered.status == Status.REOPENED and answered.executor is None
    assert answered.legal_due == timezone.localdate() + timedelta(days=30)
    head = member(answered.cabinet, Role.HEAD)
    executor = member(answered.cabinet, Role.EXECUTOR)
    services.assign(appeal=answered, actor=head, executor=executor)


def test_reopen_after_30_days_is_refused(answered):
    with (
        time_machine.travel(timezone.now() + timedelta(days=31)),
        pytest.raises(TransitionNotAllowed),
    ):
        services.reopen(appeal=answered, actor=answered.author, reason="Поздно")


def test_R14_citizen_adds_materials_to_an_open_appeal(client):
    appeal = AppealFactory(status=Status.REGISTERED)
    client.force_login(appeal.author)
    client.post(
        reverse("appeals:citizen_action", args=[appeal.pk, "add_materials"]),
        {"attachments": [upload("more.jpg", image_bytes())], "note": "Ещё фото"},
    )
    assert appeal.attachments.count() == 1
    assert appeal.events.filter(action="add_materials").exists()


def test_materials_cannot_be_added_to_a_closed_appeal(answered):
    with pytest.raises(TransitionNotAllowed):
        services.add_materials(appeal=answered, actor=answered.author, attachments=[])


def test_unknown_citizen_action_is_404_and_others_cannot_act(client, answered):
    client.force_login(answered.author)
    assert (
        client.post(reverse("appeals:citizen_action", args=[answered.pk, "teleport"])).status_code
        == 404
    )
    client.force_login(CitizenFactory())
    response = client.post(
        reverse("appeals:citizen_action", args=[answered.pk, "rate"]), {"stars": "1"}
    )
    assert response.status_code == 404 and not Rating.objects.exists()


def test_R1_officer_reclassifies_the_kind_and_it_is_logged():
    cabinet = CabinetFactory()
    registrar = member(cabinet, Role.REGISTRAR)
    appeal = AppealFactory(cabinet=cabinet, kind="statement")
    services.reclassify(
        appeal=appeal, actor=registrar, kind="complaint", note="Просит восстановить права"
    )
    appeal.refresh_from_db()
    assert appeal.kind == Appeal.Kind.COMPLAINT
    event = appeal.events.get(action="reclassify")
    assert event.data == {"old_kind": "statement", "new_kind": "complaint"}
    with pytest.raises(TransitionNotAllowed):
        services.reclassify(appeal=appeal, actor=member(cabinet, Role.EXECUTOR), kind="proposal")


def test_R18_access_to_personal_data_is_logged():
    appeal = AppealFactory()
    head = member(appeal.cabinet, Role.HEAD)
    services.log_access(user=head, action="view", appeal=appeal, ip="127.0.0.1")
    entry = AccessLog.objects.get()
    assert (entry.user, entry.appeal, entry.cabinet, entry.action) == (
        head,
        appeal,
        appeal.cabinet,
        "view",
    )


def test_internal_notes_are_for_staff_only():
    appeal = AppealFactory()
    with pytest.raises(TransitionNotAllowed):
        services.add_note(appeal=appeal, actor=appeal.author, text="Моя заметка")
    note = services.add_note(
        appeal=appeal, actor=member(appeal.cabinet, Role.OBSERVER), text="Проверить на месте"
    )
    assert note.pk
