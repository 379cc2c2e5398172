"""Forms that take an official's text in every language of the portal.

A translated field (``title``) is shown once per language, the default language's first under
the field's own name (``title``: a form posted without translations still works), then
``title_uk`` and ``title_en``: the first required when the field is, the others optional (an
empty translation reads as the default language's text). ``in_languages`` gives the templates
each field's inputs; ``by_language`` gives the services the value they take,
``{"ru": ..., "uk": ..., "en": ...}`` (edem.core.i18n.in_columns); a ModelForm writes each
language's column into its instance.
"""

import copy

from django.conf import settings
from django.utils.functional import cached_property
from django.utils.text import format_lazy

from .i18n import language_codes


def _ordered_codes():
    return [settings.LANGUAGE_CODE, *(c for c in language_codes() if c != settings.LANGUAGE_CODE)]


def _input(name, code):
    """The form field of ``name`` in language ``code``: the default language's keeps the name."""
    return name if code == settings.LANGUAGE_CODE else f"{name}_{code}"


class TranslatedFieldsMixin:
    """Put it before ``forms.Form``/``forms.ModelForm`` and name the fields in
    ``translated_fields``. The initial values of a ModelForm come from the instance's columns;
    a plain form's initial value of a translated field is a string or ``{code: text}``."""

    translated_fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        instance = getattr(self, "instance", None)
        fields = {}
        for name, field in self.fields.items():
            if name not in self.translated_fields:
                fields[name] = field
                continue
            given = self.initial.pop(name, None)  # a string (the default language's) or by code
            for i, code in enumerate(_ordered_codes()):
                localized = copy.deepcopy(field)
                localized.required = field.required and i == 0
                localized.label = format_lazy("{} ({})", field.label, names[code])
                # The text typed there is in that language (WCAG 3.1.2, language of parts).
                localized.widget.attrs["lang"] = code
                if i:
                    localized.help_text = ""
                fields[_input(name, code)] = localized
                initial = (
                    given.get(code) if isinstance(given, dict) else (given if i == 0 else None)
                )
                if instance is not None and instance.pk:
                    initial = getattr(instance, f"{name}_{code}", None)
                if initial is not None:
                    self.initial[_input(name, code)] = initial
        self.fields = fields

    def _post_clean(self):
        """A ModelForm writes each language's column into its instance (assigning the field
        itself would write the column of the language the screen is in)."""
        super()._post_clean()
        instance = getattr(self, "instance", None)
        if instance is None or not hasattr(self, "cleaned_data"):
            return
        columns = {f.attname: f for f in instance._meta.concrete_fields}
        for name in self.translated_fields:
            for code, value in self.by_language(name).items():
                field = columns.get(f"{name}_{code}")
                if field is not None:
                    # An empty translation is NULL, as modeltranslation keeps it: two empty
                    # names never collide in a unique constraint of that language.
                    empty = None if field.null and code != settings.LANGUAGE_CODE else ""
                    setattr(instance, field.attname, value or empty)

    @cached_property
    def in_languages(self):
        """{field: [its bound field in each language]} for the templates."""
        return {
            name: [self[_input(name, code)] for code in _ordered_codes()]
            for name in self.translated_fields
        }

    def by_language(self, name):
        """The cleaned value of a translated field: ``{"ru": ..., "uk": ..., "en": ...}``."""
        return {code: self.cleaned_data.get(_input(name, code)) or "" for code in _ordered_codes()}
