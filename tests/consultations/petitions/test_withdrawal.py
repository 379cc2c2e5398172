"""A signer withdraws their signature while the petition is collecting (R24): the count goes
down, the petition's history keeps the event, and signing again is allowed."""

import pytest
from django.urls import reverse

from consultations.petitions import signing
from consultations.petitions.models import PetitionEvent, Signature
from consultations.petitions.workflow import Status
from tests.factories import CitizenFactory

from .factories import CollectingPetitionFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def _sign_and_confirm(petition, user):
    signature = signing.sign(petition=petition, user=user)
    signing.confirm_signature(token=signing.confirmation_token(signature))


def test_R24_a_signer_withdraws_while_collecting_and_may_sign_again(client):
    petition = CollectingPetitionFactory(signature_threshold=10)
    person, other = CitizenFactory(), CitizenFactory()
    _sign_and_confirm(petition, person)
    _sign_and_confirm(petition, other)
    petition.refresh_from_db()
    assert petition.signature_count == 2
    client.force_login(person)
    detail = client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
    assert 'id="withdraw-signature"' in detail
    url = reverse("petitions:withdraw", args=[petition.pk])
    page = client.get(url)  # asks for confirmation first: nothing is withdrawn yet
    assert page.status_code == 200 and 'id="withdraw-form"' in page.content.decode()
    assert Signature.objects.filter(petition=petition, user=person).exists()
    assert client.post(url).status_code == 302
    petition.refresh_from_db()
    assert petition.signature_count == 1
    assert not Signature.objects.filter(petition=petition, user=person).exists()
    event = PetitionEvent.objects.get(petition=petition, action="withdraw_signature")
    assert event.actor == person and not event.is_public
    assert (event.data["count_before"], event.data["count_after"]) == (2, 1)
    # nothing left to withdraw
    assert client.post(url).status_code == 400
    # signing again is allowed, confirmed by e-mail like the first time
    _sign_and_confirm(petition, person)
    petition.refresh_from_db()
    assert petition.signature_count == 2


def test_R24_no_withdrawal_once_collection_is_over_or_after_an_invalidation(client):
    petition = CollectingPetitionFactory()
    signature = SignatureFactory(petition=petition)
    invalidated = SignatureFactory(petition=petition, invalidated_at=signature.created_at)
    with pytest.raises(signing.SigningRefused):
        signing.withdraw_signature(petition=petition, user=invalidated.user)
    type(petition).objects.filter(pk=petition.pk).update(status=Status.THRESHOLD_REACHED)
    with pytest.raises(signing.SigningRefused):
        signing.withdraw_signature(petition=petition, user=signature.user)
    client.force_login(signature.user)
    response = client.post(reverse("petitions:withdraw", args=[petition.pk]))
    assert response.status_code == 400 and 'id="withdraw-error"' in response.content.decode()
    assert Signature.objects.filter(petition=petition).count() == 2
    assert not PetitionEvent.objects.filter(action="withdraw_signature").exists()
