"""Jurisdiction profiles: the numbers and required fields of the law a municipality runs under.

``settings.EDEM_JURISDICTION`` names the profile: ``"ru"`` (default; 59-FZ, RULES sections A-B)
or ``"ua"`` (Law of Ukraine "On citizens' appeals", RULES section C). Code asks the profile
(``get_profile().forwarding_days``), never ``if jurisdiction == ...``: the deadline rules are
data. Rule numbers (``# R8``) refer to ``RULES.md``; the arithmetic is in ``edem.core.calendar``,
the rules in ``appeals.deadlines`` and ``consultations.petitions.deadlines``.

Petition numbers (RULES section D) apply under both profiles; each is a setting
(``EDEM_PETITION_*``) whose default is given here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Verification levels from weakest to strongest; mirrors ``accounts.User.Verification``
# (kept here so this module never imports models).
VERIFICATION_LEVELS = ("email", "resident", "identity")

# Answer clock starts.
FROM_REGISTRATION = "registration"
FROM_RECEIPT = "receipt"


@dataclass(frozen=True)
class InformationRequestRules:
    """R17: the clocks and refusal grounds of a request for information, which is its own kind
    (not an appeal under the appeals law). Every period counts from ``clock_start`` (the
    registration or the receipt), in calendar days, or in working days where ``working_days``."""

    law_name: Promise | str
    clock_start: str  # FROM_REGISTRATION or FROM_RECEIPT
    working_days: bool
    registration_days: int  # calendar days from receipt
    answer_days: int
    forwarding_days: int  # to the body that holds the information, with a notice
    deferral_notice_days: int  # the deferral is decided and notified within this window
    max_deferral_days: int  # beyond ``answer_days``, in the same unit
    deferrals_allowed: int
    # (code, label): why the answer may be deferred; the requester is told the reason too.
    deferral_grounds: tuple[tuple[str, Promise | str], ...]
    # (code, label): the grounds of a reasoned refusal to provide the information.
    refusal_grounds: tuple[tuple[str, Promise | str], ...]

    @property
    def refusal_ground_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _label in self.refusal_grounds)

    @property
    def deferral_ground_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _label in self.deferral_grounds)


# R17, RU: Federal Law No. 8-FZ of 09.02.2009, Art. 18 (registration within 3 days, answer
# within 30 days of registration, a deferral of at most 15 days notified within 7 days of
# registration, forwarding within 7 days) and Art. 20 (refusal grounds) [verify].
RU_INFORMATION = InformationRequestRules(
    law_name=_(
        "Federal Law No. 8-FZ 'On ensuring access to information on the activities of state "
        "bodies and local self-government bodies'"
    ),
    clock_start=FROM_REGISTRATION,  # Art. 18(6)
    working_days=False,
    registration_days=3,  # Art. 18(5)
    answer_days=30,  # Art. 18(6)
    forwarding_days=7,  # Art. 18(7)
    deferral_notice_days=7,  # Art. 18(6)
    max_deferral_days=15,  # Art. 18(6)
    deferrals_allowed=1,
    deferral_grounds=(
        ("impossible_in_term", _("The information cannot be provided within the term")),
    ),
    refusal_grounds=(  # Art. 20(1)
        ("unclear", _("The request does not allow the information to be identified")),
        ("no_address", _("The request gives no address or phone for the answer")),
        ("not_this_body", _("The information does not concern the activity of this body")),
        ("restricted", _("The information is of restricted access")),
        ("already_provided", _("The information was provided to the requester before")),
        (
            "assessment",
            _("The request asks for a legal assessment of acts or for analytical work"),
        ),
    ),
)

# R17, UA: Law of Ukraine "On access to public information", art. 20 (5 working days from
# receipt; for a large volume or a search among much data, up to 20 working days with a notice
# within 5 working days of receipt), art. 22 (refusal grounds; forwarding to the holder within
# 5 working days of receipt) [verify].
UA_INFORMATION = InformationRequestRules(
    law_name=_("Law of Ukraine 'On access to public information'"),
    clock_start=FROM_RECEIPT,  # art. 20(1)
    working_days=True,
    # The law sets no registration term: the portal's house rule (R4's number), as for appeals.
    registration_days=3,
    answer_days=5,  # art. 20(1)
    forwarding_days=5,  # art. 22(3)
    deferral_notice_days=5,  # art. 20(4)
    max_deferral_days=15,  # art. 20(4): up to 20 working days in all
    deferrals_allowed=1,
    deferral_grounds=(  # art. 20(4)
        ("large_volume", _("The request concerns a large volume of information")),
        ("much_data", _("The information must be searched for among a large amount of data")),
    ),
    refusal_grounds=(  # art. 22(1)
        ("not_held", _("The body does not hold and need not hold the information")),
        ("restricted", _("The information is of restricted access")),
        ("costs_unpaid", _("The actual costs of copying or printing are not paid")),
        ("incomplete", _("The request lacks the particulars the law requires")),
    ),
)


@dataclass(frozen=True)
class Profile:
    """The numbers and required fields of one jurisdiction. All periods are calendar days
    unless the name says ``working_days``; ``None`` means "the law has no such term"."""

    code: str
    country: str  # ISO code for the ``holidays`` package
    time_zone: str  # the default local time zone (RULES, Conventions); TIME_ZONE overrides it
    law_name: Promise | str
    registration_days: int  # R4
    forwarding_days: int  # R5 / R20
    answer_clock_start: str  # FROM_REGISTRATION (R8) or FROM_RECEIPT (R21)
    answer_days: int | None  # R8: 30 days
    answer_months: int | None  # R21: 1 calendar month (clamped to the month's end)
    simple_answer_days: int | None  # R21: 15 days when no extra study is needed
    max_extension_days: int | None  # R9: total extension at most 30 days
    extensions_allowed: int | None  # R9: one extension; None = no limit on the count
    max_total_days_from_receipt: int | None  # R21: the whole term at most 45 days
    no_merits_notice_days: int  # R11
    return_incomplete_days: int | None  # R19
    external_request_days: int  # R7
    # Identity fields every electronic appeal needs, whatever the answer channel.
    identity_fields: tuple[str, ...]
    # (answer channel, the extra fields that channel needs); the keys are the allowed channels.
    channel_fields: tuple[tuple[str, tuple[str, ...]], ...]
    patronymic_optional: bool
    anonymous_appeals_considered: bool  # R20; 59-FZ Art. 11(1)
    plain_email_is_appeal: bool  # R2
    min_verification_level: str  # R2: one of VERIFICATION_LEVELS
    petition_publication_working_days: int = 2  # R23
    petition_announce_working_days: int = 3  # R25
    petition_decision_working_days: int = 10  # R25
    # 59-FZ Art. 1(4): the registration numbers an organisation appellant gives
    # (keys of ``edem.core.orgnumbers.KINDS``).
    organisation_numbers: tuple[str, ...] = ()
    # R17: requests for information, their own kind with their own clocks.
    information_requests: InformationRequestRules | None = None

    @property
    def answer_channels(self) -> tuple[str, ...]:
        """The channels a citizen may choose for the answer (R3)."""
        return tuple(channel for channel, _fields in self.channel_fields)

    def required_fields(self, answer_channel: str | None = None) -> tuple[str, ...]:
        """Fields an electronic appeal must fill for the given answer channel (R3, R19)."""
        fields = list(self.identity_fields)
        for channel, extra in self.channel_fields:
            if channel == answer_channel:
                fields += [f for f in extra if f not in fields]
        return tuple(fields)

    def verification_sufficient(self, level: str) -> bool:
        """Whether a user at ``level`` may file an electronic appeal (R2)."""
        if level not in VERIFICATION_LEVELS:
            return False
        return VERIFICATION_LEVELS.index(level) >= VERIFICATION_LEVELS.index(
            self.min_verification_level
        )


RU = Profile(
    code="ru",
    country="RU",
    time_zone="Europe/Moscow",
    law_name=_(
        "Federal Law No. 59-FZ 'On the procedure for considering appeals of citizens "
        "of the Russian Federation'"
    ),
    registration_days=3,  # R4: Art. 8(2)
    forwarding_days=7,  # R5: Art. 8(3)
    answer_clock_start=FROM_REGISTRATION,  # R8: Art. 12(1)
    answer_days=30,  # R8
    answer_months=None,
    simple_answer_days=None,
    max_extension_days=30,  # R9: Art. 12(2)
    extensions_allowed=1,  # R9
    max_total_days_from_receipt=None,
    no_merits_notice_days=7,  # R11: Art. 11(4), (4.1), (5.1)
    return_incomplete_days=None,
    external_request_days=15,  # R7: Art. 10(2)
    identity_fields=("last_name", "first_name"),  # R3: Art. 7
    channel_fields=(  # R3: the address for the chosen channel is required
        # Secondary sources say 547-FZ wants the e-mail in .ru/.рф/.su [verify].
        ("email", ("email",)),
        ("portal_account", ()),
        ("epgu_account", ()),
        ("post", ("postal_address",)),
    ),
    patronymic_optional=True,  # R3: "patronymic (if any)"
    anonymous_appeals_considered=False,  # R11: no surname, no answer
    plain_email_is_appeal=False,  # R2: 547-FZ, from 30.03.2025
    min_verification_level="resident",  # R2: identity provider or an official's confirmation
    organisation_numbers=("ogrn", "inn"),  # ОГРН or ИНН
    information_requests=RU_INFORMATION,  # R17
)

UA = Profile(
    code="ua",
    country="UA",
    time_zone="Europe/Kyiv",
    law_name=_("Law of Ukraine 'On citizens' appeals'"),
    # The Ukrainian law sets no registration term; 3 days is the portal's house rule (R4's
    # number) so that paper appeals still get an operator deadline.
    registration_days=3,
    forwarding_days=5,  # R20: Art. 7
    answer_clock_start=FROM_RECEIPT,  # R21: Art. 20
    answer_days=None,
    answer_months=1,  # R21: "at most 1 month"
    simple_answer_days=15,  # R21: "within 15 days if no extra study is needed"
    max_extension_days=None,  # R21 caps the total term instead
    extensions_allowed=None,
    max_total_days_from_receipt=45,  # R21
    no_merits_notice_days=7,  # R11: section C does not replace it
    return_incomplete_days=10,  # R19: Art. 5
    external_request_days=15,  # R7: section C does not replace it
    # R19: full name, place of residence, and an e-mail or other contact.
    identity_fields=("last_name", "first_name", "postal_address", "email"),
    channel_fields=(
        ("email", ()),
        ("portal_account", ()),
        ("post", ()),
    ),
    patronymic_optional=True,
    anonymous_appeals_considered=False,  # R20: Art. 8
    plain_email_is_appeal=True,  # R19: an electronic appeal needs no e-signature
    min_verification_level="email",
    organisation_numbers=("edrpou",),  # код ЄДРПОУ
    information_requests=UA_INFORMATION,  # R17
)

PROFILES = {profile.code: profile for profile in (RU, UA)}


def default_time_zone(code: str | None) -> str:
    """The time zone of the profile ``code`` (RULES, Conventions: dates are the municipality's
    local dates), for ``settings.TIME_ZONE`` when it is not set explicitly. Read by the settings
    module, so it takes the code and never reads settings; an unknown code falls back to ``ru``
    (``get_profile`` reports it)."""
    return PROFILES.get(str(code or "ru").strip().lower(), RU).time_zone


# Profile field -> the setting that overrides it (RULES section D: numbers are settings).
PETITION_SETTINGS = {
    "petition_publication_working_days": "EDEM_PETITION_PUBLICATION_WORKING_DAYS",
    "petition_announce_working_days": "EDEM_PETITION_ANNOUNCE_WORKING_DAYS",
    "petition_decision_working_days": "EDEM_PETITION_DECISION_WORKING_DAYS",
}


# Answer channels that need a service the portal must be connected to: an answer into the
# Gosuslugi (EPGU) account goes through the identity provider (ESIA), so without one it is
# never offered.
CHANNELS_NEEDING_IDENTITY_PROVIDER = frozenset({"epgu_account"})


def identity_provider_configured() -> bool:
    return bool(getattr(settings, "EDEM_OIDC_SERVER_URL", ""))


def offered_answer_channels(profile: Profile | None = None) -> tuple[str, ...]:
    """The answer channels citizens are offered (R3): the profile's, less those that need a
    connection the portal does not have."""
    profile = profile or get_profile()
    connected = identity_provider_configured()
    return tuple(
        channel
        for channel in profile.answer_channels
        if connected or channel not in CHANNELS_NEEDING_IDENTITY_PROVIDER
    )


def get_profile(code: str | None = None) -> Profile:
    """The profile named by ``code`` or ``settings.EDEM_JURISDICTION`` (default ``"ru"``),
    with the ``EDEM_PETITION_*`` settings applied. An unknown code is a configuration error."""
    if code is None:
        code = getattr(settings, "EDEM_JURISDICTION", "ru") or "ru"
    try:
        profile = PROFILES[str(code).strip().lower()]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ImproperlyConfigured(
            f"EDEM_JURISDICTION={code!r} is not a known jurisdiction profile (known: {known})."
        ) from None
    overrides = {}
    for field, setting in PETITION_SETTINGS.items():
        value = getattr(settings, setting, None)
        if value is None:
            continue
        try:
            overrides[field] = int(value)
        except (TypeError, ValueError):
            overrides[field] = 0
        if overrides[field] < 1:
            raise ImproperlyConfigured(f"{setting} must be a whole number of days, at least 1.")
    return dataclasses.replace(profile, **overrides) if overrides else profile
