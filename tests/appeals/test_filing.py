from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from appeals import services
from appeals.models import Appeal, CabinetAppealSettings
from appeals.workflow import Status
from cabinets.roles import Role
from edem.core.workflow import TransitionNotAllowed
from edem.notifications.models import Notification
from tests.factories import (
    AppealFactory,
    CabinetFactory,
    CitizenFactory,
    TerritoryFactory,
    UserFactory,
    member,
    square,
)

pytestmark = pytest.mark.django_db

FIELDS = {
    "kind": "statement",
    "subject": "Не горят фонари",
    "text": "На улице Садовой третью неделю не горят фонари.",
    "last_name": "Иванова",
    "first_name": "Мария",
    "email": "ivanova@example.org",
    "answer_channel": "email",
}


@pytest.fixture
def administration():
    return CabinetFactory(code="adm", kind="administration")


def test_R2_filing_needs_a_verified_identity_under_ru(administration):
    with pytest.raises(services.FilingRefused):
        services.file_appeal(author=UserFactory(), **FIELDS)
    assert not Appeal.objects.exists()


def test_R19_ua_profile_accepts_an_email_verified_user_but_needs_residence(
    settings, administration
):
    settings.EDEM_JURISDICTION = "ua"
    with translation.override("en"), pytest.raises(services.FilingRefused) as excinfo:
        services.file_appeal(author=UserFactory(), **FIELDS)
    assert "postal address" in str(excinfo.value)
    appeal = services.file_appeal(
        author=UserFactory(), postal_address="м. Демоград, вул. Річна, 3", **FIELDS
    )
    assert appeal.status == Status.REGISTERED


@pytest.mark.parametrize(("channel", "missing"), [("email", "email"), ("post", "postal_address")])
def test_R3_address_for_the_chosen_answer_channel_is_required(administration, channel, missing):
    fields = {**FIELDS, "answer_channel": channel, "email": "", "postal_address": ""}
    with pytest.raises(services.FilingRefused):
        services.file_appeal(author=CitizenFactory(), **fields)
    fields[missing] = "ivanova@example.org" if missing == "email" else "Демоград, ул. Садовая, 1"
    assert services.file_appeal(author=CitizenFactory(), **fields).pk


def test_R3_surname_and_name_are_required(administration):
    with pytest.raises(services.FilingRefused):
        services.file_appeal(author=CitizenFactory(), **{**FIELDS, "last_name": ""})


@time_machine.travel("2026-03-02 09:00:00+00:00", tick=False)
def test_R4_portal_appeal_is_registered_at_submit_and_the_citizen_gets_number_and_date(
    administration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.file_appeal(author=CitizenFactory(), **FIELDS)
    assert appeal.status == Status.REGISTERED and appeal.number == "ADM-2026-000001"
    assert appeal.legal_due == date(2026, 4, 1)
    assert [e.action for e in appeal.events.all()] == ["receive", "register"]
    assert len(mail.outbox) == 1
    assert "ADM-2026-000001" in mail.outbox[0].subject
    assert "1 апреля 2026 г." in mail.outbox[0].body  # the date in the reader's language


def test_R4_cabinet_with_manual_registration_leaves_it_to_a_registrar_within_3_days(administration):
    CabinetAppealSettings.objects.create(cabinet=administration, registration="manual")
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False):
        appeal = services.file_appeal(author=CitizenFactory(), **FIELDS)
    assert appeal.status == Status.RECEIVED and appeal.number == ""
    assert appeal.registration_due == date(2026, 3, 5)
    assert Notification.objects.get().context["event"] == "received"


def test_routing_and_territory_come_from_the_map_point(administration):
    from appeals.models import Category, RoutingRule

    roads = CabinetFactory(code="roads")
    member(roads, Role.REGISTRAR)  # a cabinet without a head or registrar receives no routing
    north = TerritoryFactory(boundary=square(38.0, 56.0, 0.01))
    potholes = Category.objects.create(name="Ямы")
    RoutingRule.objects.create(category=potholes, territory=north, cabinet=roads)
    appeal = services.file_appeal(
        author=CitizenFactory(),
        category=potholes,
        latitude=Decimal("56.005"),
        longitude=Decimal("38.005"),
        **FIELDS,
    )
    assert (appeal.territory, appeal.cabinet) == (north, roads)
    elsewhere = services.file_appeal(
        author=CitizenFactory(),
        category=potholes,
        latitude=Decimal("50"),
        longitude=Decimal("30"),
        **FIELDS,
    )
    assert elsewhere.cabinet == administration


def test_R5_forwarding_tells_the_citizen_and_starts_a_new_clock_in_the_receiving_cabinet(
    administration, django_capture_on_commit_callbacks
):
    registrar = member(administration, Role.REGISTRAR)
    housing = CabinetFactory(code="housing", name="Управление ЖКХ")
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False):
        appeal = services.file_appeal(author=CitizenFactory(), **FIELDS)
    with (
        time_machine.travel("2026-03-04 09:00:00+00:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        appeal = services.forward(
            appeal=appeal, actor=registrar, to_cabinet=housing, reason="Вопрос ЖКХ"
        )
    assert appeal.cabinet == housing and appeal.status == Status.RECEIVED and appeal.number == ""
    assert appeal.registration_due == date(2026, 3, 7)
    assert "Управление ЖКХ" in mail.outbox[-1].body
    with pytest.raises(TransitionNotAllowed):  # the old cabinet no longer holds it
        services.forward(appeal=appeal, actor=registrar, to_cabinet=administration, reason="x")


def test_R6_complaint_never_forwarded_to_the_body_it_is_about(administration):
    registrar = member(administration, Role.REGISTRAR)
    accused = CabinetFactory()
    appeal = AppealFactory(cabinet=administration, kind="complaint", respondent_cabinet=accused)
    with pytest.raises(TransitionNotAllowed):
        services.forward(
            appeal=appeal, actor=registrar, to_cabinet=accused, reason="По подведомственности"
        )
    assert appeal.events.count() == 0


@pytest.mark.parametrize("ground", list(Appeal.NoMeritsGround))
def test_R11_no_merits_outcome_needs_ground_and_reason_and_notifies_except_part_1(
    administration, ground, django_capture_on_commit_callbacks
):
    head = member(administration, Role.HEAD)
    appeal = AppealFactory(cabinet=administration)
    with pytest.raises(TransitionNotAllowed):
        services.close_no_merits(appeal=appeal, actor=head, ground=ground, note="")
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.close_no_merits(
            appeal=appeal, actor=head, ground=ground, note="Основание"
        )
    assert appeal.status == Status.CLOSED_NO_MERITS and appeal.no_merits_ground == ground
    assert len(mail.outbox) == (0 if ground == "no_name_or_address" else 1)
