"""R17: requests for information, their own kind (not an appeal under the appeals law), filed
online or entered from paper, with their own clocks from the jurisdiction profile (ru 8-FZ
Art. 18: 30 days from registration, one deferral of at most 15 days notified within 7 days;
ua, the Law on access to public information art. 20: 5 working days from receipt, up to 20
with a notice within 5 working days), forwarding by competence, and an answer that carries the
information (text and files) or a reasoned refusal; counted apart in the rollup."""

import io
import time
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from analytics import services as analytics
from analytics.models import AppealDay
from appeals import deadlines, services, workflow
from appeals.models import Appeal, Attachment, Reminder
from appeals.reminders import send_due_reminders
from appeals.workflow import Status
from cabinets.roles import Role
from edem.core.calendar import Deadline
from edem.core.idempotency import FIELD_NAME, new_token
from edem.core.jurisdiction import get_profile
from edem.core.workflow import TransitionNotAllowed
from tests.factories import TOTP_SECRET, AppealFactory, CabinetFactory, CitizenFactory, member
from tests.helpers import read_streaming

pytestmark = pytest.mark.django_db

INFORMATION = Appeal.Kind.INFORMATION_REQUEST
UTC = ZoneInfo("UTC")


def at(day, hour=9):
    """A moment of ``day`` that is the same local date in Moscow and Kyiv."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def travel(day):
    return time_machine.travel(at(day), tick=False)


def code_now():
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))


def jpeg(name="plan.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 30)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def office():
    cabinet = CabinetFactory(code="adm")
    return SimpleNamespace(
        cabinet=cabinet,
        head=member(cabinet, Role.HEAD),
        registrar=member(cabinet, Role.REGISTRAR),
        executor=member(cabinet, Role.EXECUTOR),
    )


def enter(office, received_on, *, register_now=True, **fields):
    """A request for information entered from paper by the registrar (R4, R17)."""
    values = {
        "kind": INFORMATION,
        "subject": "План ремонта дорог",
        "text": "Прошу предоставить план ремонта дорог на текущий год.",
        "last_name": "Сидоров",
        "first_name": "Иван",
        "postal_address": "Демоград, ул. Речная, 7",
        "email": "sidorov@example.org",
        "answer_channel": Appeal.AnswerChannel.EMAIL,
        **fields,
    }
    return services.enter_paper_appeal(
        actor=office.registrar,
        cabinet=office.cabinet,
        channel=Appeal.Channel.PAPER,
        received_at=at(received_on),
        register_now=register_now,
        **values,
    )


# --- The clocks of the profile: pure functions -------------------------------------------


def test_R17_ru_clocks_count_calendar_days_from_registration_with_control_dates_before_days_off():
    ru = get_profile("ru")
    assert deadlines.information_deadlines(date(2026, 3, 31), None, ru) is None  # not registered
    # Registered Wed 1 April 2026: 30 days end on Fri 1 May, a holiday: control Thu 30 April.
    terms = deadlines.information_deadlines(date(2026, 3, 31), date(2026, 4, 1), ru)
    assert terms.answer == Deadline(date(2026, 5, 1), date(2026, 4, 30))
    assert terms.forwarding == Deadline(date(2026, 4, 8), date(2026, 4, 8))
    assert terms.deferral_notice == Deadline(date(2026, 4, 8), date(2026, 4, 8))
    # Across the end of a short month onto a Sunday: 30 January + 30 = Sunday 1 March.
    terms = deadlines.information_deadlines(date(2026, 1, 30), date(2026, 1, 30), ru)
    assert terms.answer == Deadline(date(2026, 3, 1), date(2026, 2, 27))
    # Into the New Year holidays: 29 December + 7 = Tue 5 January 2027, a day off, and every day
    # back to Wed 30 December 2026 is off too (31 December 2026 was moved off).
    terms = deadlines.information_deadlines(date(2026, 12, 29), date(2026, 12, 29), ru)
    assert terms.forwarding == Deadline(date(2027, 1, 5), date(2026, 12, 30))
    # Registration within 3 days of receipt: Tue 28 April -> Fri 1 May (holiday) -> Thu 30 April.
    assert deadlines.information_registration_deadline(date(2026, 4, 28), ru) == Deadline(
        date(2026, 5, 1), date(2026, 4, 30)
    )


def test_R17_ua_clocks_count_working_days_from_receipt_across_weekends_and_month_end():
    ua = get_profile("ua")
    # Received Fri 30 January 2026 (before registration: the clock runs from receipt): five
    # working days are Mon 2 to Fri 6 February; the due date is itself a working day.
    terms = deadlines.information_deadlines(date(2026, 1, 30), None, ua)
    assert terms.answer == Deadline(date(2026, 2, 6), date(2026, 2, 6))
    assert terms.forwarding == terms.deferral_notice == terms.answer
    # Received on Saturday 2 May: counting starts Monday 4 May.
    assert deadlines.information_deadlines(date(2026, 5, 2), None, ua).answer.legal_due == date(
        2026, 5, 8
    )
    # The deferral: up to 20 working days from receipt, i.e. 15 more.
    deferred = deadlines.information_deferred_deadline(
        date(2026, 1, 30), None, 15, ua, requested_on=date(2026, 2, 6)
    )
    assert deferred == Deadline(date(2026, 2, 27), date(2026, 2, 27))


def test_R17_deferral_limits_of_both_profiles_are_data():
    for code, window_end in (("ru", date(2026, 2, 6)), ("ua", date(2026, 2, 6))):
        profile = get_profile(code)
        registered = date(2026, 1, 30) if code == "ru" else None
        args = (date(2026, 1, 30), registered)
        limit = profile.information_requests.max_deferral_days
        with pytest.raises(deadlines.DeadlineError) as error:
            deadlines.information_deferred_deadline(
                *args, limit + 1, profile, requested_on=window_end
            )
        assert error.value.code == "deferral_too_long"
        with pytest.raises(deadlines.DeadlineError) as error:
            deadlines.information_deferred_deadline(
                *args, 5, profile, previous_deferrals=1, requested_on=window_end
            )
        assert error.value.code == "too_many_deferrals"
        with pytest.raises(deadlines.DeadlineError) as error:
            deadlines.information_deferred_deadline(
                *args, 5, profile, requested_on=date(2026, 2, 9)
            )
        assert error.value.code == "deferral_window_closed"
    # ru: 7 calendar days of registration (30 January + 7 = 6 February); ua: 5 working days.
    assert get_profile("ru").information_requests.deferral_notice_days == 7
    assert get_profile("ua").information_requests.working_days


# --- Intake: paper and online --------------------------------------------------------------


def test_R17_paper_request_entered_by_the_registrar_runs_its_own_ru_clocks(client, office):
    client.force_login(office.registrar)
    with travel(date(2026, 4, 1)):
        page = client.get(reverse("appeals_service:enter")).content.decode()
        assert f'value="{INFORMATION}"' in page  # offered as a kind on the entry screen
        response = client.post(
            reverse("appeals_service:enter"),
            {
                "cabinet": office.cabinet.pk,
                "channel": "post",
                "received_on": "2026-03-31",
                "kind": INFORMATION,
                "subject": "План ремонта дорог",
                "text": "Прошу предоставить план ремонта дорог на текущий год.",
                "last_name": "Сидоров",
                "first_name": "Иван",
                "postal_address": "Демоград, ул. Речная, 7",
                "answer_channel": "post",
                "register_now": "on",
                FIELD_NAME: new_token(),
            },
        )
    assert response.status_code == 302
    request = Appeal.objects.get()
    assert request.kind == INFORMATION and request.status == Status.REGISTERED
    assert request.registration_due == date(2026, 4, 3)
    assert (request.legal_due, request.control_due) == (date(2026, 5, 1), date(2026, 4, 30))
    assert request.forwarding_due == request.deferral_due == date(2026, 4, 8)
    assert request.notice_due is None  # 59-FZ Art. 11 (R11) does not apply


def test_R17_ua_request_has_its_answer_clock_from_receipt_before_registration(settings, office):
    settings.EDEM_JURISDICTION = "ua"
    with travel(date(2026, 2, 2)):
        request = enter(office, date(2026, 1, 30), register_now=False)
    assert request.status == Status.RECEIVED
    assert (request.legal_due, request.control_due) == (date(2026, 2, 6), date(2026, 2, 6))
    assert request.forwarding_due == request.deferral_due == date(2026, 2, 6)
    with travel(date(2026, 2, 2)):
        request = services.register(appeal=request, actor=office.registrar)
    assert request.legal_due == date(2026, 2, 6)  # registration does not restart it


def test_R17_citizen_files_a_request_online_with_only_the_name_and_the_answer_address(
    settings, client, office
):
    settings.EDEM_JURISDICTION = "ua"
    citizen = CitizenFactory(postal_address="")
    client.force_login(citizen)
    page = client.get(reverse("appeals:file")).content.decode()
    assert f'value="{INFORMATION}"' in page  # offered as a kind, with its law explained
    fields = {
        "subject": "Кошторис",
        "text": "Прошу надати кошторис міської ради.",
        "last_name": citizen.last_name,
        "first_name": citizen.first_name,
        "email": citizen.email,
        "answer_channel": Appeal.AnswerChannel.EMAIL,
    }
    with pytest.raises(services.FilingRefused):  # an appeal under the ua law needs the address
        services.file_appeal(author=citizen, cabinet=office.cabinet, kind="statement", **fields)
    request = services.file_appeal(
        author=citizen, cabinet=office.cabinet, kind=INFORMATION, **fields
    )
    assert request.kind == INFORMATION and request.number and request.legal_due
    client.force_login(citizen)
    page = client.get(reverse("appeals:my_detail", args=[request.pk])).content.decode()
    assert request.get_kind_display() in page


# --- Deferral with its notice ------------------------------------------------------------


def test_R17_ru_deferral_once_within_7_days_of_registration_at_most_15_days_with_notice(
    office, django_capture_on_commit_callbacks
):
    with travel(date(2026, 4, 1)):
        request = enter(office, date(2026, 3, 31))
        late = enter(office, date(2026, 3, 31), subject="Другой запрос")
        request = services.assign(appeal=request, actor=office.head, executor=office.executor)
    with travel(date(2026, 4, 8)):  # the 7th day after registration: still inside
        for kwargs in (
            {"actor": office.executor, "days": 15, "ground": "impossible_in_term"},  # role
            {"actor": office.head, "days": 16, "ground": "impossible_in_term"},  # too long
            {"actor": office.head, "days": 15, "ground": "large_volume"},  # not a ru ground
        ):
            with pytest.raises(TransitionNotAllowed):
                services.defer_information(appeal=request, note="Архив", **kwargs)
        with pytest.raises(TransitionNotAllowed):  # the requester must be told why
            services.defer_information(
                appeal=request, actor=office.head, days=15, ground="impossible_in_term", note=" "
            )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            request = services.defer_information(
                appeal=request,
                actor=office.head,
                days=15,
                ground="impossible_in_term",
                note="Сведения собираются из архива.",
            )
        # 1 May + 15 = Saturday 16 May: control date Friday 15 May.
        assert (request.legal_due, request.control_due) == (date(2026, 5, 16), date(2026, 5, 15))
        assert request.original_due == date(2026, 5, 1) and request.is_deferred
        event = request.events.get(action="defer")
        assert event.is_public and event.data["new_due"] == "2026-05-16"
        assert len(mail.outbox) == 1 and "Сведения собираются из архива." in mail.outbox[0].body
        with pytest.raises(TransitionNotAllowed):  # only once
            services.defer_information(
                appeal=request, actor=office.head, days=1, ground="impossible_in_term", note="Ещё"
            )
    with travel(date(2026, 4, 9)), pytest.raises(TransitionNotAllowed) as error:
        services.defer_information(
            appeal=late, actor=office.head, days=5, ground="impossible_in_term", note="Архив"
        )
    assert "08.04.2026" in str(error.value) or "04/08/2026" in str(error.value)


def test_R17_ua_extension_to_20_working_days_notified_within_5_working_days(settings, office):
    settings.EDEM_JURISDICTION = "ua"
    with travel(date(2026, 1, 30)):
        request = enter(office, date(2026, 1, 30))
        late = enter(office, date(2026, 1, 30), subject="Інший запит")
    with travel(date(2026, 2, 9)), pytest.raises(TransitionNotAllowed):  # 6th working day
        services.defer_information(
            appeal=late, actor=office.head, days=15, ground="large_volume", note="Обсяг"
        )
    with travel(date(2026, 2, 6)):  # the 5th working day
        with pytest.raises(TransitionNotAllowed):  # beyond 20 working days in all
            services.defer_information(
                appeal=request, actor=office.head, days=16, ground="large_volume", note="Обсяг"
            )
        request = services.defer_information(
            appeal=request, actor=office.head, days=15, ground="much_data", note="Пошук у архіві"
        )
    assert (request.legal_due, request.control_due) == (date(2026, 2, 27), date(2026, 2, 27))


def test_R17_only_a_request_is_deferred_and_it_is_not_extended_or_closed_under_59_fz(office):
    with travel(date(2026, 4, 1)):
        request = enter(office, date(2026, 4, 1))
        appeal = services.register(
            appeal=AppealFactory(cabinet=office.cabinet), actor=office.registrar
        )
        names = [a.name for a in workflow.available_actions(request, office.head)]
        assert "defer" in names and "forward" in names and "assign" in names
        assert not {"extend", "close_no_merits", "return", "merge"} & set(names)
        assert "defer" not in [a.name for a in workflow.available_actions(appeal, office.head)]
    with travel(date(2026, 4, 9)):  # its window has closed: no longer offered
        assert "defer" not in [a.name for a in workflow.available_actions(request, office.head)]
    with travel(date(2026, 4, 2)):
        with pytest.raises(TransitionNotAllowed):
            services.extend(
                appeal=request, actor=office.head, days=10, reason="exceptional", note="R9"
            )
        with pytest.raises(TransitionNotAllowed):
            services.defer_information(
                appeal=appeal, actor=office.head, days=5, ground="impossible_in_term", note="x"
            )
        with pytest.raises(TransitionNotAllowed):
            services.close_no_merits(
                appeal=request, actor=office.head, ground="unclear", note="Неясно"
            )


# --- The answer: the information with its files, or a reasoned refusal --------------------


def test_R17_refusal_needs_a_ground_of_the_profile_and_its_reasons_and_carries_no_files(
    office, django_capture_on_commit_callbacks
):
    with travel(date(2026, 4, 1)):
        request = enter(office, date(2026, 4, 1))
        request = services.assign(appeal=request, actor=office.head, executor=office.executor)
        appeal = services.assign(
            appeal=services.register(
                appeal=AppealFactory(cabinet=office.cabinet), actor=office.registrar
            ),
            actor=office.head,
            executor=office.executor,
        )
    draft = {"appeal": request, "actor": office.executor}
    with pytest.raises(TransitionNotAllowed):  # not a ground the law gives
        services.draft_answer(**draft, text="Отказ.", refusal_ground="too_busy")
    with pytest.raises(TransitionNotAllowed):  # a refusal gives its reasons
        services.draft_answer(**draft, text="  ", refusal_ground="restricted")
    upload = services.store_upload(upload=jpeg(), actor=office.executor)
    with pytest.raises(TransitionNotAllowed):  # a refusal provides no information
        services.draft_answer(
            **draft, text="Сведения ограниченного доступа.", refusal_ground="restricted",
            files=[upload],
        )  # fmt: skip
    with pytest.raises(TransitionNotAllowed):  # an appeal's answer has no refusal ground
        services.draft_answer(
            appeal=appeal, actor=office.executor, text="Ответ.", refusal_ground="restricted"
        )
    # A draft that gave the information turns into a refusal only once its files are removed.
    answer = services.draft_answer(**draft, text="Список прилагается.", files=[upload])
    assert list(answer.files.all()) == [upload]
    with pytest.raises(TransitionNotAllowed):
        services.draft_answer(**draft, text="Отказ по закону.", refusal_ground="restricted")
    answer = services.draft_answer(
        **draft,
        text="Сведения содержат персональные данные.",
        refusal_ground="restricted",
        remove_files=[upload],
    )
    upload.refresh_from_db()
    assert upload.appeal_id is None and upload.answer_id is None
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.sign_answer(appeal=request, actor=office.head, otp_code=code_now())
    request.refresh_from_db()
    assert request.status == Status.ANSWERED and answer.refusal_ground == "restricted"
    assert request.events.get(action="sign_answer").data["refusal_ground"] == "restricted"
    assert not answer.files.exists()


def test_R17_answer_carries_the_information_files_to_the_requester_once_signed(
    client, office, django_capture_on_commit_callbacks
):
    citizen = CitizenFactory()
    with travel(date(2026, 4, 1)):
        request = services.file_appeal(
            author=citizen,
            cabinet=office.cabinet,
            kind=INFORMATION,
            subject="План ремонта дорог",
            text="Прошу предоставить план ремонта дорог.",
            last_name=citizen.last_name,
            first_name=citizen.first_name,
            email=citizen.email,
            answer_channel=Appeal.AnswerChannel.EMAIL,
        )
        request = services.assign(appeal=request, actor=office.head, executor=office.executor)
    client.force_login(office.executor)
    card = client.get(reverse("appeals_service:card", args=[request.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in card and 'name="draft_answer-files"' in card
    response = client.post(
        reverse("appeals_service:act", args=[request.pk, "draft_answer"]),
        {
            "draft_answer-text": "Направляем план ремонта дорог.",
            "draft_answer-refusal_ground": "",
            "draft_answer-files": [jpeg("plan.jpg"), jpeg("map.jpg")],
        },
    )
    assert response.status_code == 302
    answer = request.answers.get()
    files = list(answer.files.order_by("pk"))
    assert [f.original_name for f in files] == ["plan.jpg", "map.jpg"]
    assert all(f.appeal_id == request.pk and f.stage == Attachment.Stage.ANSWER for f in files)
    client.force_login(citizen)  # not before it is signed
    url = reverse("appeals:my_attachment", args=[request.pk, files[0].pk])
    assert client.get(url).status_code == 404
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_answer(appeal=request, actor=office.head, otp_code=code_now())
    response = client.get(url)
    assert response.status_code == 200 and read_streaming(response)
    page = client.get(reverse("appeals:my_detail", args=[request.pk])).content.decode()
    assert 'id="answer-files"' in page and "map.jpg" in page
    sent = mail.outbox[-1]
    names = [name for name, _content, _type in sent.attachments]
    assert "plan.jpg" in names and "map.jpg" in names and any(n.endswith(".pdf") for n in names)


# --- Forwarding by competence ------------------------------------------------------------


def test_R17_forwarded_request_starts_its_clocks_again_in_the_competent_body(office):
    other = CabinetFactory(code="roads")
    other_registrar, other_head = member(other, Role.REGISTRAR), member(other, Role.HEAD)
    with travel(date(2026, 4, 1)):
        request = enter(office, date(2026, 4, 1))
        request = services.defer_information(
            appeal=request, actor=office.head, days=10, ground="impossible_in_term", note="Архив"
        )
    with travel(date(2026, 4, 6)):
        request = services.forward(
            appeal=request, actor=office.registrar, to_cabinet=other, reason="Дороги"
        )
        assert request.cabinet == other and request.status == Status.RECEIVED
        assert request.kind == INFORMATION and request.registration_due == date(2026, 4, 9)
        assert request.legal_due is None and request.deferral_due is None  # ru: at registration
        assert not request.is_deferred
        request = services.register(appeal=request, actor=other_registrar)
    assert (request.legal_due, request.deferral_due) == (date(2026, 5, 6), date(2026, 4, 13))
    with travel(date(2026, 4, 13)):  # the receiving body may defer once, within its own window
        request = services.defer_information(
            appeal=request, actor=other_head, days=15, ground="impossible_in_term", note="Архив"
        )
    assert request.legal_due == date(2026, 5, 21)
    assert request.events.filter(action="forward").get().data["to_cabinet_name"] == other.name


# --- Overdue, reminders, the cabinets, the counts ----------------------------------------


def test_R17_request_is_overdue_and_escalated_like_any_other_term(office):
    with travel(date(2026, 4, 1)):
        request = enter(office, date(2026, 4, 1))
    assert request.is_overdue(date(2026, 5, 1)) is False
    assert request.is_overdue(date(2026, 5, 2)) is True
    with travel(date(2026, 5, 4)):
        assert request.due_state == "overdue"
        send_due_reminders(today=date(2026, 5, 4))
    assert Reminder.objects.filter(appeal=request, kind=Reminder.Kind.OVERDUE).exists()


def test_R17_service_card_shows_the_clocks_and_the_queue_filters_by_kind(client, office):
    with travel(date(2026, 4, 1)):
        request = enter(office, date(2026, 4, 1), subject="Запрос о бюджете")
        services.register(
            appeal=AppealFactory(cabinet=office.cabinet, subject="Яма во дворе"),
            actor=office.registrar,
        )
        client.force_login(office.head)
        card = client.get(reverse("appeals_service:card", args=[request.pk])).content.decode()
        queue = client.get(
            reverse("appeals_service:queue"), {"kind": INFORMATION, "status": ""}
        ).content.decode()
    assert 'id="information-law"' in card and 'id="information-deferral"' in card
    assert 'id="information-forwarding"' in card
    assert 'id="action-defer"' in card and 'id="action-extend"' not in card
    assert 'id="action-close_no_merits"' not in card
    assert "Запрос о бюджете" in queue and "Яма во дворе" not in queue


def test_R17_requests_are_counted_apart_from_appeals_in_the_rollup(office):
    with travel(date(2026, 4, 1)):
        enter(office, date(2026, 4, 1))
        enter(office, date(2026, 4, 1), subject="Второй запрос")
        services.register(appeal=AppealFactory(cabinet=office.cabinet), actor=office.registrar)
        analytics.rebuild_all()
    counts = {
        kind: sum(AppealDay.objects.filter(kind=kind).values_list("registered", flat=True))
        for kind in (INFORMATION, "statement")
    }
    assert counts == {INFORMATION: 2, "statement": 1}
