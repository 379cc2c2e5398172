"""One test per petition rule (RULES section D, R22–R26), through the services."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal, CoSigner
from cabinets.roles import Role
from consultations.petitions import services, signing
from consultations.petitions.models import Petition, PetitionSettings
from consultations.petitions.workflow import Status
from edem.accounts.models import User
from edem.core.workflow import TransitionNotAllowed
from edem.notifications.models import Notification
from tests.factories import CabinetFactory, CitizenFactory, UserFactory, member

from .factories import CollectingPetitionFactory, PetitionFactory, SignatureFactory

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")


def _at(year, month, day, hour=12):
    return time_machine.travel(datetime(year, month, day, hour, tzinfo=MSK), tick=False)


def _confirm_from_mail(client, recipient):
    message = next(m for m in reversed(mail.outbox) if m.to == [recipient.email])
    link = re.search(r"(/petitions/confirm/[^/\s]+/)", message.body).group(1)
    return client.post(link)


def test_R22_petition_states_its_author_and_the_page_shows_start_date_count_and_signatories(
    client,
):
    cabinet = CabinetFactory()
    author = CitizenFactory(first_name="Анна", last_name="Орлова", patronymic="")
    petition = services.create_draft(
        author=author,
        cabinet=cabinet,
        title="Освещение в парке",
        text="В парке Победы нет освещения вечером, люди боятся ходить. " * 2,
        proposed_solution="Установить фонари вдоль аллей.",
    )
    assert petition.author_name == "Орлова Анна" and petition.status == Status.DRAFT
    nameless = CitizenFactory(first_name="", last_name="")
    with pytest.raises(TransitionNotAllowed, match="R22"):
        services.create_draft(
            author=nameless, cabinet=cabinet, title="t", text="x" * 60, proposed_solution="y"
        )
    Petition.objects.filter(pk=petition.pk).update(
        status=Status.COLLECTING,
        published_at=timezone.now(),
        collection_ends_on=timezone.localdate() + timedelta(days=60),
    )
    SignatureFactory(petition=petition, user=CitizenFactory(first_name="Олег", last_name="Ким"))
    SignatureFactory(petition=petition, show_name=False, user=CitizenFactory(last_name="Тайнов"))
    SignatureFactory(petition=petition, confirmed_at=None, user=CitizenFactory(last_name="Ждёт"))
    services.recount(Petition.objects.get(pk=petition.pk))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
    assert "Орлова Анна" in html and "Collection started" in html
    assert "Олег Ким" in html and "Тайнов" not in html and "Name not shown" in html
    assert "Ждёт" not in html  # not confirmed: not a signatory yet
    assert "@example.org" not in html  # e-mail addresses are never shown
    assert ">2</span>" in html  # the count of confirmed, valid signatures
    # R22's forbidden content is the list of grounds a moderator cites.
    grounds = set(Petition.RefusalGround.values)
    assert {"constitutional_order", "violence", "hatred", "crime", "obscene"} <= grounds


def test_R23_moderation_within_two_working_days_and_a_refusal_cites_its_ground():
    cabinet = CabinetFactory()
    registrar, executor = member(cabinet, Role.REGISTRAR), member(cabinet, Role.EXECUTOR)
    petition = PetitionFactory(cabinet=cabinet)
    with _at(2026, 11, 20):  # a Friday: Monday 23 and Tuesday 24 are the two working days
        petition = services.submit(petition=petition, actor=petition.author)
    assert petition.status == Status.MODERATION and petition.moderation_due == date(2026, 11, 24)
    assert Notification.objects.filter(
        recipient=registrar, context__event="to_moderate"
    ).exists()  # the moderators hear of it
    with pytest.raises(TransitionNotAllowed):
        services.publish(petition=petition, actor=executor)  # executors do not moderate
    with pytest.raises(TransitionNotAllowed):
        services.refuse(petition=petition, actor=registrar, ground="", note="Нельзя")
    with pytest.raises(TransitionNotAllowed):
        services.refuse(petition=petition, actor=registrar, ground="obscene", note="  ")
    petition = services.refuse(
        petition=petition, actor=registrar, ground="obscene", note="В тексте брань."
    )
    assert petition.status == Status.REFUSED and petition.refusal_ground == "obscene"
    note = Notification.objects.get(recipient=petition.author, context__event="refused")
    assert note.context["reason"] == "В тексте брань." and note.context["ground"]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database insists too
        Petition.objects.filter(pk=petition.pk).update(refusal_ground="")


def test_R24_threshold_period_and_verification_come_from_the_settings_and_one_signature_per_person(
    client,
):
    settings_ = PetitionSettings.load()
    assert (settings_.signature_threshold, settings_.collection_days) == (250, 60)  # defaults
    settings_.signature_threshold, settings_.collection_days = 100, 45
    settings_.sign_verification = User.Verification.IDENTITY
    settings_.save()
    cabinet = CabinetFactory()
    registrar = member(cabinet, Role.REGISTRAR)
    petition = PetitionFactory(cabinet=cabinet, status=Status.MODERATION)
    with _at(2026, 11, 23):
        petition = services.publish(petition=petition, actor=registrar)
    assert petition.signature_threshold == 100 and petition.collection_days == 45
    assert petition.collection_ends_on == date(2027, 1, 7)  # 23 Nov + 45 days
    resident = CitizenFactory()
    reason = signing.sign_refusal(petition, resident)
    assert reason is not None  # a resident is not enough when the settings ask for e-ID
    strong = CitizenFactory(verification_level=User.Verification.IDENTITY)
    signing.sign(petition=petition, user=strong, ip="198.51.100.1")
    with pytest.raises(IntegrityError), transaction.atomic():  # one per person: a constraint
        SignatureFactory(petition=petition, user=strong)
    draft = PetitionFactory(cabinet=cabinet)
    with pytest.raises(signing.SigningRefused):  # signing only while COLLECTING
        signing.sign(petition=draft, user=strong)
    # Later changes of the settings never move a running petition's goal.
    settings_.signature_threshold = 5
    settings_.save()
    petition.refresh_from_db()
    assert petition.signature_threshold == 100


def test_R25_threshold_moves_to_consideration_with_working_day_timers_and_the_answer_is_published(
    client, django_capture_on_commit_callbacks
):
    cabinet = CabinetFactory()
    head, registrar = member(cabinet, Role.HEAD), member(cabinet, Role.REGISTRAR)
    petition = CollectingPetitionFactory(cabinet=cabinet, signature_threshold=2)
    signers = [CitizenFactory(), CitizenFactory()]
    with _at(2026, 11, 20):  # a Friday
        with django_capture_on_commit_callbacks(execute=True):
            for person in signers:
                signing.sign(petition=petition, user=person, ip="203.0.113.5")
        for person in signers:
            assert _confirm_from_mail(client, person).status_code == 302
    petition.refresh_from_db()
    assert petition.status == Status.THRESHOLD_REACHED and petition.signature_count == 2
    assert petition.announce_due == date(2026, 11, 25)  # 3 working days: Mon, Tue, Wed
    assert Notification.objects.filter(
        recipient=head, context__event="threshold_addressee"
    ).exists()  # the addressee is told
    assert Notification.objects.filter(
        recipient=petition.author, context__event="threshold"
    ).exists()
    with pytest.raises(TransitionNotAllowed):
        services.start_consideration(petition=petition, actor=registrar)  # the head announces
    with _at(2026, 11, 24):
        petition = services.start_consideration(petition=petition, actor=head)
    assert petition.status == Status.UNDER_CONSIDERATION
    assert petition.decision_due == date(2026, 12, 8)  # 10 working days after 24 November
    with pytest.raises(TransitionNotAllowed):
        services.answer(petition=petition, actor=head, result="supported", text="")
    with django_capture_on_commit_callbacks(execute=True):
        petition = services.answer(
            petition=petition,
            actor=head,
            result=Petition.Result.SUPPORTED,
            text="Переход будет обустроен **до 1 июня**.",
        )
    assert petition.status == Status.ANSWERED and petition.answered_by == head
    told = {n.recipient for n in Notification.objects.filter(context__event="answered_signer")}
    assert told == set(signers)  # every signatory is told
    html = client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
    assert "<strong>до 1 июня</strong>" in html  # published, Markdown sanitised


def test_R26_an_expired_petition_becomes_a_collective_appeal_at_its_authors_request():
    cabinet = CabinetFactory()
    petition = CollectingPetitionFactory(
        cabinet=cabinet,
        signature_threshold=10,
        collection_ends_on=timezone.localdate() - timedelta(days=1),
    )
    agreed = SignatureFactory(petition=petition, invite_to_appeal=True)
    SignatureFactory(petition=petition, invite_to_appeal=False)
    SignatureFactory(petition=petition, invite_to_appeal=True, confirmed_at=None)  # not counted
    services.recount(petition)
    assert services.run_by_date()["expired"] == 1
    petition.refresh_from_db()
    assert petition.status == Status.EXPIRED
    with pytest.raises(TransitionNotAllowed):
        services.turn_into_appeal(petition=petition, actor=CitizenFactory())  # only the author
    appeal = services.turn_into_appeal(petition=petition, actor=petition.author)
    assert isinstance(appeal, Appeal) and appeal.cabinet == cabinet
    assert appeal.subject == petition.title and petition.text.strip() in appeal.text
    assert appeal.author == petition.author and appeal.is_collective
    assert list(CoSigner.objects.filter(appeal=appeal).values_list("email", flat=True)) == [
        agreed.user.email
    ]  # only the signatories who agreed when signing
    petition.refresh_from_db()
    assert petition.appeal == appeal
    assert petition.events.filter(action="to_appeal").count() == 1
    with pytest.raises(TransitionNotAllowed):
        services.turn_into_appeal(petition=petition, actor=petition.author)  # only once


def test_R26_appeal_filing_rules_still_apply_and_the_refusal_is_explained():
    petition = CollectingPetitionFactory(
        status=Status.EXPIRED, author=UserFactory()
    )  # an e-mail-only account: the appeals profile (R2) asks for more
    with pytest.raises(TransitionNotAllowed):
        services.turn_into_appeal(petition=petition, actor=petition.author)
    petition.refresh_from_db()
    assert petition.appeal is None and not Appeal.objects.exists()
