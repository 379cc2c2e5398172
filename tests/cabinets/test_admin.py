"""Cabinets extend the person's page of the admin with the person's memberships; accounts, which
sit below cabinets, know nothing of them."""

import pytest
from django.contrib import admin

from cabinets.roles import Role
from edem.accounts.models import User
from tests.factories import CabinetFactory, member

pytestmark = pytest.mark.django_db


def test_the_person_page_lists_their_memberships_read_only(admin_client):
    cabinet = CabinetFactory(name="Отдел благоустройства")
    official = member(cabinet, Role.REGISTRAR)
    html = admin_client.get(f"/admin/accounts/user/{official.pk}/change/").content.decode()
    assert 'id="memberships-group"' in html
    assert "Отдел благоустройства" in html
    inline = next(
        inline
        for inline in admin.site._registry[User].get_inline_instances(None)
        if inline.model._meta.label == "cabinets.Membership"
    )
    assert not inline.has_add_permission(None) and not inline.can_delete
    assert set(inline.readonly_fields) >= {"cabinet", "role"}


def test_the_accounts_admin_alone_has_no_cabinet_inline():
    from edem.accounts.admin import UserAdmin

    assert [inline.model._meta.label for inline in UserAdmin.inlines] == ["accounts.CommunityTie"]
