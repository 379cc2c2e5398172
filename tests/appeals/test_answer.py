import io
import time

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from pypdf import PdfReader

from appeals import services
from appeals.letters import text_hash
from appeals.workflow import Status
from cabinets.roles import Role
from edem.core.workflow import TransitionNotAllowed
from tests.factories import TOTP_SECRET, AppealFactory, CabinetFactory, classifier_code, member

pytestmark = pytest.mark.django_db

ANSWER = "Уважаемая Мария Петровна! Фонари на улице Садовой отремонтированы 10 марта."


def code_now():
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))


@pytest.fixture
def case():
    cabinet = CabinetFactory(code="adm", name="Администрация города Демограда")
    head = member(cabinet, Role.HEAD, first_name="Алексей", last_name="Громов")
    registrar = member(cabinet, Role.REGISTRAR)
    executor = member(cabinet, Role.EXECUTOR)
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False):
        appeal = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
    appeal = services.assign(appeal=appeal, actor=head, executor=executor)
    return appeal, head, executor


def test_R12_answer_signed_by_the_head_with_second_factor_renders_a_verifiable_letter(
    case, client, django_capture_on_commit_callbacks
):
    appeal, head, executor = case
    services.draft_answer(
        appeal=appeal, actor=executor, text=ANSWER, result="explained", classifier=classifier_code()
    )
    with pytest.raises(TransitionNotAllowed):  # the executor may not sign
        services.sign_answer(appeal=appeal, actor=executor, otp_code=code_now())
    with pytest.raises(TransitionNotAllowed):  # a wrong second factor
        services.sign_answer(appeal=appeal, actor=head, otp_code="000000")
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.sign_answer(appeal=appeal, actor=head, otp_code=code_now())
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED and answer.signed_by == head
    assert answer.text_sha256 == text_hash(ANSWER)

    with answer.letter.open("rb") as letter:
        data = letter.read()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    flat = " ".join(text.split())
    assert appeal.number in flat and "02.03.2026" in flat
    assert "Фонари на улице Садовой отремонтированы" in flat
    assert answer.verification_code in flat

    page = client.get(f"/appeals/letters/{answer.verification_code}/").content.decode()
    assert appeal.number in page and answer.text_sha256 in page and "Громов" in page
    assert appeal.email not in page and appeal.postal_address not in page
    assert client.get("/appeals/letters/AAAA-BBBB-CCCC/").status_code == 404
    assert answer.verification_code in mail.outbox[-1].body


def test_R12_late_answer_is_recorded_as_not_on_time(case):
    appeal, head, executor = case
    services.draft_answer(
        appeal=appeal, actor=executor, text=ANSWER, result="explained", classifier=classifier_code()
    )
    with time_machine.travel("2026-04-02 09:00:00+00:00", tick=True):
        answer = services.sign_answer(appeal=appeal, actor=head, otp_code=code_now())
    assert answer.on_time is False


def test_only_the_assigned_executor_or_the_head_drafts(case):
    appeal, head, _executor = case
    other_executor = member(appeal.cabinet, Role.EXECUTOR)
    with pytest.raises(TransitionNotAllowed):
        services.draft_answer(
            appeal=appeal,
            actor=other_executor,
            text=ANSWER,
            result="explained",
            classifier=classifier_code(),
        )
    services.draft_answer(
        appeal=appeal, actor=head, text=ANSWER, result="explained", classifier=classifier_code()
    )
