"""Loading the topic classifier of citizens' appeals (R16) from a CSV file of ``code;name``
lines, the parent of each code being the code without its last dotted part.

The files under ``fixtures/classifier/`` are a starter list (the sections and the themes a
municipality meets most), loaded by ``migrate``; a municipality loads the official list of its
profile with ``manage.py load_classifier --profile ru --file official.csv``. [verify] the codes
against the official publications: the Russian typical classifier of appeals of citizens,
organisations and associations, and the Ukrainian classifier of citizens' appeals.
"""

import csv
import io
from pathlib import Path

from django.conf import settings

STARTER = Path(settings.BASE_DIR) / "fixtures" / "classifier"


class ClassifierFileError(ValueError):
    pass


def read(text):
    """(code, name) pairs of a CSV text; a header line (``code;name``) is skipped."""
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    pairs = []
    for line, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if line == 1 and row[0].strip().lower() == "code":
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise ClassifierFileError(f"line {line}: expected code;name")
        pairs.append((row[0].strip(), row[1].strip()))
    return pairs


def load(model, profile, pairs, *, deactivate_missing=False):
    """Create or update the codes of ``profile`` (parents first), returning (created,
    updated). ``model`` is the ClassifierCode model (a migration passes its historical one)."""
    existing = {c.code: c for c in model.objects.filter(profile=profile)}
    created = updated = 0
    for code, name in sorted(pairs, key=lambda pair: (pair[0].count("."), pair[0])):
        parent_code = code.rsplit(".", 1)[0] if "." in code else None
        parent = existing.get(parent_code) if parent_code else None
        row = existing.get(code)
        if row is None:
            row = model.objects.create(profile=profile, code=code, name=name, parent=parent)
            existing[code] = row
            created += 1
        elif (
            row.name != name
            or row.parent_id != (parent.pk if parent else None)
            or not row.is_active
        ):
            row.name, row.parent, row.is_active = name, parent, True
            row.save()
            updated += 1
    if deactivate_missing:
        codes = {code for code, _name in pairs}
        model.objects.filter(profile=profile).exclude(code__in=codes).update(is_active=False)
    return created, updated


def load_starter(model):
    for path in sorted(STARTER.glob("*.csv")):
        load(model, path.stem, read(path.read_text(encoding="utf-8")))


def load_translations(model, profile):
    """Fill the empty Ukrainian and English names of ``profile``'s codes from the starter's
    ``translations/<profile>.csv`` (``code;name_uk;name_en``); returns how many codes changed.
    A name an administrator has written is kept."""
    path = STARTER / "translations" / f"{profile}.csv"
    if not path.exists():
        return 0
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";")
    names = {row["code"]: row for row in rows}
    changed = 0
    for code in model.objects.filter(profile=profile, code__in=names):
        fields = [
            f"name_{lang}"
            for lang in ("uk", "en")
            if not getattr(code, f"name_{lang}") and names[code.code].get(f"name_{lang}")
        ]
        for field in fields:
            setattr(code, field, names[code.code][field])
        if fields:
            code.save(update_fields=fields)
            changed += 1
    return changed
