"""The card's "next step": derived from the workflow's main path (appeals.workflow.next_step) and
its own rule for each member of the cabinet, per state and role; and what the author is told
happens next, and by when."""

import pytest
from django.urls import reverse

from appeals import selectors, services, workflow
from appeals.models import Appeal
from appeals.workflow import Status
from cabinets.roles import Role
from tests.factories import AppealFactory, CabinetFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    cabinet = CabinetFactory()
    return {
        "cabinet": cabinet,
        Role.HEAD: member(cabinet, Role.HEAD, last_name="Громов"),
        Role.REGISTRAR: member(cabinet, Role.REGISTRAR, last_name="Белова"),
        Role.EXECUTOR: member(cabinet, Role.EXECUTOR, last_name="Крылов"),
        Role.OBSERVER: member(cabinet, Role.OBSERVER, last_name="Лебедева"),
    }


def _in(appeal, status):
    Appeal.objects.filter(pk=appeal.pk).update(status=status)
    appeal.refresh_from_db()
    return appeal


def _who(step):
    return {(person.last_name, tuple(roles)) for person, roles in step.people}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.RECEIVED, "register"),
        (Status.REGISTERED, "assign"),
        (Status.IN_WORK, "draft_answer"),
        (Status.ANSWER_DRAFTED, "sign_answer"),
        (Status.REOPENED, "assign"),
        (Status.ANSWERED, None),
        (Status.FORWARDED, None),
        (Status.RETURNED, None),
        (Status.CLOSED_NO_MERITS, None),
        (Status.WITHDRAWN, None),
        (Status.MERGED, None),
    ],
)
def test_next_step_follows_the_main_path(status, expected):
    action = workflow.next_step(status)
    assert (action.name if action else None) == expected
    if action is not None:  # the step leaves the state for another one
        assert action.leaves_from(status) and action.target != status


def test_received_registrar_takes_it_observer_is_told_who(staff):
    appeal = AppealFactory(cabinet=staff["cabinet"])
    step = selectors.next_step_for_staff(appeal, staff[Role.REGISTRAR])
    assert step.action.name == "register" and step.yours
    step = selectors.next_step_for_staff(appeal, staff[Role.OBSERVER])
    assert not step.yours
    assert _who(step) == {("Громов", (Role.HEAD,)), ("Белова", (Role.REGISTRAR,))}


def test_registered_registrar_sees_that_the_head_assigns(staff):
    appeal = services.register(
        appeal=AppealFactory(cabinet=staff["cabinet"]), actor=staff[Role.REGISTRAR]
    )
    step = selectors.next_step_for_staff(appeal, staff[Role.REGISTRAR])
    assert step.action.name == "assign" and not step.yours
    assert _who(step) == {("Громов", (Role.HEAD,))}
    assert selectors.next_step_for_staff(appeal, staff[Role.HEAD]).yours


def test_in_work_the_assigned_executor_or_the_head_drafts(staff):
    other = member(staff["cabinet"], Role.EXECUTOR, last_name="Зайцев")
    appeal = services.register(
        appeal=AppealFactory(cabinet=staff["cabinet"]), actor=staff[Role.REGISTRAR]
    )
    appeal = services.assign(appeal=appeal, actor=staff[Role.HEAD], executor=staff[Role.EXECUTOR])
    assert appeal.status == Status.IN_WORK
    step = selectors.next_step_for_staff(appeal, staff[Role.REGISTRAR])
    assert step.action.name == "draft_answer" and not step.yours
    assert _who(step) == {("Громов", (Role.HEAD,)), ("Крылов", (Role.EXECUTOR,))}
    assert selectors.next_step_for_staff(appeal, staff[Role.EXECUTOR]).yours
    assert not selectors.next_step_for_staff(appeal, other).yours  # not their appeal


def test_answer_drafted_only_the_head_signs(staff):
    appeal = _in(AppealFactory(cabinet=staff["cabinet"], executor=staff[Role.EXECUTOR]), Status.ANSWER_DRAFTED)  # fmt: skip
    step = selectors.next_step_for_staff(appeal, staff[Role.EXECUTOR])
    assert step.action.name == "sign_answer" and _who(step) == {("Громов", (Role.HEAD,))}


def test_nobody_may_take_it_when_the_cabinet_lacks_the_role():
    cabinet = CabinetFactory()
    registrar = member(cabinet, Role.REGISTRAR)
    appeal = _in(AppealFactory(cabinet=cabinet), Status.REGISTERED)
    step = selectors.next_step_for_staff(appeal, registrar)
    assert step.people == [] and step.roles == [Role.HEAD]


def test_answered_and_closed_appeals_have_no_next_step(staff):
    for status in (Status.ANSWERED, Status.WITHDRAWN):
        appeal = _in(AppealFactory(cabinet=staff["cabinet"]), status)
        assert selectors.next_step_for_staff(appeal, staff[Role.HEAD]) is None
        assert selectors.next_step_for_author(appeal) is None


def test_card_names_the_next_step_and_who_may_take_it(client, staff):
    appeal = services.register(
        appeal=AppealFactory(cabinet=staff["cabinet"]), actor=staff[Role.REGISTRAR]
    )
    client.force_login(staff[Role.REGISTRAR])
    html = client.get(reverse("appeals_service:card", args=[appeal.pk])).content.decode()
    assert 'id="next-step"' in html and 'id="next-step-people"' in html
    assert str(workflow.ACTIONS["assign"].label) in html and staff[Role.HEAD].full_name in html
    assert 'id="action-assign"' not in html  # the registrar cannot assign

    client.force_login(staff[Role.HEAD])
    html = client.get(reverse("appeals_service:card", args=[appeal.pk])).content.decode()
    assert 'id="next-step-yours"' in html and 'href="#action-assign"' in html
    assert 'id="action-assign"' in html


def test_author_is_told_what_happens_next_and_by_when(client, staff):
    appeal = AppealFactory(cabinet=staff["cabinet"])
    services_appeal = Appeal.objects.get(pk=appeal.pk)
    client.force_login(appeal.author)
    Appeal.objects.filter(pk=appeal.pk).update(registration_due="2027-01-05")
    step = selectors.next_step_for_author(Appeal.objects.get(pk=appeal.pk))
    assert step.due.isoformat() == "2027-01-05"
    html = client.get(reverse("appeals:my_detail", args=[appeal.pk])).content.decode()
    assert 'id="next-step"' in html and 'id="next-step-due"' in html

    registered = services.register(appeal=services_appeal, actor=staff[Role.REGISTRAR])
    step = selectors.next_step_for_author(registered)
    assert step.due == registered.legal_due and step.text == workflow.CITIZEN_NEXT["assign"][0]
