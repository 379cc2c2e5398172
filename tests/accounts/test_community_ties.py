"""Work, study and IDP registration as membership of a community (R30): entered in the admin
by the official who saw the document, shown to the person in their cabinet."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from edem.accounts.models import CommunityTie
from tests.factories import CitizenFactory, TerritoryFactory, UserFactory
from tests.helpers import record_second_factor

pytestmark = pytest.mark.django_db


def test_R30_an_administrator_records_a_tie_in_the_admin_and_the_person_is_told(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    person = CitizenFactory()
    district = TerritoryFactory(name="Заречный район")
    client.force_login(admin_user)
    record_second_factor(client, admin_user)
    url = reverse("admin:accounts_user_change", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and key not in ("password", "groups", "user_permissions")
    }
    data.update(
        {
            "email": person.email,
            "date_joined_0": person.date_joined.strftime("%d.%m.%Y"),
            "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
            "community_ties-TOTAL_FORMS": "1",
            "community_ties-INITIAL_FORMS": "0",
            "community_ties-0-territory": str(district.pk),
            "community_ties-0-basis": "idp",
            "community_ties-0-document": "Довідка ВПО № 1234",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    tie = CommunityTie.objects.get(user=person)
    assert (tie.territory, tie.basis, tie.confirmed_by) == (district, "idp", admin_user)
    assert [m.to for m in mailoutbox] == [[person.email]]
    assert "внутренне перемещённое лицо" in mailoutbox[0].body
    listing = client.get(reverse("admin:accounts_communitytie_changelist"))
    assert listing.status_code == 200 and person.last_name in listing.content.decode()


def test_the_cabinet_lists_the_ties_and_marks_an_expired_one(client):
    person = CitizenFactory()
    today = timezone.localdate()
    CommunityTie.objects.create(
        user=person,
        territory=TerritoryFactory(name="Северный район"),
        basis="work",
        document="Справка с места работы",
        valid_until=today + timedelta(days=30),
    )
    CommunityTie.objects.create(
        user=person,
        territory=TerritoryFactory(name="Южный район"),
        basis="study",
        document="Студенческий билет",
        valid_until=date(2020, 6, 30),
    )
    client.force_login(person)
    page = client.get(reverse("accounts:cabinet")).content.decode()
    assert "Северный район: работает там" in page
    assert "Южный район: учится там" in page and "истекло 30.06.2020" in page
