"""Registration numbers of organisations (59-FZ Art. 1(4): appeals of associations and legal
entities), with their check digits. Which kinds a municipality accepts is data of the
jurisdiction profile (``Profile.organisation_numbers``); this module knows the arithmetic.

- ``ogrn``: ОГРН, 13 digits (legal entity) or ОГРНИП, 15 digits; the last digit is the
  remainder of the rest modulo 11 (13 for ОГРНИП), taken modulo 10.
- ``inn``: ИНН, 10 digits (organisation) or 12 (individual), weighted check digits.
- ``edrpou``: код ЄДРПОУ, 8 digits, the weighted check digit of the State Register.
"""

from django.utils.translation import gettext_lazy as _

INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _weighted(digits, weights, modulo=11):
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % modulo


def is_ogrn(value):
    if not value.isdigit() or len(value) not in (13, 15):
        return False
    modulo = 11 if len(value) == 13 else 13
    return int(value[:-1]) % modulo % 10 == int(value[-1])


def is_inn(value):
    if not value.isdigit() or len(value) not in (10, 12):
        return False
    if len(value) == 10:
        return _weighted(value, INN10) % 10 == int(value[9])
    return _weighted(value, INN11) % 10 == int(value[10]) and _weighted(value, INN12) % 10 == int(
        value[11]
    )


def is_edrpou(value):
    if not value.isdigit() or len(value) != 8:
        return False
    number = int(value)
    base = (
        (1, 2, 3, 4, 5, 6, 7)
        if number < 30_000_000 or number > 60_000_000
        else (7, 1, 2, 3, 4, 5, 6)
    )
    check = _weighted(value, base)
    if check == 10:
        check = _weighted(value, tuple(w + 2 for w in base))
        check = 0 if check == 10 else check
    return check == int(value[7])


KINDS = {
    "ogrn": (is_ogrn, _("OGRN")),
    "inn": (is_inn, _("INN")),
    "edrpou": (is_edrpou, _("EDRPOU code")),
}


def normalise(value):
    """Digits only: spaces and dashes people type between groups are dropped."""
    return "".join(ch for ch in (value or "") if not ch.isspace() and ch != "-")


def is_valid(value, kinds):
    """Whether ``value`` is a well-formed number of one of ``kinds`` (keys of ``KINDS``)."""
    value = normalise(value)
    return any(KINDS[kind][0](value) for kind in kinds)


def label(kinds):
    """The names of the accepted kinds, for a form label: "OGRN or INN"."""
    return " / ".join(str(KINDS[kind][1]) for kind in kinds)
