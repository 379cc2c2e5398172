import threading
from datetime import date

import pytest
import time_machine
from django.db import connection

from appeals import services
from appeals.models import AppealEvent, CabinetAppealSettings, RoutingRule
from appeals.workflow import Status
from cabinets.roles import Role
from edem.core.workflow import TransitionNotAllowed
from tests.conftest import needs_services
from tests.factories import AppealFactory, CabinetFactory, TerritoryFactory, member

pytestmark = pytest.mark.django_db

MSK_NOON = "2026-03-02 09:00:00+00:00"  # Monday 2 March 2026, 12:00 in Moscow


@pytest.fixture
def cabinet():
    return CabinetFactory(code="adm")


@pytest.fixture
def head(cabinet):
    return member(cabinet, Role.HEAD)


@pytest.fixture
def registrar(cabinet):
    return member(cabinet, Role.REGISTRAR)


@time_machine.travel(MSK_NOON, tick=False)
def test_R4_registration_gives_number_date_and_starts_the_answer_clock(cabinet, registrar):
    appeal = AppealFactory(cabinet=cabinet)
    services.set_receipt_deadlines(appeal)
    assert appeal.registration_due == date(2026, 3, 5)  # receipt + 3
    appeal.save()
    appeal = services.register(appeal=appeal, actor=registrar)
    assert appeal.status == Status.REGISTERED
    assert appeal.number == "ADM-2026-000001"
    assert appeal.forwarding_due == date(2026, 3, 9)  # R5: registration + 7
    assert appeal.legal_due == date(2026, 4, 1)  # R8: registration + 30
    assert appeal.control_due == date(2026, 4, 1)
    event = appeal.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "register", "received", "registered", registrar,
    )  # fmt: skip


def test_R4_numbers_follow_the_cabinet_format_and_restart_each_year(cabinet, registrar):
    CabinetAppealSettings.objects.create(cabinet=cabinet, number_format="{code}/{seq}/{year}")
    with time_machine.travel("2026-12-31 08:00:00+00:00", tick=False):
        first = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
        second = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
    with time_machine.travel("2027-01-11 08:00:00+00:00", tick=False):
        third = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
    assert [first.number, second.number, third.number] == ["ADM/1/2026", "ADM/2/2026", "ADM/1/2027"]


def test_R4_registering_twice_is_refused(cabinet, registrar):
    appeal = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
    with pytest.raises(TransitionNotAllowed):
        services.register(appeal=appeal, actor=registrar)
    assert appeal.events.count() == 1


@needs_services
@pytest.mark.django_db(transaction=True)
def test_R4_numbers_are_unique_under_concurrent_registration():
    cabinet = CabinetFactory(code="par")
    registrar = member(cabinet, Role.REGISTRAR)
    appeals = [AppealFactory(cabinet=cabinet) for _ in range(8)]
    errors = []

    def work(appeal):
        try:
            services.register(appeal=appeal, actor=registrar)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(a,)) for a in appeals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = sorted(type(appeals[0]).objects.values_list("number", flat=True))
    assert numbers == [f"PAR-{numbers[0][4:8]}-{i:06d}" for i in range(1, 9)]


@time_machine.travel(MSK_NOON, tick=False)
def test_R9_extension_by_the_head_once_at_most_30_days_with_reason(cabinet, head, registrar):
    appeal = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
    with pytest.raises(TransitionNotAllowed):  # a registrar may not extend
        services.extend(appeal=appeal, actor=registrar, days=10, reason="exceptional", note="x")
    with pytest.raises(TransitionNotAllowed):
        services.extend(
            appeal=appeal, actor=head, days=31, reason="exceptional", note="Много работы"
        )
    with pytest.raises(TransitionNotAllowed):
        services.extend(appeal=appeal, actor=head, days=10, reason="busy", note="Много работы")
    with pytest.raises(TransitionNotAllowed):
        services.extend(appeal=appeal, actor=head, days=10, reason="exceptional", note=" ")
    with pytest.raises(TransitionNotAllowed):  # no documents were requested (R7)
        services.extend(
            appeal=appeal, actor=head, days=30, reason="external_request", note="Запрос"
        )
    request = services.send_external_request(
        appeal=appeal, actor=head, addressee="Росреестр", subject="Выписка из ЕГРН"
    )
    assert request.due_on == date(2026, 3, 17)  # R7: 15 days
    appeal = services.extend(
        appeal=appeal, actor=head, days=30, reason="external_request", note="Запрошены документы"
    )
    assert appeal.original_due == date(2026, 4, 1)
    assert appeal.legal_due == date(2026, 5, 1)
    assert appeal.control_due == date(2026, 4, 30)  # 1 May is a holiday
    with pytest.raises(TransitionNotAllowed):
        services.extend(appeal=appeal, actor=head, days=1, reason="exceptional", note="Ещё")
    event = appeal.events.get(action="extend")
    assert event.is_public and event.data["new_due"] == "2026-05-01"


def test_R9_no_extension_after_the_deadline_passed(cabinet, head, registrar):
    with time_machine.travel(MSK_NOON, tick=False):
        appeal = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
    with (
        time_machine.travel("2026-04-02 09:00:00+00:00", tick=False),
        pytest.raises(TransitionNotAllowed),
    ):
        services.extend(appeal=appeal, actor=head, days=5, reason="exceptional", note="Поздно")


def test_R6_complaint_is_never_assigned_to_the_official_it_is_about(cabinet, head, registrar):
    accused = member(cabinet, Role.EXECUTOR)
    colleague = member(cabinet, Role.EXECUTOR)
    appeal = AppealFactory(cabinet=cabinet, kind="complaint", respondent_official=accused)
    services.register(appeal=appeal, actor=registrar)
    with pytest.raises(TransitionNotAllowed):
        services.assign(appeal=appeal, actor=head, executor=accused)
    with pytest.raises(TransitionNotAllowed):
        services.assign(appeal=appeal, actor=head, executor=colleague, co_executors=[accused])
    appeal = services.assign(appeal=appeal, actor=head, executor=colleague)
    assert appeal.status == Status.IN_WORK and appeal.executor == colleague


def test_assigning_someone_outside_the_cabinet_is_refused(cabinet, head, registrar):
    outsider = member(CabinetFactory(), Role.EXECUTOR)
    appeal = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
    with pytest.raises(TransitionNotAllowed):
        services.assign(appeal=appeal, actor=head, executor=outsider)


def test_R10_withdrawal_by_the_author_from_an_open_state(cabinet, registrar):
    appeal = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
    with pytest.raises(TransitionNotAllowed):
        services.withdraw(appeal=appeal, actor=registrar)
    appeal = services.withdraw(appeal=appeal, actor=appeal.author, note="Вопрос решён")
    assert appeal.status == Status.WITHDRAWN and appeal.closed_at
    with pytest.raises(TransitionNotAllowed):
        services.withdraw(appeal=appeal, actor=appeal.author)


def test_history_is_immutable(cabinet, registrar):
    appeal = services.register(appeal=AppealFactory(cabinet=cabinet), actor=registrar)
    event = AppealEvent.objects.get(appeal=appeal)
    event.note = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_routing_prefers_the_most_specific_rule_then_the_category_default():
    from appeals.models import Category

    roads, housing, north_office = CabinetFactory(), CabinetFactory(), CabinetFactory()
    for office in (roads, housing, north_office):  # routing skips cabinets nobody registers in
        member(office, Role.REGISTRAR)
    north, south = TerritoryFactory(), TerritoryFactory()
    potholes = Category.objects.create(name="Ямы", default_cabinet=roads)
    lighting = Category.objects.create(name="Освещение")
    RoutingRule.objects.create(category=potholes, territory=north, cabinet=north_office)
    RoutingRule.objects.create(category=None, territory=south, cabinet=housing)
    assert services.route(category=potholes, territory=north) == north_office
    assert services.route(category=potholes, territory=None) == roads
    assert services.route(category=lighting, territory=south) == housing
    assert services.route(category=lighting, territory=north) is None


@pytest.mark.parametrize(
    ("profile", "forwarding_due", "legal_due"),
    [
        # R5, R8: forwarding within 7 days and the answer within 30 days of registration.
        ("ru", date(2026, 3, 9), date(2026, 4, 1)),
        # R20, R21: forwarding within 5 days; the answer within a month of receipt.
        ("ua", date(2026, 3, 7), date(2026, 4, 2)),
    ],
)
def test_R5_R8_R20_R21_registration_takes_its_terms_from_the_profile(
    settings, cabinet, registrar, profile, forwarding_due, legal_due
):
    """The same service under both jurisdiction profiles: the numbers are the profile's data."""
    settings.EDEM_JURISDICTION = profile
    with time_machine.travel(MSK_NOON, tick=False):
        appeal = AppealFactory(cabinet=cabinet)
        services.set_receipt_deadlines(appeal)
        appeal.save()
        appeal = services.register(appeal=appeal, actor=registrar)
    assert (appeal.forwarding_due, appeal.legal_due) == (forwarding_due, legal_due)
    assert appeal.control_due <= appeal.legal_due
