"""Checks of what an administrator types into the appeals' set-up, so that nothing saved breaks
registration or answers later: the number format (R4) and answer-template placeholders."""

import re
import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NUMBER_PLACEHOLDERS = ("code", "year", "seq")
_PLAIN_NUMBER = re.compile(r"0?\d*d?")  # {seq}, {seq:d}, {seq:06d}, {seq:6}: the whole number


def number_scheme(number_format):
    """R4: how a number format numbers: ``"year"`` when it shows the whole year (the counter
    restarts each year), ``"never"`` when it does not (the counter never restarts). A format
    that could repeat a number (no whole running number, unknown placeholders, malformed) raises
    ``ValueError``: it is refused. The registration service and the admin ask this one test."""
    fields = [
        (name, spec, conversion)
        for _text, name, spec, conversion in string.Formatter().parse(number_format)
        if name is not None
    ]

    def plain(spec, conversion):
        return conversion is None and _PLAIN_NUMBER.fullmatch(spec or "") is not None

    if any(name not in NUMBER_PLACEHOLDERS for name, _spec, _conversion in fields):
        raise ValueError("unknown placeholder")
    seqs = [plain(spec, conversion) for name, spec, conversion in fields if name == "seq"]
    if not seqs or not all(seqs):
        raise ValueError("the format must show the whole running number {seq}")
    number_format.format(code="X", year=2026, seq=1)  # raises ValueError if it cannot apply
    years = [plain(spec, conversion) for name, spec, conversion in fields if name == "year"]
    return "year" if any(years) else "never"


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
    """R4: only {code}, {year} and {seq}, well formed, the running number shown whole. A format
    with the whole year counts per year; one without counts for ever (``number_scheme``), so
    neither repeats a number."""
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
    try:
        value.format(code="ADM", year=2026, seq=1)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise ValidationError(
            _("The format cannot be applied: %(error)s.") % {"error": exc}, code="format"
        ) from exc
    try:
        number_scheme(value)
    except ValueError as exc:
        raise ValidationError(
            _(
                "Show the running number {seq} whole (for example {seq} or {seq:06d}): a number cut or converted could repeat."
            ),
            code="seq_cut",
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
