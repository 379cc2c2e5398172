"""Reference data in every language (django-modeltranslation keeps a column per language).

A mail is rendered later, in its recipient's language (``edem.notifications``), from a context
stored as JSON: a cabinet's or a category's name put there as a plain string would be frozen in
the language of whoever caused the mail. ``in_every_language`` stores the field's value in each
language instead, and ``resolved`` picks the recipient's when the mail is rendered.
The demo seeds use ``translated_values`` to fill every language's column from a data row.
"""

from django.conf import settings
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
