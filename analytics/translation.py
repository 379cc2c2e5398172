"""Monitoring indicators' names, units, sources and descriptions in every language
(django-modeltranslation): a column per language; reading gives the reader's language, else the
Russian one."""

from modeltranslation.translator import TranslationOptions, register

from .models import Indicator


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("name", "unit", "source", "description")
    required_languages = {"ru": ("name", "unit")}
