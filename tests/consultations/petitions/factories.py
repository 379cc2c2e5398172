"""Factories for petitions; built on the shared ones of tests/factories.py."""

from datetime import timedelta

import factory
from django.utils import timezone

from consultations.eligibility import voter_key
from consultations.petitions.models import Petition, Signature
from consultations.petitions.workflow import Status
from tests.factories import CabinetFactory, CitizenFactory


class PetitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Petition

    cabinet = factory.SubFactory(CabinetFactory)
    author = factory.SubFactory(CitizenFactory)
    author_name = factory.LazyAttribute(lambda o: o.author.full_name)
    title = factory.Sequence(lambda n: f"Пешеходный переход у школы № {n}")
    text = "У школы нет перехода, дети перебегают дорогу с оживлённым движением. " * 2
    proposed_solution = "Обустроить регулируемый пешеходный переход."
    status = Status.DRAFT
    signature_threshold = 3
    collection_days = 60


class CollectingPetitionFactory(PetitionFactory):
    status = Status.COLLECTING
    published_at = factory.LazyFunction(timezone.now)
    collection_ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signature

    petition = factory.SubFactory(CollectingPetitionFactory)
    user = factory.SubFactory(CitizenFactory)
    voter_key = factory.LazyAttribute(lambda o: voter_key(o.user))
    public_name = factory.LazyAttribute(lambda o: f"{o.user.first_name} {o.user.last_name}")
    email_domain = factory.LazyAttribute(lambda o: o.user.email.rsplit("@", 1)[-1])
    ip = "192.0.2.10"
    confirmed_at = factory.LazyFunction(timezone.now)
