"""Jurisdiction profiles: chosen by EDEM_JURISDICTION, their numbers are data."""

import dataclasses
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from appeals import deadlines
from edem.core.jurisdiction import RU, UA, Profile, get_profile


def test_profile_is_chosen_by_the_setting(settings):
    settings.EDEM_JURISDICTION = "ru"
    assert get_profile() is RU
    settings.EDEM_JURISDICTION = "ua"
    assert get_profile() is UA
    settings.EDEM_JURISDICTION = "UA"
    assert get_profile().code == "ua"


def test_ru_is_the_default(settings):
    del settings.EDEM_JURISDICTION
    assert get_profile() is RU


def test_unknown_jurisdiction_is_a_configuration_error(settings):
    settings.EDEM_JURISDICTION = "by"
    with pytest.raises(ImproperlyConfigured, match="by"):
        get_profile()


def test_ru_numbers_follow_59_fz():
    assert (RU.country, RU.registration_days, RU.forwarding_days) == ("RU", 3, 7)  # R4, R5
    assert (RU.answer_clock_start, RU.answer_days, RU.answer_months) == ("registration", 30, None)
    assert (RU.max_extension_days, RU.extensions_allowed) == (30, 1)  # R9
    assert (RU.no_merits_notice_days, RU.external_request_days) == (7, 15)  # R11, R7
    assert RU.simple_answer_days is None and RU.return_incomplete_days is None
    assert not RU.plain_email_is_appeal  # R2
    assert not RU.anonymous_appeals_considered


def test_ua_numbers_follow_the_law_on_citizens_appeals():
    assert (UA.country, UA.registration_days, UA.forwarding_days) == ("UA", 3, 5)  # R20
    assert (UA.answer_clock_start, UA.answer_days, UA.answer_months) == ("receipt", None, 1)
    assert (UA.simple_answer_days, UA.max_total_days_from_receipt) == (15, 45)  # R21
    assert UA.return_incomplete_days == 10  # R19
    assert UA.extensions_allowed is None and UA.max_extension_days is None
    assert not UA.anonymous_appeals_considered  # R20


def test_R3_required_fields_depend_on_the_answer_channel():
    assert RU.required_fields("email") == ("last_name", "first_name", "email")
    assert RU.required_fields("post") == ("last_name", "first_name", "postal_address")
    assert RU.required_fields("epgu_account") == ("last_name", "first_name")
    assert "patronymic" not in RU.required_fields("post") and RU.patronymic_optional
    assert RU.answer_channels == ("email", "portal_account", "epgu_account", "post")


def test_R19_ua_requires_name_residence_and_email():
    for channel in UA.answer_channels:
        assert UA.required_fields(channel) == ("last_name", "first_name", "postal_address", "email")


def test_R2_verification_level_needed_to_file():
    assert not RU.verification_sufficient("email")
    assert RU.verification_sufficient("resident") and RU.verification_sufficient("identity")
    assert UA.verification_sufficient("email")
    assert not UA.verification_sufficient("nonsense")


def test_law_name_is_translatable():
    with translation.override("en"):
        assert "59-FZ" in str(RU.law_name)
        assert "citizens' appeals" in str(UA.law_name)


def test_numbers_are_data_not_branches():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RU.answer_days = 20
    # A profile with other numbers gives other deadlines, with no code change.
    custom = dataclasses.replace(RU, code="xx", answer_days=20, forwarding_days=2)
    assert isinstance(custom, Profile)
    registered = date(2025, 4, 1)
    assert deadlines.answer_deadline(registered, registered, custom).legal_due == date(2025, 4, 21)
    assert deadlines.forwarding_deadline(registered, custom).legal_due == date(2025, 4, 3)


def test_petition_numbers_default_and_come_from_settings(settings):
    for profile in (RU, UA):
        assert (
            profile.petition_publication_working_days,
            profile.petition_announce_working_days,
            profile.petition_decision_working_days,
        ) == (2, 3, 10)
    settings.EDEM_JURISDICTION = "ua"
    settings.EDEM_PETITION_PUBLICATION_WORKING_DAYS = 1
    settings.EDEM_PETITION_DECISION_WORKING_DAYS = "5"
    profile = get_profile()
    assert profile.code == "ua"
    assert (
        profile.petition_publication_working_days,
        profile.petition_announce_working_days,
        profile.petition_decision_working_days,
    ) == (1, 3, 5)
    assert UA.petition_publication_working_days == 2  # the shared default is untouched
    settings.EDEM_PETITION_ANNOUNCE_WORKING_DAYS = 0
    with pytest.raises(ImproperlyConfigured):
        get_profile()
