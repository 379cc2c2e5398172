"""Monitoring of the social and economic situation: entering and importing indicator values,
and reading an indicator as a time series beside the residents' problems of its territory.

Values are entered by the officials who publish in the cabinet that keeps the indicator
(``cabinets.publish``); the check is here, in the service, not only on the screen. An import is
all or nothing: every row is checked first, and one bad row (with its line number and the
reason) leaves the indicator as it was.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from cabinets.access import can

from .models import AppealDay, Indicator, IndicatorValue

PUBLISH_PERM = "cabinets.publish"
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 2 * 1024 * 1024
LIMIT = Decimal("1e11")  # the model keeps 14 digits, 3 of them after the point


def may_enter(user, indicator):
    return can(user, PUBLISH_PERM, indicator.cabinet)


def period_start(indicator, day):
    """The first day of the indicator's period that holds ``day``."""
    if indicator.frequency == Indicator.Frequency.YEAR:
        return day.replace(month=1, day=1)
    if indicator.frequency == Indicator.Frequency.QUARTER:
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    return day.replace(day=1)


def period_label(indicator, day):
    if indicator.frequency == Indicator.Frequency.YEAR:
        return str(day.year)
    if indicator.frequency == Indicator.Frequency.QUARTER:
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    return day.strftime("%Y-%m")


_PERIOD = re.compile(
    r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?|[QqКк](?P<quarter>[1-4])))?$"
)


def parse_period(indicator, text):
    """A period written as 2026, 2026-Q2, 2026-05 or 2026-05-01 (or a date from a
    spreadsheet), moved to the first day of the indicator's period."""
    if isinstance(text, datetime.datetime):
        text = text.date()
    if isinstance(text, datetime.date):
        return period_start(indicator, text)
    match = _PERIOD.match(str(text or "").strip())
    if not match:
        raise ValidationError(_("Write the period as 2026, 2026-Q2, 2026-05 or 2026-05-01."))
    year = int(match["year"])
    month = int(match["month"] or 0) or (
        3 * (int(match["quarter"]) - 1) + 1 if match["quarter"] else 1
    )
    try:
        day = datetime.date(year, month, int(match["day"] or 1))
    except ValueError as error:
        raise ValidationError(_("There is no such date.")) from error
    if not 1900 <= year <= 2200:
        raise ValidationError(_("There is no such date."))
    return period_start(indicator, day)


def parse_value(text):
    """A number, with a point or a comma before the decimals and spaces between thousands."""
    if isinstance(text, int | float | Decimal) and not isinstance(text, bool):
        value = Decimal(str(text))
    else:
        cleaned = str(text or "").strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            value = Decimal(cleaned)
        except InvalidOperation as error:
            raise ValidationError(_("The value is not a number.")) from error
    if not value.is_finite() or abs(value) >= LIMIT:
        raise ValidationError(_("The value is not a number the portal can keep."))
    return value.quantize(Decimal("0.001"))


@transaction.atomic
def record_value(*, indicator, period, value, actor, note=""):
    """Set the indicator's value for the period holding ``period`` (a second entry for the
    same period corrects the first)."""
    if not may_enter(actor, indicator):
        raise PermissionDenied(_("You may not enter the values of this indicator."))
    start = period_start(indicator, period)
    row, _created = IndicatorValue.objects.update_or_create(
        indicator=indicator,
        period=start,
        defaults={"value": parse_value(value), "note": note.strip()[:255], "entered_by": actor},
    )
    return row


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


def read_rows(upload):
    """The rows of an uploaded CSV or XLSX file as lists of cells (the header dropped)."""
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is larger than 2 MB."))
    name = (upload.name or "").lower()
    data = upload.read()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook  # noqa: PLC0415 — only imports need it

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 — any broken workbook is the same refusal
            raise ValidationError(_("The file is not a readable XLSX workbook.")) from error
        rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(_("Save the CSV file in UTF-8.")) from error
        try:
            dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = list(csv.reader(io.StringIO(text), dialect))
    else:
        raise ValidationError(_("Upload a .csv or .xlsx file."))
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise ValidationError(_("The file has more than 5000 rows."))
    return rows[1:]


def import_values(*, cabinet, rows, actor):
    """Import rows of (indicator code, period, value[, note]) into the indicators the cabinet
    keeps. Every row is checked first; any error stops the whole import with the line numbers
    (counted as in the file, the header being line 1)."""
    if not can(actor, PUBLISH_PERM, cabinet):
        raise PermissionDenied(_("You may not enter the values of this indicator."))
    indicators = {i.code: i for i in Indicator.objects.filter(cabinet=cabinet)}
    errors, parsed = [], {}
    for line, row in enumerate(rows, start=2):
        cells = [*row, None, None, None, None][:4]
        code = str(cells[0] or "").strip()
        indicator = indicators.get(code)
        if indicator is None:
            errors.append(
                _("Line %(line)s: no indicator with the code “%(code)s” in this cabinet.")
                % {"line": line, "code": code[:60]}
            )
            continue
        try:
            period = parse_period(indicator, cells[1])
            value = parse_value(cells[2])
        except ValidationError as error:
            errors.append(
                _("Line %(line)s: %(error)s") % {"line": line, "error": " ".join(error.messages)}
            )
            continue
        if (indicator.pk, period) in parsed:
            errors.append(
                _("Line %(line)s: a second value for %(code)s, %(period)s.")
                % {"line": line, "code": code, "period": period_label(indicator, period)}
            )
            continue
        parsed[(indicator.pk, period)] = (indicator, value, str(cells[3] or "").strip()[:255])
    if not parsed and not errors:
        errors.append(_("The file has no rows of values."))
    if errors:
        raise ValidationError(errors[:20])
    result = ImportResult()
    with transaction.atomic():
        existing = set(
            IndicatorValue.objects.filter(
                indicator__in=[i for i, _v, _n in parsed.values()]
            ).values_list("indicator_id", "period")
        )
        for (pk, period), (indicator, value, note) in parsed.items():
            IndicatorValue.objects.update_or_create(
                indicator=indicator,
                period=period,
                defaults={"value": value, "note": note, "entered_by": actor},
            )
            if (pk, period) in existing:
                result.updated += 1
            else:
                result.created += 1
    return result


def series(indicator):
    """The indicator's values in time order, with the count of residents' appeals received in
    each period from its territory (and about its category): the problems beside the figures."""
    values = list(indicator.values.order_by("period"))
    problems = {}
    if values:
        cells = AppealDay.objects.filter(day__gte=values[0].period)
        if indicator.territory_id:
            cells = cells.filter(territory_id=indicator.territory_id)
        if indicator.category_id:
            cells = cells.filter(category_id=indicator.category_id)
        for row in (
            cells.order_by()
            .annotate(month=TruncMonth("day"))
            .values("month")
            .annotate(n=Sum("received"))
        ):
            start = period_start(indicator, row["month"])
            problems[start] = problems.get(start, 0) + (row["n"] or 0)
    return [(v, problems.get(v.period, 0)) for v in values]


def latest_values(indicator_ids):
    """The latest value of each of these indicators, by indicator id (one query)."""
    rows = (
        IndicatorValue.objects.filter(indicator_id__in=indicator_ids)
        .order_by("indicator_id", "-period")
        .distinct("indicator_id")
    )
    return {row.indicator_id: row for row in rows}
