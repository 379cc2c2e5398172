"""Who may vote, sign or support (R24, R30, R35): one check shared by every instrument.

Each instrument's item (a poll, a petition, a budget cycle) inherits ``EligibilityRules`` and
every write that records a person's voice calls ``ensure_eligible`` inside its transaction. One
voice per person is a database constraint on ``voter_key`` (R30), never only a Python check: the
key is the person key of ``edem.accounts.personkeys`` (a keyed hash of the identity provider's
subject or of the identity document an official saw), so a second account of the same person and
a paper ballot given by their document get the same key.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edem.accounts import personkeys
from edem.accounts.models import User

LEVEL_RANK = {
    User.Verification.EMAIL: 0,
    User.Verification.RESIDENT: 1,
    User.Verification.IDENTITY: 2,
}


class NotEligible(Exception):
    """Raised with a translated reason the user can read."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


class EligibilityRules(models.Model):
    """Who may take part in an item: verification level, territory of residence, minimum age.
    An abstract base for the instruments' models."""

    eligible_verification = models.CharField(
        _("verification needed to take part"),
        max_length=20,
        choices=User.Verification.choices,
        default=User.Verification.RESIDENT,
    )
    eligible_territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("open to residents of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the whole municipality. A territory includes its parts."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        null=True,
        blank=True,
        help_text=_("Empty: no age limit. For example 14, 16 or 18."),
    )

    class Meta:
        abstract = True


def age_on(birth_date, today):
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _within(territory, ancestor_id):
    seen = set()
    while territory is not None and territory.pk not in seen:
        if territory.pk == ancestor_id:
            return True
        seen.add(territory.pk)
        territory = territory.parent
    return False


def _community_refusal(user, rules, today):
    """R30: a member of the community is a person registered there (``User.territory``) or
    one whose work, study or IDP registration there an official has confirmed (a
    ``CommunityTie`` still valid on ``today``). A territory includes its parts."""
    ancestor_id = rules.eligible_territory_id
    if user.territory_id is not None and _within(user.territory, ancestor_id):
        return None
    ties = user.community_ties.select_related("territory")
    if any(tie.counts_on(today) and _within(tie.territory, ancestor_id) for tie in ties):
        return None
    if user.territory_id is None:
        return _(
            "Only members of the community of %(territory)s may take part: set your territory "
            "of residence in your profile, or show a document of work, study or IDP "
            "registration there at the service centre."
        ) % {"territory": rules.eligible_territory}
    return _(
        "Only members of the community of %(territory)s may take part: people registered "
        "there, or who work or study there, or are registered there as internally displaced "
        "persons."
    ) % {"territory": rules.eligible_territory}


def refusal(user, rules, today=None):
    """The translated reason ``user`` may not take part under ``rules``, or None if they may."""
    if user is None or not user.is_authenticated:
        return _("Sign in to take part.")
    if not user.is_active:
        return _("This account is disabled.")
    needed = rules.eligible_verification
    if LEVEL_RANK.get(user.verification_level, -1) < LEVEL_RANK.get(needed, 0):
        return _(
            "Taking part needs the verification level “%(level)s”; your account has “%(have)s”."
        ) % {
            "level": User.Verification(needed).label,
            "have": User.Verification(user.verification_level).label,
        }
    if rules.eligible_territory_id:
        reason = _community_refusal(user, rules, today or timezone.localdate())
        if reason is not None:
            return reason
    if rules.min_age:
        if user.birth_date is None:
            return _(
                "Taking part is open from the age of %(age)d: add your date of birth to your "
                "profile."
            ) % {"age": rules.min_age}
        if age_on(user.birth_date, today or timezone.localdate()) < rules.min_age:
            return _("Taking part is open from the age of %(age)d.") % {"age": rules.min_age}
    return None


def ensure_eligible(user, rules, today=None):
    reason = refusal(user, rules, today)
    if reason is not None:
        raise NotEligible(reason)


def voter_key(user):
    """The key that stands for one person (R30, R35) in every (item, voter_key) constraint:
    the person key a verification recorded (the identity provider's subject or the identity
    document an official saw, keyed hashes, R18), else the account's own key. A paper voice
    given by document gets the same key (``edem.accounts.personkeys``)."""
    return personkeys.voter_key(user)


__all__ = [
    "EligibilityRules",
    "NotEligible",
    "age_on",
    "ensure_eligible",
    "refusal",
    "voter_key",
]
