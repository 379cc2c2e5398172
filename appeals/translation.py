"""Reference data of appeals in every language (django-modeltranslation): a column per language
for each field named here; reading the field gives the current language's value, or the Russian
one when that is empty."""

from modeltranslation.translator import TranslationOptions, register

from .models import AnswerTemplate, Category, ClassifierCode


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("ru",)


@register(ClassifierCode)
class ClassifierCodeTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("ru",)


@register(AnswerTemplate)
class AnswerTemplateTranslation(TranslationOptions):
    fields = ("title", "body")
    required_languages = ("ru",)
