"""A participatory budget's title, description and categories in every language
(django-modeltranslation): a column per language; reading gives the reader's language, else the
Russian one. Project proposals are the citizens' own and stay as written."""

from modeltranslation.translator import TranslationOptions, register

from .models import BudgetCategory, BudgetCycle


@register(BudgetCycle)
class BudgetCycleTranslation(TranslationOptions):
    # description_html is rendered from each language's description (BudgetCycle.render_description).
    fields = ("title", "description", "description_html")
    required_languages = {"ru": ("title",)}


@register(BudgetCategory)
class BudgetCategoryTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"ru": ("name",)}
