"""Checks of what an administrator types into the appeals' set-up, so that nothing saved breaks
registration or answers later: the number format (R4) and answer-template placeholders."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NUMBER_PLACEHOLDERS = ("code", "year", "seq")
TEMPLATE_PLACEHOLDERS = ("name", "number", "date", "subject", "cabinet")


def _fields(text):
    """The placeholders of ``text`` as (name, format spec, conversion); raises ValidationError
    when the braces are not well formed."""
    try:
        return [
            (name, spec, conversion)
            for _literal, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError as exc:
        raise ValidationError(
            _(
                "The braces are not well formed (%(error)s). A placeholder is written as {name}; a brace on its own is written twice: {{ or }}."
            )
            % {"error": exc},
            code="braces",
        ) from exc


def _unknown(fields, known):
    return sorted({name for name, _spec, _conversion in fields if name not in known})


def _braced(names):
    return ", ".join("{" + name + "}" for name in names)


def validate_number_format(value):
    """R4: only {code}, {year} and {seq}, well formed; the counter restarts every year, so a
    format without {year} would give the same number again next year and is refused."""
    fields = _fields(value)
    unknown = _unknown(fields, NUMBER_PLACEHOLDERS)
    if unknown:
        raise ValidationError(
            _("Unknown placeholders: %(unknown)s. Allowed: %(known)s.")
            % {"unknown": _braced(unknown) or "{}", "known": _braced(NUMBER_PLACEHOLDERS)},
            code="unknown_placeholder",
        )
    names = {name for name, _spec, _conversion in fields}
    if "seq" not in names:
        raise ValidationError(
            _(
                "The format must contain {seq}, the running number; without it every number is the same."
            ),
            code="no_seq",
        )
    if "year" not in names:
        raise ValidationError(
            _(
                "The format must contain {year}: the running number restarts every year, so without the year a number would repeat."
            ),
            code="no_year",
        )
    try:
        value.format(code="ADM", year=2026, seq=1)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise ValidationError(
            _("The format cannot be applied: %(error)s.") % {"error": exc}, code="format"
        ) from exc


def validate_template_placeholders(value):
    """Answer templates: only the placeholders the draft is filled from, well formed."""
    fields = _fields(value)
    unknown = _unknown(fields, TEMPLATE_PLACEHOLDERS)
    if unknown:
        raise ValidationError(
            _("Unknown placeholders: %(unknown)s. Allowed: %(known)s.")
            % {"unknown": _braced(unknown) or "{}", "known": _braced(TEMPLATE_PLACEHOLDERS)},
            code="unknown_placeholder",
        )
    for name, spec, conversion in fields:
        if spec or conversion:
            raise ValidationError(
                _("Write the placeholder plainly, as {%(name)s}.") % {"name": name},
                code="format",
            )
