"""One person, one voice, across accounts and channels (R18, R24, R30, R35): the person key
that a verification records, the paper ballot given by document, and the voices cast before the
key existed."""

import threading

import pytest
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.db import connection
from django.test import RequestFactory

from cabinets.roles import Role
from consultations.budgets import voting
from consultations.budgets.models import Ballot as BudgetBallot
from consultations.budgets.models import Vote
from consultations.budgets.workflow import Phase
from consultations.eligibility import voter_key
from consultations.petitions import signing
from consultations.petitions.models import Signature
from consultations.polls import services as poll_services
from consultations.polls.models import Ballot as PollBallot
from edem.accounts import services as accounts_services
from edem.accounts.adapters import SocialAccountAdapter
from edem.accounts.models import User
from edem.core.workflow import TransitionNotAllowed
from tests.factories import UserFactory, member

from .budgets.factories import ProjectFactory, VoterFactory, cycle_in
from .petitions.factories import CollectingPetitionFactory
from .polls.factories import PollFactory, opts, question

pytestmark = pytest.mark.django_db

PASSPORT = {"document_kind": "passport", "document_number": "45 01 123456"}


def _official():
    return UserFactory(is_superuser=True)


def _verify(user, number="45 01 123456", kind="passport"):
    accounts_services.verify_resident(
        user=user, actor=_official(), document_kind=kind, document_number=number
    )
    user.refresh_from_db()
    return user


def _budget(k=2, projects=3):
    cycle = cycle_in(Phase.VOTING, votes_per_voter=k)
    return cycle, [ProjectFactory(cycle=cycle, status="accepted") for _ in range(projects)]


def _paper(cycle, projects, number="45 01 123456", kind="passport"):
    return voting.enter_paper_ballot(
        cycle=cycle,
        actor=member(cycle.cabinet, Role.REGISTRAR),
        projects=projects,
        document_kind=kind,
        document_number=number,
        eligibility_confirmed=True,
    )


def _sign_and_confirm(petition, user):
    signature = signing.sign(petition=petition, user=user)
    signing.confirm_signature(token=signing.confirmation_token(signature))


def test_R30_two_accounts_of_one_person_the_document_verifies_only_one():
    petition = CollectingPetitionFactory()
    first = _verify(VoterFactory(verification_level=User.Verification.EMAIL))
    _sign_and_confirm(petition, first)
    second = VoterFactory(verification_level=User.Verification.EMAIL, email="ivan+2@example.org")
    with pytest.raises(accounts_services.VerificationRefused) as refused:
        # the same passport, written differently, with a Cyrillic look-alike letter
        _verify(second, number="4501-123456")
    assert refused.value.field == "document_number"
    second.refresh_from_db()
    assert second.verification_level == User.Verification.EMAIL and second.document_key is None
    with pytest.raises(signing.SigningRefused):  # not verified: cannot sign at all
        signing.sign(petition=petition, user=second)
    assert Signature.objects.filter(petition=petition).count() == 1
    # a series typed in Cyrillic look-alike letters is the same document as in Latin ones
    _verify(VoterFactory(), number="АВ 777")
    with pytest.raises(accounts_services.VerificationRefused):
        _verify(VoterFactory(), number="ab777")
    # a passport issued as an identity card is the same passport, whichever kind is chosen
    _verify(VoterFactory(), number="001234567", kind="id_card")
    with pytest.raises(accounts_services.VerificationRefused):
        _verify(VoterFactory(), number="001234567", kind="passport")
    _verify(VoterFactory(), number="001234567", kind="foreign_passport")  # another document


def test_R18_the_person_key_is_a_keyed_hash_under_its_own_secret(settings):
    person = _verify(VoterFactory())
    assert "123456" not in person.person_key and len(person.person_key) == 64
    settings.EDEM_PERSON_KEY_SECRET = "another secret"
    other = VoterFactory()
    accounts_services.verify_resident(user=other, actor=_official(), **PASSPORT)
    other.refresh_from_db()
    assert other.document_key != person.document_key  # a different secret, a different key


def test_R35_online_then_paper_by_document_is_one_ballot():
    cycle, projects = _budget(k=2)
    person = _verify(VoterFactory())
    voting.cast_votes(cycle=cycle, user=person, projects=projects[:2])
    with pytest.raises(TransitionNotAllowed):  # the K votes are used, online or on paper
        _paper(cycle, projects[2:3], number="4501 123456")
    with pytest.raises(TransitionNotAllowed):  # the same project again
        _paper(cycle, projects[:1])
    assert BudgetBallot.objects.filter(cycle=cycle).count() == 1
    assert Vote.objects.filter(ballot__cycle=cycle).count() == 2


def test_R35_paper_then_online_is_one_ballot():
    cycle, projects = _budget(k=2)
    _paper(cycle, projects[:1])
    person = _verify(VoterFactory())  # the same passport, recorded later on the account
    with pytest.raises(TransitionNotAllowed):
        voting.cast_votes(cycle=cycle, user=person, projects=projects[:1])
    voting.cast_votes(cycle=cycle, user=person, projects=projects[1:2])
    with pytest.raises(TransitionNotAllowed):  # K = 2 across both channels
        voting.cast_votes(cycle=cycle, user=person, projects=projects[2:3])
    assert BudgetBallot.objects.filter(cycle=cycle).count() == 1
    assert sorted(Vote.objects.values_list("channel", flat=True)) == ["online", "paper"]


def test_R35_an_identity_provider_voter_meets_their_paper_ballot_once_a_document_is_recorded():
    cycle, projects = _budget(k=1)
    person = VoterFactory()
    account = SocialAccount.objects.create(user=person, provider="identity", uid="esia-5")
    request = RequestFactory().get("/")
    SocialAccountAdapter().pre_social_login(request, SocialLogin(account=account, user=person))
    person.refresh_from_db()
    assert person.verification_level == User.Verification.IDENTITY
    voting.cast_votes(cycle=cycle, user=person, projects=projects[:1])
    _verify(person)  # an official also records the passport: the level stays "identity"
    assert person.verification_level == User.Verification.IDENTITY
    assert person.person_key != person.document_key  # the key stays the provider's
    with pytest.raises(TransitionNotAllowed):
        _paper(cycle, projects[1:2])
    assert BudgetBallot.objects.filter(cycle=cycle).count() == 1


def test_R30_voices_cast_before_the_verification_still_block_after_it():
    """A resident verified before person keys existed (or by the account alone) voted under
    the account's key; the verification moves those voices to the person key in its own
    transaction, so they still count and still block."""
    cycle, projects = _budget(k=1)
    poll = PollFactory(ballots_changeable=False)
    yes, _no = opts(question(poll))
    petition = CollectingPetitionFactory()
    person = VoterFactory()  # a resident without a person key
    assert person.person_key == ""
    old_key = voter_key(person)
    voting.cast_votes(cycle=cycle, user=person, projects=projects[:1])
    poll_services.cast_ballot(poll=poll, voter=person, answers={poll.questions.get().pk: yes})
    _sign_and_confirm(petition, person)
    person = _verify(person)
    assert voter_key(person) != old_key
    for model in (BudgetBallot, Vote, PollBallot, Signature):
        assert not model.objects.filter(voter_key=old_key).exists(), model
        assert model.objects.filter(voter_key=person.person_key).count() == 1, model
    with pytest.raises(TransitionNotAllowed):
        poll_services.cast_ballot(poll=poll, voter=person, answers={poll.questions.get().pk: yes})
    with pytest.raises(signing.SigningRefused):
        signing.sign(petition=petition, user=person)
    with pytest.raises(TransitionNotAllowed):  # and the paper ballot by the same passport
        _paper(cycle, projects[1:2])
    assert poll_services.ballot_of(poll, person) is not None
    assert signing.signature_of(petition, person) is not None


def _parallel(calls):
    """Run each callable at once in its own thread and connection; return the errors."""
    errors, barrier = [], threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        except (TransitionNotAllowed, accounts_services.VerificationRefused) as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_R35_parallel_online_and_paper_ballots_of_one_person_make_one_ballot():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    cycle, projects = _budget(k=1)
    person = _verify(VoterFactory())
    registrar = member(cycle.cabinet, Role.REGISTRAR)

    def paper(project):
        return lambda: voting.enter_paper_ballot(
            cycle=cycle,
            actor=registrar,
            projects=[project],
            eligibility_confirmed=True,
            **PASSPORT,
        )

    def online(project):
        return lambda: voting.cast_votes(cycle=cycle, user=person, projects=[project])

    errors = _parallel([online(projects[0]), paper(projects[1]), online(projects[2])] * 2)
    assert len(errors) == 5
    assert BudgetBallot.objects.filter(cycle=cycle).count() == 1
    assert Vote.objects.filter(ballot__cycle=cycle).count() == 1


@pytest.mark.django_db(transaction=True)
def test_R30_parallel_verifications_of_one_document_on_two_accounts_record_it_once():
    if connection.vendor != "postgresql":
        pytest.skip("the unique constraint under concurrency needs PostgreSQL")
    official = _official()
    accounts = [VoterFactory(verification_level=User.Verification.EMAIL) for _ in range(4)]
    errors = _parallel(
        [
            (lambda u=u: accounts_services.verify_resident(user=u, actor=official, **PASSPORT))
            for u in accounts
        ]
    )
    assert len(errors) == 3
    assert all(e.field == "document_number" for e in errors)
    assert User.objects.exclude(document_key=None).count() == 1
    assert User.objects.filter(verification_level=User.Verification.RESIDENT).count() == 1
