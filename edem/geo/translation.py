"""Territories' names in every language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Territory


@register(Territory)
class TerritoryTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("ru",)
