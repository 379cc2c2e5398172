"""Cabinets' names, descriptions, positions and news in every language (django-modeltranslation):
a column per language; reading gives the current language's value or the Russian one."""

from modeltranslation.translator import TranslationOptions, register

from .models import Cabinet, Membership, Publication


@register(Cabinet)
class CabinetTranslation(TranslationOptions):
    fields = ("name", "short_name", "address", "office_hours", "description")
    required_languages = {"ru": ("name", "short_name")}


@register(Membership)
class MembershipTranslation(TranslationOptions):
    fields = ("position",)


@register(Publication)
class PublicationTranslation(TranslationOptions):
    # body_html is rendered from each language's body (Publication.render_body).
    fields = ("title", "summary", "body", "body_html")
    required_languages = {"ru": ("title", "body")}
