"""The registrar's in-person verification in the service cabinet (R30; the document number is
kept only as a keyed hash, R18)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cabinets import services
from cabinets.roles import Role
from edem.accounts.models import User
from tests.factories import CabinetFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def _form(number="45 01 123456", kind="passport", confirmed=True):
    data = {"document_kind": kind, "document_number": number}
    if confirmed:
        data["confirmed"] = "on"
    return data


def test_R30_a_registrar_finds_a_person_and_verifies_them_in_person(
    client, django_capture_on_commit_callbacks
):
    cabinet = CabinetFactory()
    registrar = member(cabinet, Role.REGISTRAR)
    person = UserFactory(email="ivan@example.org", last_name="Петров", first_name="Иван")
    twin = UserFactory(email="ivan+2@example.org", last_name="Петров", first_name="Иван")
    client.force_login(registrar)
    page = client.get(reverse("service:cabinet", args=[cabinet.code])).content.decode()
    assert 'id="verify-residents-link"' in page
    search = reverse("service:residents", args=[cabinet.code])
    assert client.get(search, {"q": "iv"}).status_code == 400  # too short to search
    found = client.get(search, {"q": "Петров Иван"}).content.decode()
    verify = reverse("service:verify_resident", args=[cabinet.code, person.pk])
    assert verify in found and "ivan+2@example.org" in found
    # errors beside the fields, input kept
    response = client.post(verify, _form(number=" - ", confirmed=False))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_confirmed_error"' in html and 'id="id_document_number_error"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(verify, _form())
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.verification_level == User.Verification.RESIDENT
    assert person.verified_by == registrar and cabinet.short_name in person.verification_note
    assert person.document_key and "123456" not in person.verification_note  # R18
    assert [m.to for m in mail.outbox] == [[person.email]]  # the person is told
    # the same passport on the second account: refused, the message beside the number
    response = client.post(
        reverse("service:verify_resident", args=[cabinet.code, twin.pk]), _form("4501123456")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_document_number_error"' in html and 'value="4501123456"' in html
    twin.refresh_from_db()
    assert twin.verification_level == User.Verification.EMAIL and twin.document_key is None


def test_R30_only_registrars_and_heads_verify_residents(client):
    cabinet = CabinetFactory()
    person = UserFactory()
    executor = member(cabinet, Role.EXECUTOR)
    with pytest.raises(PermissionDenied):
        services.verify_resident_in_person(
            actor=executor,
            cabinet=cabinet,
            user=person,
            document_kind="passport",
            document_number="1",
        )
    client.force_login(executor)
    assert client.get(reverse("service:residents", args=[cabinet.code])).status_code == 403
    verify = reverse("service:verify_resident", args=[cabinet.code, person.pk])
    assert client.post(verify, _form()).status_code == 403
    client.force_login(member(CabinetFactory(), Role.REGISTRAR))  # another cabinet's registrar
    assert client.post(verify, _form()).status_code == 404
    client.force_login(member(cabinet, Role.HEAD))
    assert client.post(verify, _form()).status_code == 302
    person.refresh_from_db()
    assert person.verification_level == User.Verification.RESIDENT
