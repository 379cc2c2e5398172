"""Signing: eligibility, the e-mail confirmation, rate limits, bulk invalidation, and one
signature per person under parallel requests (R24)."""

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from cabinets.roles import Role
from consultations.petitions import services, signing
from consultations.petitions.models import PetitionSettings, Signature
from consultations.petitions.workflow import Status
from edem.accounts.models import User
from edem.core.workflow import TransitionNotAllowed
from tests.factories import CitizenFactory, UserFactory, member

from .factories import CollectingPetitionFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def _link(recipient):
    message = next(m for m in reversed(mail.outbox) if m.to == [recipient.email])
    return re.search(r"(/petitions/confirm/[^/\s]+/)", message.body).group(1)


def test_R24_a_signature_counts_only_after_the_email_link_is_followed(
    client, django_capture_on_commit_callbacks
):
    petition = CollectingPetitionFactory(signature_threshold=5)
    person = CitizenFactory()
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("petitions:sign", args=[petition.pk]), {"hide_name": "on"})
    assert response.status_code == 302
    signature = Signature.objects.get(petition=petition)
    assert signature.confirmed_at is None and not signature.show_name
    petition.refresh_from_db()
    assert petition.signature_count == 0
    link = _link(person)
    client.logout()  # the link works from any device
    assert client.get(link).status_code == 200  # a mail scanner opening it signs nothing
    signature.refresh_from_db()
    assert signature.confirmed_at is None
    assert client.post(link).status_code == 302
    assert client.post(link).status_code == 302  # idempotent
    petition.refresh_from_db()
    assert petition.signature_count == 1
    assert client.post("/petitions/confirm/forged-token/").status_code == 400


def test_confirmation_link_expires_and_a_new_signing_resends_it(
    client, django_capture_on_commit_callbacks
):
    petition = CollectingPetitionFactory()
    person = CitizenFactory()
    with django_capture_on_commit_callbacks(execute=True):
        signing.sign(petition=petition, user=person, ip="192.0.2.1")
    link = _link(person)
    client.cookies["django_language"] = "en"
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert "expired" in client.post(link).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            again = signing.sign(petition=petition, user=person, ip="192.0.2.1")
        assert again.resent and Signature.objects.filter(petition=petition).count() == 1
        assert client.post(_link(person)).status_code == 302
    assert Signature.objects.get(petition=petition).counts


def test_R24_an_ineligible_user_is_refused_with_the_reason(client):
    petition = CollectingPetitionFactory()
    email_only = UserFactory()
    client.force_login(email_only)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
    assert "You cannot sign this petition" in page and "Resident" in page
    response = client.post(reverse("petitions:sign", args=[petition.pk]))
    assert response.status_code == 400 and "Resident" in response.content.decode()
    assert not Signature.objects.exists()


def test_R24_a_second_account_of_the_same_person_cannot_sign_again():
    petition = CollectingPetitionFactory()
    first = CitizenFactory(verification_level=User.Verification.IDENTITY)
    SocialAccount.objects.create(user=first, provider="oidc", uid="subject-7")
    signature = signing.sign(petition=petition, user=first, ip="192.0.2.1")
    Signature.objects.filter(pk=signature.pk).update(confirmed_at=timezone.now())
    SocialAccount.objects.filter(user=first).delete()  # the person drops the account ...
    second = CitizenFactory(verification_level=User.Verification.IDENTITY)
    SocialAccount.objects.create(user=second, provider="oidc", uid="subject-7")  # ... and returns
    with pytest.raises(signing.SigningRefused):
        signing.sign(petition=petition, user=second, ip="192.0.2.2")
    assert Signature.objects.filter(petition=petition).count() == 1


@pytest.mark.django_db(transaction=True)
def test_R24_parallel_signatures_of_one_person_make_exactly_one_row():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    petition = CollectingPetitionFactory()
    person = CitizenFactory()
    workers = 8
    barrier = threading.Barrier(workers)
    outcomes = []

    def attempt(n):
        try:
            barrier.wait(timeout=10)
            signing.sign(petition=petition, user=person, ip=f"198.51.100.{n}")
            outcomes.append("signed")
        except signing.SigningRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == workers and "signed" in outcomes
    assert Signature.objects.filter(petition=petition).count() == 1


def test_rate_limit_per_ip_address_refuses_with_a_clear_reason():
    settings_ = PetitionSettings.load()
    settings_.signatures_per_ip_per_hour = 2
    settings_.save()
    petition = CollectingPetitionFactory()
    for _n in range(2):
        signing.sign(petition=petition, user=CitizenFactory(), ip="203.0.113.9")
    with translation.override("en"), pytest.raises(signing.SigningRefused, match="network"):
        signing.sign(petition=petition, user=CitizenFactory(), ip="203.0.113.9")
    signing.sign(petition=petition, user=CitizenFactory(), ip="203.0.113.10")  # another IP
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        signing.sign(petition=petition, user=CitizenFactory(), ip="203.0.113.9")  # next hour
    assert Signature.objects.filter(petition=petition).count() == 4


def test_rate_limit_per_email_domain_unless_the_domain_is_exempt():
    settings_ = PetitionSettings.load()
    settings_.signatures_per_domain_per_hour = 2
    settings_.save()
    petition = CollectingPetitionFactory()
    for n in range(2):
        signing.sign(
            petition=petition, user=CitizenFactory(email=f"bot{n}@spam.test"), ip=f"192.0.2.{n}"
        )
    with translation.override("en"), pytest.raises(signing.SigningRefused, match="spam.test"):
        signing.sign(petition=petition, user=CitizenFactory(email="bot9@spam.test"), ip="192.0.2.9")
    settings_.unlimited_domains = "Spam.test\n"
    settings_.save()
    signing.sign(petition=petition, user=CitizenFactory(email="ok@spam.test"), ip="192.0.2.20")


def test_moderators_invalidate_signatures_in_bulk_with_a_logged_reason_and_a_recount():
    petition = CollectingPetitionFactory(signature_threshold=4)
    registrar = member(petition.cabinet, Role.REGISTRAR)
    executor = member(petition.cabinet, Role.EXECUTOR)
    bots = [
        SignatureFactory(petition=petition, ip="203.0.113.66", user=CitizenFactory())
        for _n in range(2)
    ]
    early = timezone.now() - timedelta(days=3)
    spam = SignatureFactory(
        petition=petition, ip="192.0.2.1", user=CitizenFactory(email="x@spam.test")
    )
    Signature.objects.filter(pk=spam.pk).update(created_at=early)
    honest = SignatureFactory(petition=petition, ip="192.0.2.2")
    services.recount(petition)
    petition.refresh_from_db()
    assert petition.signature_count == 4

    with pytest.raises(TransitionNotAllowed):
        signing.invalidate_signatures(petition=petition, actor=executor, reason="x", ip="1.1.1.1")
    with pytest.raises(TransitionNotAllowed):
        signing.invalidate_signatures(petition=petition, actor=registrar, reason="Боты")
    with pytest.raises(TransitionNotAllowed):
        signing.invalidate_signatures(
            petition=petition, actor=registrar, reason=" ", ip="203.0.113.66"
        )

    n = signing.invalidate_signatures(
        petition=petition, actor=registrar, reason="Боты с одного адреса", ip="203.0.113.66"
    )
    assert n == 2
    n = signing.invalidate_signatures(
        petition=petition,
        actor=registrar,
        reason="Одноразовые ящики",
        email_domain="@SPAM.test",
        signed_to=timezone.now() - timedelta(days=1),
    )
    assert n == 1
    petition.refresh_from_db()
    assert petition.signature_count == 1
    assert all(not Signature.objects.get(pk=s.pk).counts for s in (*bots, spam))
    assert Signature.objects.get(pk=honest.pk).counts
    events = list(petition.events.filter(action="invalidate").order_by("pk"))
    assert [e.note for e in events] == ["Боты с одного адреса", "Одноразовые ящики"]
    assert events[0].data["invalidated"] == 2 and events[0].data["count_after"] == 2
    assert events[0].actor == registrar and not events[0].is_public


def test_invalidation_below_the_threshold_reopens_the_collection():
    petition = CollectingPetitionFactory(signature_threshold=2)
    registrar = member(petition.cabinet, Role.REGISTRAR)
    first = SignatureFactory(petition=petition, confirmed_at=None, ip="203.0.113.1")
    second = SignatureFactory(petition=petition, confirmed_at=None, ip="192.0.2.1")
    signing.confirm_signature(token=signing.confirmation_token(first))
    signing.confirm_signature(token=signing.confirmation_token(second))
    petition.refresh_from_db()
    assert petition.status == Status.THRESHOLD_REACHED
    signing.invalidate_signatures(
        petition=petition, actor=registrar, reason="Подлог", ip="203.0.113.1"
    )
    petition.refresh_from_db()
    assert petition.status == Status.COLLECTING and petition.announce_due is None
    with pytest.raises(signing.SigningRefused):  # an invalidated signature stays invalid
        signing.confirm_signature(token=signing.confirmation_token(first))


def test_rate_limits_fail_open_when_the_cache_is_down(monkeypatch):
    class BrokenCache:
        def __getattr__(self, name):
            def broken(*args, **kwargs):
                raise ConnectionError("cache down")

            return broken

    monkeypatch.setattr("consultations.petitions.signing.cache", BrokenCache())
    petition = CollectingPetitionFactory()
    signature = signing.sign(petition=petition, user=CitizenFactory(), ip="192.0.2.1")
    assert signature.pk and not signature.counts
