"""The outgoing-mail screen of the service cabinet (R12): the registrar sees the answers waiting
to go by post, forms a batch of them (its register of postal items rendered as a PDF to print),
and marks the batch as sent with the date the post office took it; each case's history records
the posting."""

import io
import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from appeals import services
from appeals.models import MailBatch
from cabinets.roles import Role
from edem.core.workflow import TransitionNotAllowed
from tests.factories import TOTP_SECRET, AppealFactory, CabinetFactory, classifier_code, member

pytestmark = pytest.mark.django_db

ANSWER = "Уважаемый заявитель! Яма во дворе дома № 1 заделана."


@pytest.fixture
def cabinet():
    return CabinetFactory(code="adm")


@pytest.fixture
def staff(cabinet):
    return {
        "head": member(cabinet, Role.HEAD),
        "registrar": member(cabinet, Role.REGISTRAR),
        "executor": member(cabinet, Role.EXECUTOR),
    }


def posted_answer(cabinet, staff, **fields):
    """A signed answer to a citizen who chose the post: it waits in the outgoing mail."""
    fields = {"answer_channel": "post", "email": "", "author": None, **fields}
    appeal = services.register(
        appeal=AppealFactory(cabinet=cabinet, **fields), actor=staff["registrar"]
    )
    appeal = services.assign(appeal=appeal, actor=staff["head"], executor=staff["executor"])
    services.draft_answer(
        appeal=appeal,
        actor=staff["executor"],
        text=ANSWER,
        result="explained",
        classifier=classifier_code(),
    )
    # allauth takes each code once per user: every letter has a signer of its own.
    signer = member(cabinet, Role.HEAD)
    code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
    return services.sign_answer(appeal=appeal, actor=signer, otp_code=code)


def pdf_text(data):
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


def test_R12_registrar_forms_a_batch_prints_its_register_and_marks_it_sent(client, cabinet, staff):
    first = posted_answer(cabinet, staff, last_name="Сидоров")
    second = posted_answer(cabinet, staff, last_name="Кузнецова")
    client.force_login(staff["registrar"])
    home = client.get(reverse("service:home")).content.decode()
    assert reverse("appeals_service:mail") in home  # linked from the service cabinet

    page = client.get(reverse("appeals_service:mail"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'value="{first.pk}"' in html and f'value="{second.pk}"' in html
    assert 'id="batch-' not in html  # no batches yet: the empty state

    # Only the first letter is ticked: the second keeps waiting.
    response = client.post(
        reverse("appeals_service:mail_form"), {"cabinet": cabinet.code, "answer": [first.pk]}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    batch = first.mail_batch
    assert batch.formed_at and batch.formed_by == staff["registrar"] and not batch.is_sent
    assert second.mail_batch.is_open and second.mail_batch != batch
    html = client.get(reverse("appeals_service:mail")).content.decode()
    assert f'id="batch-{batch.pk}"' in html and f'value="{second.pk}"' in html
    assert f'value="{first.pk}"' not in html

    register = client.get(reverse("appeals_service:mail_register", args=[batch.pk]))
    assert register["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(register.streaming_content))
    assert first.appeal.number in text and "Сидоров" in text and "Кузнецова" not in text

    # Marking it sent asks for the date and a confirmation first.
    send_url = reverse("appeals_service:mail_send", args=[batch.pk])
    assert client.get(send_url).status_code == 200
    today = timezone.localdate()
    refused = client.post(send_url, {"sent_on": today.isoformat()})  # not confirmed
    assert refused.status_code == 400
    future = client.post(
        send_url, {"sent_on": (today + timedelta(days=1)).isoformat(), "confirm": "on"}
    )
    assert future.status_code == 400
    batch.refresh_from_db()
    assert not batch.is_sent
    done = client.post(send_url, {"sent_on": today.isoformat(), "confirm": "on"})
    assert done.status_code == 302
    batch.refresh_from_db()
    assert batch.dispatched_on == today and batch.dispatched_by == staff["registrar"]
    event = first.appeal.events.get(action="posted")
    assert event.data == {"batch": batch.pk, "posted_on": today.isoformat()}
    assert not second.appeal.events.filter(action="posted").exists()
    card = client.get(reverse("appeals_service:card", args=[first.appeal_id])).content.decode()
    assert today.strftime("%d.%m.%Y") in card


def test_R12_a_batch_is_sent_once_never_before_it_was_formed_and_only_by_a_registrar(
    cabinet, staff
):
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False):
        answer = posted_answer(cabinet, staff)
        with pytest.raises(TransitionNotAllowed):
            services.form_mail_batch(cabinet=cabinet, actor=staff["executor"])
        batch = services.form_mail_batch(cabinet=cabinet, actor=staff["registrar"])
        with pytest.raises(TransitionNotAllowed):  # nothing is waiting any more
            services.form_mail_batch(cabinet=cabinet, actor=staff["registrar"])
        with pytest.raises(TransitionNotAllowed):
            services.mark_mail_batch_sent(batch=batch, actor=staff["executor"])
        with pytest.raises(TransitionNotAllowed):  # before it was formed
            services.mark_mail_batch_sent(
                batch=batch, actor=staff["registrar"], sent_on=timezone.localdate() - timedelta(1)
            )
        services.mark_mail_batch_sent(batch=batch, actor=staff["registrar"])
        with pytest.raises(TransitionNotAllowed):  # only once
            services.mark_mail_batch_sent(batch=batch, actor=staff["registrar"])
    assert answer.appeal.events.filter(action="posted").count() == 1


def test_R12_outgoing_mail_screen_is_for_registrars_and_heads_and_pages_its_batches(
    client, cabinet, staff
):
    client.force_login(staff["executor"])
    assert client.get(reverse("appeals_service:mail")).status_code == 404
    assert (
        reverse("appeals_service:mail") not in client.get(reverse("service:home")).content.decode()
    )
    client.force_login(staff["registrar"])
    empty = client.get(reverse("appeals_service:mail")).content.decode()
    assert empty.count('class="empty-state"') == 2
    formed = timezone.now()
    MailBatch.objects.bulk_create(
        MailBatch(cabinet=cabinet, formed_at=formed, dispatched_on=timezone.localdate())
        for _ in range(30)
    )
    other = CabinetFactory(code="other")
    foreign = MailBatch.objects.create(cabinet=other, formed_at=formed)
    html = client.get(reverse("appeals_service:mail")).content.decode()
    assert html.count('id="batch-') == 25 and 'rel="next"' in html
    assert (
        client.get(reverse("appeals_service:mail") + "?page=2").content.decode().count('id="batch-')
        == 5
    )
    # Another cabinet's batch is not reachable.
    assert client.get(reverse("appeals_service:mail_send", args=[foreign.pk])).status_code == 404
    assert (
        client.get(reverse("appeals_service:mail_register", args=[foreign.pk])).status_code == 404
    )
