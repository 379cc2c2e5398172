"""What the responsible cabinet writes about a discussion, in every language
(django-modeltranslation): a column per language; reading gives the reader's language, else the
Russian one. The draft act's own text (sections and paragraphs) is the document under discussion
and stays in the language it was written in; the pages mark it so."""

from modeltranslation.translator import TranslationOptions, register

from .models import Discussion, DraftVersion


@register(Discussion)
class DiscussionTranslation(TranslationOptions):
    fields = ("title", "summary")
    required_languages = {"ru": ("title",)}


@register(DraftVersion)
class DraftVersionTranslation(TranslationOptions):
    fields = ("note",)
