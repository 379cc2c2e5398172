"""CSV and XLSX of a dashboard table. Text that a spreadsheet would run as a formula (starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with an apostrophe."""

import csv
import datetime
import io

from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | datetime.date):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def to_csv(table):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([neutralise(v) for v in row])
    return "\ufeff" + out.getvalue()  # a BOM, so that spreadsheets read UTF-8


def to_xlsx(table):
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(table.title)[:31].replace("/", "-") or "data")
    sheet.append([neutralise(h) for h in table.headers])
    for row in table.rows:
        sheet.append([neutralise(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
