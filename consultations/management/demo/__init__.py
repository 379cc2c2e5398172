"""The demo town's consultations as data: ``fixtures/demo/consultations/*.toml`` (each file's
header says what its steps mean) and the drafts in ``texts/``, played by
``manage.py seed_demo_consultations``. One story per demo item, one module per instrument; this
module holds what they share: the data, the town, and time passing."""

import tomllib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import models

from edem.core.i18n import row_languages

DATA = Path(settings.BASE_DIR) / "fixtures" / "demo" / "consultations"


@cache
def load(name):
    """One data file, ``fixtures/demo/consultations/<name>.toml``."""
    return tomllib.loads((DATA / f"{name}.toml").read_text(encoding="utf-8"))


def markdown(name):
    """A Markdown text of ``fixtures/demo/consultations/texts/``."""
    return (DATA / "texts" / name).read_text(encoding="utf-8")


def by_language(item, field):
    """A field of the data in every language (``field``, ``field_uk``, ``field_en``)."""
    return row_languages(item, field)


def markdown_by_language(name):
    """A Markdown text of ``texts/`` in every language: ``budget.md`` is the default
    language's, ``budget.uk.md`` and ``budget.en.md`` (when there) the others'."""
    stem = name.removesuffix(".md")
    result = {}
    for code, _name in settings.LANGUAGES:
        path = DATA / "texts" / (name if code == settings.LANGUAGE_CODE else f"{stem}.{code}.md")
        result[code] = path.read_text(encoding="utf-8") if path.exists() else ""
    return result


def age(delta, *querysets, dates=True):
    """Move every date and time of these rows back by ``delta``: the demo's stand-in for the
    calendar passing. A direct ORM write on the demo's own rows (history included): no service
    moves time. With ``dates=False`` only date-times move (a budget cycle's phase dates are
    set on purpose and stay)."""
    day_delta = timedelta(days=round(delta.total_seconds() / 86400))
    for qs in querysets:
        model = qs.model
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateTimeField) or (dates and isinstance(f, models.DateField))
        ]
        kinds = {
            f.attname: isinstance(f, models.DateTimeField) for f in model._meta.concrete_fields
        }
        for row in qs.values("pk", *fields):
            changes = {
                name: row[name] - (delta if kinds[name] else day_delta)
                for name in fields
                if row[name] is not None
            }
            if changes:
                model.objects.filter(pk=row["pk"]).update(**changes)


@dataclass
class Town:
    cabinets: dict  # code -> Cabinet
    territories: dict  # name -> Territory
    people: dict  # short name (the e-mail's local part) -> User, officials and citizens


class Story:
    """One demo item: ``begin`` makes it, then its ``step`` entries run in order, each through
    the ``do_<name>`` method named by its ``do``, with the entry's other keys as arguments. A
    step's ``as`` names what it returns, for later steps of the same item."""

    kind = ""

    def __init__(self, town, item):
        self.town, self.item, self.named = town, item, {}

    def person(self, short):
        try:
            return self.town.people[short]
        except KeyError:
            raise CommandError(f"{self.item['title']}: no demo person «{short}»") from None

    def actor(self, by=None):
        return self.person(by or self.item["by"])

    def play(self):
        self.obj = self.begin()
        for step in self.item.get("step", ()):
            args = dict(step)
            name, alias = args.pop("do"), args.pop("as", None)
            method = getattr(self, f"do_{name}", None)
            if method is None:
                raise CommandError(f"{self.item['title']}: no {self.kind} step «{name}»")
            result = method(**args)
            if alias:
                self.named[alias] = result

    def rows(self):
        raise NotImplementedError

    def do_age(self, days):
        age(timedelta(days=days), *self.rows())
