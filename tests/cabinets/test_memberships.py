import pytest
from django.core.exceptions import PermissionDenied
from guardian.shortcuts import get_perms

from cabinets import services
from cabinets.roles import ROLE_PERMISSIONS, Role
from tests.factories import CabinetFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_adding_a_membership_grants_exactly_the_roles_permissions(role):
    cabinet, person = CabinetFactory(), UserFactory()
    services.add_membership(cabinet=cabinet, user=person, role=role)
    assert set(get_perms(person, cabinet)) == set(ROLE_PERMISSIONS[role])
    for code in ROLE_PERMISSIONS[Role.HEAD]:
        assert person.has_perm(f"cabinets.{code}", cabinet) == (code in ROLE_PERMISSIONS[role])


@pytest.mark.parametrize("role", list(Role))
def test_ending_a_membership_revokes_its_permissions(role):
    cabinet, person = CabinetFactory(), UserFactory()
    membership = services.add_membership(cabinet=cabinet, user=person, role=role)
    services.end_membership(membership=membership)
    assert get_perms(person, cabinet) == []
    assert not person.is_cabinet_member


def test_permissions_are_per_cabinet():
    one, other = CabinetFactory(), CabinetFactory()
    head = member(one, Role.HEAD)
    assert head.has_perm("cabinets.sign_answer", one)
    assert not head.has_perm("cabinets.view_cabinet_work", other)


def test_two_roles_in_one_cabinet_grant_the_union_and_ending_one_keeps_the_other():
    cabinet, person = CabinetFactory(), UserFactory()
    services.add_membership(cabinet=cabinet, user=person, role=Role.REGISTRAR)
    executor = services.add_membership(cabinet=cabinet, user=person, role=Role.EXECUTOR)
    assert (
        set(get_perms(person, cabinet))
        == ROLE_PERMISSIONS[Role.REGISTRAR] | ROLE_PERMISSIONS[Role.EXECUTOR]
    )
    services.end_membership(membership=executor)
    assert set(get_perms(person, cabinet)) == set(ROLE_PERMISSIONS[Role.REGISTRAR])


def test_changing_a_role_swaps_the_permissions():
    cabinet, person = CabinetFactory(), UserFactory()
    membership = services.add_membership(cabinet=cabinet, user=person, role=Role.HEAD)
    services.change_role(membership=membership, role=Role.OBSERVER)
    assert set(get_perms(person, cabinet)) == {"view_cabinet_work"}


def test_adding_the_same_role_twice_is_idempotent():
    cabinet, person = CabinetFactory(), UserFactory()
    first = services.add_membership(cabinet=cabinet, user=person, role=Role.EXECUTOR)
    second = services.add_membership(cabinet=cabinet, user=person, role=Role.EXECUTOR)
    assert first.pk == second.pk


def test_only_a_member_manager_may_add_staff():
    cabinet = CabinetFactory()
    executor = member(cabinet, Role.EXECUTOR)
    with pytest.raises(PermissionDenied):
        services.add_membership(cabinet=cabinet, user=UserFactory(), role=Role.HEAD, actor=executor)
    head = member(cabinet, Role.HEAD)
    services.add_membership(cabinet=cabinet, user=UserFactory(), role=Role.EXECUTOR, actor=head)


def test_deactivating_a_cabinet_revokes_everyones_permissions():
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    cabinet.is_active = False
    cabinet.save()
    services.sync_all_for_cabinet(cabinet)
    assert get_perms(head, cabinet) == []


def test_admin_inline_edit_resyncs_permissions(admin_client):
    cabinet, person = CabinetFactory(), UserFactory()
    data = {
        "name_ru": cabinet.name, "short_name_ru": cabinet.short_name, "code": cabinet.code,
        "kind": cabinet.kind, "is_active": "on", "email": cabinet.email,
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-user": str(person.pk), "memberships-0-role": "registrar",
        "memberships-0-started_at_0": "2026-01-10", "memberships-0-started_at_1": "09:00:00",
    }  # fmt: skip
    response = admin_client.post(f"/admin/cabinets/cabinet/{cabinet.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(get_perms(person, cabinet)) == set(ROLE_PERMISSIONS[Role.REGISTRAR])
