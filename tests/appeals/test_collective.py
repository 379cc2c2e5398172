import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from appeals import services
from appeals.models import Appeal, CoSigner
from appeals.workflow import Status
from cabinets.roles import Role
from edem.core.workflow import TransitionNotAllowed
from tests.appeals.test_answer import code_now
from tests.factories import (
    AppealFactory,
    CabinetFactory,
    CitizenFactory,
    classifier_code,
    member,
)

pytestmark = pytest.mark.django_db


def test_R1_collective_appeal_co_signers_confirm_with_their_own_account_and_get_the_answer(
    client, django_capture_on_commit_callbacks
):
    appeal = AppealFactory(status=Status.REGISTERED, number="ADM-1")
    neighbour, stranger = CitizenFactory(email="sosed@example.org"), CitizenFactory()
    client.force_login(appeal.author)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("appeals:citizen_action", args=[appeal.pk, "invite"]),
            {"emails": "sosed@example.org\nvtoroy@example.org, sosed@example.org"},
        )
    appeal.refresh_from_db()
    assert appeal.is_collective and appeal.cosigners.count() == 2
    invitation = next(m for m in mail.outbox if m.to == ["sosed@example.org"])
    link = re.search(r"(/appeals/cosign/[^/\s]+/)", invitation.body).group(1)

    client.force_login(stranger)  # someone else learns nothing from the link
    assert client.get(link).status_code == 404
    assert client.post(link).status_code == 404
    client.force_login(neighbour)
    assert appeal.subject in client.get(link).content.decode()
    assert client.post(link).status_code == 302
    assert CoSigner.objects.get(email="sosed@example.org").user == neighbour

    # The signed answer goes to the author and the confirmed co-signer, not to the one who
    # has not confirmed.
    head = member(appeal.cabinet, Role.HEAD)
    appeal = services.assign(appeal=appeal, actor=head, executor=member(appeal.cabinet))
    services.draft_answer(
        appeal=appeal, actor=head, text="Ответ", result="explained", classifier=classifier_code()
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_answer(appeal=appeal, actor=head, otp_code=code_now())
    citizens = {appeal.email, "sosed@example.org", "vtoroy@example.org"}
    answered = sorted(a for m in mail.outbox for a in m.to if a in citizens)
    assert answered == sorted([appeal.email, "sosed@example.org"])


def test_invitation_refuses_bad_addresses():
    appeal = AppealFactory(status=Status.REGISTERED)
    with pytest.raises(TransitionNotAllowed):
        services.invite_cosigners(appeal=appeal, actor=appeal.author, emails=["не адрес"])
    with pytest.raises(TransitionNotAllowed):
        services.invite_cosigners(appeal=appeal, actor=CitizenFactory(), emails=["a@example.org"])


def test_R4_registrar_enters_a_paper_appeal_with_the_stamped_receipt_date():
    cabinet = CabinetFactory(code="adm")
    registrar = member(cabinet, Role.REGISTRAR)
    stamped = timezone.now() - timedelta(days=2)
    fields = {
        "kind": "complaint", "last_name": "Сидоров", "first_name": "Иван",
        "postal_address": "Демоград, ул. Речная, 7", "subject": "Протекает крыша", "text": "Письмо",
        "answer_channel": "post",
    }  # fmt: skip
    appeal = services.enter_paper_appeal(
        actor=registrar, cabinet=cabinet, channel=Appeal.Channel.POST, received_at=stamped, **fields
    )
    assert appeal.status == Status.RECEIVED and appeal.author is None
    assert appeal.registration_due == timezone.localdate(stamped) + timedelta(days=3)
    services.register(appeal=appeal, actor=registrar)
    with pytest.raises(TransitionNotAllowed):  # 59-FZ Art. 7: an address for the answer
        services.enter_paper_appeal(
            actor=registrar, cabinet=cabinet, channel="paper", received_at=stamped,
            **{**fields, "postal_address": ""},
        )  # fmt: skip
    with pytest.raises(TransitionNotAllowed):
        services.enter_paper_appeal(
            actor=member(cabinet, Role.EXECUTOR),
            cabinet=cabinet,
            channel="paper",
            received_at=stamped,
            **fields,
        )
