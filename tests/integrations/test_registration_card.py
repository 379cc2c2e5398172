"""The registration card PDF (R4) on the appeal's card in the service cabinet: for the
registrars and heads of the holding cabinet, logged as a view of personal data."""

import pytest
from django.urls import reverse

from appeals.models import AccessLog
from cabinets.roles import Role
from tests.factories import AppealFactory, CabinetFactory, member

pytestmark = pytest.mark.django_db


def test_registrar_downloads_the_card_others_get_404(client):
    cabinet = CabinetFactory()
    appeal = AppealFactory(cabinet=cabinet, status="registered", number="01-01/7")
    url = reverse("appeals_service:registration_card", args=[appeal.pk])
    registrar = member(cabinet, Role.REGISTRAR)
    client.force_login(registrar)
    card = client.get(reverse("appeals_service:card", args=[appeal.pk]))
    assert url in card.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(user=registrar, appeal=appeal).count() == 2  # card + pdf

    for role in (Role.OBSERVER, Role.EXECUTOR):
        client.force_login(member(cabinet, role))
        assert client.get(url).status_code == 404
        assert (
            url
            not in client.get(reverse("appeals_service:card", args=[appeal.pk])).content.decode()
        )
    client.force_login(member(CabinetFactory(), Role.REGISTRAR))
    assert client.get(url).status_code == 404

    unregistered = AppealFactory(cabinet=cabinet, status="received", number="")
    client.force_login(registrar)
    target = reverse("appeals_service:registration_card", args=[unregistered.pk])
    assert client.get(target).status_code == 404
