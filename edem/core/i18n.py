"""Reference data in every language (django-modeltranslation keeps a column per language).

A mail is rendered later, in its recipient's language (``edem.notifications``), from a context
stored as JSON: a cabinet's or a category's name put there as a plain string would be frozen in
the language of whoever caused the mail. ``in_every_language`` stores the field's value in each
language instead, and ``resolved`` picks the recipient's when the mail is rendered.
The demo seeds use ``translated_values`` to fill every language's column from a data row.
"""

from django.conf import settings
from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation

MARK = "_translations"


def language_codes():
    return [code for code, _name in settings.LANGUAGES]


def in_every_language(obj, field):
    """``{"_translations": {"ru": ..., "uk": ..., "en": ...}}``: ``obj.field`` as read in each
    language (an empty translation reads as the Russian one); JSON-serialisable."""
    values = {}
    for code in language_codes():
        with translation.override(code):
            value = getattr(obj, field)
        values[code] = "" if value is None else str(value)
    return {MARK: values}


def resolved(value, language):
    """``value`` (a stored mail context) with every ``in_every_language`` entry replaced by its
    text in ``language``, else in the default language."""
    if isinstance(value, dict):
        if set(value) == {MARK} and isinstance(value[MARK], dict):
            options = value[MARK]
            base = (language or "").split("-")[0]
            return options.get(base) or options.get(settings.LANGUAGE_CODE) or ""
        return {key: resolved(item, language) for key, item in value.items()}
    if isinstance(value, list):
        return [resolved(item, language) for item in value]
    return value


def translated_values(row, *fields):
    """The column of every language for ``fields`` of a data row: the row's ``name`` is the
    default language's, ``name_uk``/``name_en`` (when given) the others'. A field the row does
    not have is left out."""
    values = {}
    for field in fields:
        if field not in row:
            continue
        for code in language_codes():
            key = field if code == settings.LANGUAGE_CODE else f"{field}_{code}"
            values[f"{field}_{code}"] = row.get(key) or ""
    return values


def default_column(field):
    """The default language's column of a translated field: ``title`` -> ``title_ru``."""
    return f"{field}_{settings.LANGUAGE_CODE}"


def columns(field):
    """Every language's column of a translated field, the default language's first."""
    codes = [settings.LANGUAGE_CODE, *(c for c in language_codes() if c != settings.LANGUAGE_CODE)]
    return [f"{field}_{code}" for code in codes]


def in_columns(field, value):
    """A translated field's value as a service receives it, as ``{column: text}``: a plain
    string is the default language's text (whatever language the writer's screen is in:
    assigning ``obj.title`` would write the screen language's column); a mapping
    ``{"ru": ..., "uk": ..., "en": ...}`` gives the languages it names. Texts are stripped."""
    if isinstance(value, dict):
        return {
            f"{field}_{code}": str(value[code] or "").strip()
            for code in language_codes()
            if code in value
        }
    return {default_column(field): str(value or "").strip()}


def default_text(value):
    """The default language's text of a value given as in ``in_columns``."""
    if isinstance(value, dict):
        return str(value.get(settings.LANGUAGE_CODE) or "").strip()
    return str(value or "").strip()


def localized_lookup(lookup):
    """A database expression reading a translated field across a relation (``category__name``)
    in the current language, else the default language's: for ``values()`` of a model that is
    not translated itself, where modeltranslation does not rewrite the lookup."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language not in language_codes():
        language = settings.LANGUAGE_CODE
    default = F(f"{lookup}_{settings.LANGUAGE_CODE}")
    if language == settings.LANGUAGE_CODE:
        return default
    return Coalesce(NullIf(F(f"{lookup}_{language}"), Value("")), default, output_field=CharField())


def row_languages(row, field):
    """A data row's field in every language, ``{"ru": ..., "uk": ..., "en": ...}``: ``field``
    is the default language's, ``field_uk`` and ``field_en`` the others' (empty when missing).
    What ``in_columns`` and the services take."""
    return {
        code: row.get(field if code == settings.LANGUAGE_CODE else f"{field}_{code}") or ""
        for code in language_codes()
    }
