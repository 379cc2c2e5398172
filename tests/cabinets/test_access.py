"""The permission vocabulary of cabinets: the three questions every app asks (roles_in, can,
staff_with) and the few around them, for each role, an ended membership, a deactivated
cabinet, another cabinet, an inactive account and a superuser."""

import pytest

from cabinets import services
from cabinets.access import cabinets_where, can, members, position_in, roles_in, staff_with
from cabinets.models import Cabinet
from cabinets.roles import CABINET_PERMISSIONS, ROLE_PERMISSIONS, Role
from tests.factories import CabinetFactory, UserFactory, member

pytestmark = pytest.mark.django_db

CODES = [code for code, _label in CABINET_PERMISSIONS]


def fresh(user):
    """The same person as a new request would load them (no cached roles)."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize("role", list(Role))
def test_each_role_answers_the_three_questions_with_its_own_grants(role):
    cabinet = CabinetFactory()
    person = member(cabinet, role, mfa=False)
    assert roles_in(person, cabinet) == {role}
    assert roles_in(person, cabinet.pk) == {role}  # a cabinet or its id
    for code in CODES:
        granted = code in ROLE_PERMISSIONS[role]
        assert can(person, f"cabinets.{code}", cabinet) is granted
        assert can(person, code, cabinet.pk) is granted
        assert (person in staff_with(f"cabinets.{code}", cabinet)) is granted


def test_two_roles_grant_the_union():
    cabinet, person = CabinetFactory(), UserFactory()
    services.add_membership(cabinet=cabinet, user=person, role=Role.REGISTRAR)
    services.add_membership(cabinet=cabinet, user=person, role=Role.EXECUTOR)
    person = fresh(person)
    assert roles_in(person, cabinet) == {Role.REGISTRAR, Role.EXECUTOR}
    assert can(person, "cabinets.register_appeal", cabinet)
    assert can(person, "cabinets.answer_appeal", cabinet)
    assert not can(person, "cabinets.sign_answer", cabinet)


def test_an_ended_membership_answers_no_to_everything():
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD, mfa=False)
    services.end_membership(membership=head.memberships.get())
    head = fresh(head)
    assert roles_in(head, cabinet) == frozenset()
    assert not any(can(head, code, cabinet) for code in CODES)
    assert head not in staff_with("cabinets.view_cabinet_work", cabinet)
    assert not cabinets_where(head).exists()
    assert not members(cabinet).exists()


def test_a_deactivated_cabinet_grants_nothing_once_resynced():
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD, mfa=False)
    Cabinet.objects.filter(pk=cabinet.pk).update(is_active=False)
    cabinet.refresh_from_db()
    services.sync_all_for_cabinet(cabinet)
    head = fresh(head)
    assert roles_in(head, cabinet) == frozenset()
    assert not can(head, "cabinets.view_cabinet_work", cabinet)
    assert not staff_with("cabinets.view_cabinet_work", cabinet).exists()
    assert not cabinets_where(head).exists()


def test_a_role_in_one_cabinet_gives_nothing_in_another():
    one, other = CabinetFactory(), CabinetFactory()
    head = member(one, Role.HEAD, mfa=False)
    colleague = member(other, Role.EXECUTOR, mfa=False)
    assert roles_in(head, other) == frozenset()
    assert not any(can(head, code, other) for code in CODES)
    assert list(staff_with("cabinets.answer_appeal", other)) == [colleague]
    assert set(staff_with("cabinets.answer_appeal", one)) == {head}
    # Several cabinets at once: as ids, or as a queryset of cabinets.
    both = {head, colleague}
    assert set(staff_with("cabinets.answer_appeal", [one.pk, other.pk])) == both
    assert set(staff_with("cabinets.answer_appeal", Cabinet.objects.all())) == both
    assert list(cabinets_where(head)) == [one]
    assert list(cabinets_where(colleague, "cabinets.answer_appeal")) == [other]
    assert not cabinets_where(colleague, "cabinets.sign_answer").exists()


def test_a_superuser_holds_in_a_cabinet_only_what_a_role_there_gives():
    cabinet = CabinetFactory()
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert admin.has_perm("appeals.change_appeal")  # the portal's admin keeps the admin site
    assert roles_in(admin, cabinet) == frozenset()
    assert not any(can(admin, code, cabinet) for code in CODES)
    assert admin not in staff_with("cabinets.sign_answer", cabinet)
    assert not cabinets_where(admin, "cabinets.sign_answer").exists()
    services.add_membership(cabinet=cabinet, user=admin, role=Role.OBSERVER)
    admin = fresh(admin)
    assert roles_in(admin, cabinet) == {Role.OBSERVER}
    assert can(admin, "cabinets.view_cabinet_work", cabinet)
    assert not can(admin, "cabinets.sign_answer", cabinet)  # R12: not a signer by being admin
    assert list(cabinets_where(admin)) == [cabinet]


def test_an_inactive_account_and_a_visitor_hold_nothing(client):
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD, mfa=False)
    type(head).objects.filter(pk=head.pk).update(is_active=False)
    head = fresh(head)
    assert roles_in(head, cabinet) == frozenset()
    assert not can(head, "cabinets.view_cabinet_work", cabinet)
    assert not staff_with("cabinets.view_cabinet_work", cabinet).exists()
    assert not cabinets_where(head).exists()
    anonymous = client.get("/").wsgi_request.user
    assert not anonymous.is_authenticated
    assert roles_in(anonymous, cabinet) == frozenset()
    assert not can(anonymous, "cabinets.view_cabinet_work", cabinet)
    assert not can(None, "cabinets.view_cabinet_work", cabinet)


def test_members_by_role_and_the_signing_position():
    one, other = CabinetFactory(), CabinetFactory()
    head = UserFactory()
    services.add_membership(cabinet=one, user=head, role=Role.HEAD, position="Глава района")
    registrar = member(one, Role.REGISTRAR, mfa=False)
    member(other, Role.REGISTRAR, mfa=False)
    assert [m.user for m in members(one, roles=[Role.REGISTRAR])] == [registrar]
    assert members(roles=[Role.REGISTRAR]).count() == 2
    assert members([one.pk, other.pk]).count() == 3
    assert position_in(head, one) == "Глава района"
    assert position_in(registrar, one) == ""
    assert position_in(head, other) == ""


def test_asking_for_a_permission_that_is_not_a_cabinets_is_a_programming_error():
    cabinet, person = CabinetFactory(), UserFactory()
    for perm in ("cabinets.fly", "appeals.change_appeal", "publishes"):
        with pytest.raises(ValueError):
            can(person, perm, cabinet)
        with pytest.raises(ValueError):
            staff_with(perm, cabinet)
