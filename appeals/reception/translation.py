"""A reception's position of the official, place and topics in every language
(django-modeltranslation): a column per language; reading gives the reader's language, else the
Russian one."""

from modeltranslation.translator import TranslationOptions, register

from .models import ReceptionSchedule


@register(ReceptionSchedule)
class ReceptionScheduleTranslation(TranslationOptions):
    fields = ("official_position", "place", "topics")
    required_languages = {"ru": ("place",)}
