"""The one eligibility check every vote, signature and support goes through (R30, R35)."""

from datetime import date

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import PermissionDenied
from django.utils import translation

from consultations.eligibility import NotEligible, ensure_eligible, refusal, voter_key
from edem.accounts.models import CommunityTie, User
from edem.accounts.services import confirm_community_tie
from tests.factories import CitizenFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db


class Rules:
    """Stands in for an instrument's item: only the three fields of EligibilityRules."""

    def __init__(self, level=User.Verification.RESIDENT, territory=None, min_age=None):
        self.eligible_verification = level
        self.eligible_territory = territory
        self.eligible_territory_id = territory.pk if territory else None
        self.min_age = min_age


def test_R30_verification_level_is_required_and_the_reason_names_it():
    rules = Rules(level=User.Verification.IDENTITY)
    with translation.override("en"):
        reason = str(refusal(CitizenFactory(), rules))
    assert "Identity provider" in reason and "Resident" in reason
    assert refusal(CitizenFactory(verification_level=User.Verification.IDENTITY), rules) is None
    assert refusal(UserFactory(), Rules()) is not None  # e-mail only is below "resident"


def test_R30_territory_of_residence_includes_its_parts():
    town = TerritoryFactory(name="Town")
    district = TerritoryFactory(name="North", parent=town)
    other = TerritoryFactory(name="Elsewhere")
    rules = Rules(territory=town)
    assert refusal(CitizenFactory(territory=district), rules) is None
    assert refusal(CitizenFactory(territory=town), rules) is None
    with translation.override("en"):
        assert "Town" in str(refusal(CitizenFactory(territory=other), rules))
        assert "profile" in str(refusal(CitizenFactory(territory=None), rules))


@pytest.mark.parametrize("basis", list(CommunityTie.Basis))
def test_R30_work_study_or_idp_registration_makes_a_member_of_the_community(basis):
    town = TerritoryFactory(name="Town")
    district = TerritoryFactory(name="North", parent=town)
    other = TerritoryFactory(name="Elsewhere")
    official = UserFactory(is_superuser=True)
    commuter = CitizenFactory(territory=other)  # lives elsewhere
    rules = Rules(territory=town)
    assert refusal(commuter, rules) is not None
    confirm_community_tie(
        user=commuter, actor=official, territory=district, basis=basis, document="Справка"
    )
    assert refusal(commuter, rules) is None  # a tie to a part of the town counts
    # ...but not for another territory, and not once the document has expired.
    assert refusal(commuter, Rules(territory=TerritoryFactory(name="South", parent=town)))
    CommunityTie.objects.filter(user=commuter).update(valid_until=date(2026, 11, 22))
    assert refusal(commuter, rules, today=date(2026, 11, 22)) is None
    with translation.override("en"):
        reason = str(refusal(commuter, rules, today=date(2026, 11, 23)))
    assert "Town" in reason and "work or study" in reason


def test_R30_a_community_tie_is_confirmed_by_an_official_who_saw_a_document(
    mailoutbox, django_capture_on_commit_callbacks
):
    district = TerritoryFactory(name="Заречный район")
    person = CitizenFactory(territory=None, language="uk")
    with pytest.raises(PermissionDenied):
        confirm_community_tie(
            user=person, actor=CitizenFactory(), territory=district, basis="work", document="X"
        )
    official = UserFactory(is_superuser=True)
    with pytest.raises(ValueError):
        confirm_community_tie(
            user=person, actor=official, territory=district, basis="work", document="  "
        )
    assert not CommunityTie.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        tie = confirm_community_tie(
            user=person, actor=official, territory=district, basis="study", document="Студенческий"
        )
    with django_capture_on_commit_callbacks(execute=True):
        again = confirm_community_tie(
            user=person, actor=official, territory=district, basis="study", document="Новый билет"
        )
    assert again.pk == tie.pk and again.document == "Новый билет" and again.confirmed_by == official
    assert CommunityTie.objects.count() == 1
    assert [m.to for m in mailoutbox] == [[person.email], [person.email]]
    assert "Заречный район" in mailoutbox[0].body
    assert "навчаєтеся" in mailoutbox[0].body  # in the person's language (uk)


def test_R35_minimum_age_counts_the_birthday_itself():
    rules = Rules(min_age=16)
    today = date(2026, 11, 23)
    assert refusal(CitizenFactory(birth_date=date(2010, 11, 23)), rules, today) is None
    assert refusal(CitizenFactory(birth_date=date(2010, 11, 24)), rules, today) is not None
    with translation.override("en"), pytest.raises(NotEligible, match="date of birth"):
        ensure_eligible(CitizenFactory(birth_date=None), rules, today)


def test_anonymous_and_disabled_users_are_refused():
    from django.contrib.auth.models import AnonymousUser

    assert refusal(AnonymousUser(), Rules()) is not None
    assert refusal(CitizenFactory(is_active=False), Rules()) is not None


def test_R30_voter_key_follows_the_identity_not_the_account():
    """A person who drops an account and signs in again through the identity provider with a new
    one gets the same key, so the unique (item, voter_key) constraints stop a second vote."""
    first = CitizenFactory(verification_level=User.Verification.IDENTITY)
    SocialAccount.objects.create(user=first, provider="oidc", uid="subject-42")
    key = voter_key(first)
    SocialAccount.objects.filter(user=first).delete()
    second = CitizenFactory(verification_level=User.Verification.IDENTITY)
    SocialAccount.objects.create(user=second, provider="oidc", uid="subject-42")
    assert voter_key(second) == key
    assert voter_key(CitizenFactory()) != voter_key(CitizenFactory())
    assert "subject-42" not in key
