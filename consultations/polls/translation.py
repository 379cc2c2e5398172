"""A poll's title, description, questions, options and published decision in every language
(django-modeltranslation): a column per language; reading gives the reader's language, else the
Russian one. Citizens' free-text answers are theirs and stay as written."""

from modeltranslation.translator import TranslationOptions, register

from .models import Option, Poll, Question


@register(Poll)
class PollTranslation(TranslationOptions):
    fields = ("title", "description", "decision")
    required_languages = {"ru": ("title",)}


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("text", "help_text")
    required_languages = {"ru": ("text",)}


@register(Option)
class OptionTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("ru",)
