"""Open data (issue 14, point 4): the datasets, their dictionary, and the nightly dump.

Each dataset names its rows' fields (the data dictionary: name, type, meaning) and where its
rows come from: a queryset of public objects, read as named columns with ``iterator()`` (a
server-side cursor) and written row by row to a temporary file, then saved to the default
storage under ``opendata/``. Nothing holds a whole dataset in memory. On PostgreSQL the two
big ones (public problems, answers) are formatted by the database instead, to the same bytes
(see "writing in SQL"): half a million problems in every format take seconds, not minutes.

What is published, and what is not (R13, R14, R18):

* public problems: the projection ``PublicProblem`` only (its text is already scrubbed), never
  its author or the author's name;
* answers: the published answer of a public problem (R13), personal data removed;
* petitions: the public ones with their signature counts, without the author;
* polls: the results the public page shows, only when it shows them; the breakdowns by
  territory go through ``edem.core.disclosure`` (a count of 1 or 2 is not given);
* participatory budgets: the published results (R36);
* appeals statistics: the analytics rollup summed by month, cabinet and category, small
  counts suppressed.

A hidden count is written as empty (CSV) or ``null`` (JSON) with its reason in the field named
``…_hidden`` where the dataset has one: ``small`` (1 or 2) or ``other`` (hidden so that a small
one cannot be worked out).
"""

import csv
import io
import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db import models as dj
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from analytics.models import AppealDay
from appeals.problems.models import STATE_CODES, PublicProblem, PublicState
from consultations.budgets import selectors as budget_selectors
from consultations.budgets.models import BudgetCycle
from consultations.petitions.models import Petition
from consultations.polls import selectors as poll_selectors
from consultations.polls.models import Poll
from edem.core import disclosure

from .models import OpenDataFile

PREFIX = "opendata"
CHUNK = 2000
PAGE_SIZE = 100

LICENCES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC0-1.0": ("CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": ("Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}


def licence():
    code = getattr(settings, "EDEM_OPEN_DATA_LICENCE", "CC-BY-4.0") or "CC-BY-4.0"
    name, url = LICENCES.get(code, (code, ""))
    return {"code": code, "name": name, "url": url}


def _url(name, *args):
    return settings.SITE_URL + reverse(name, args=args)


_MARK = 987654321


@lru_cache(maxsize=32)
def _url_of(name, language):
    """``name``'s absolute URL for one id, reversed once (a reverse per row would be most of a
    dump's time): a format string with ``{}`` for the id."""
    return _url(name, _MARK).replace(str(_MARK), "{}")


@dataclass(frozen=True)
class Context:
    """What every row of one pass needs, looked up once (not per row): the time zone and
    the language."""

    tz: object
    language: str

    @classmethod
    def current(cls):
        return cls(timezone.get_current_timezone(), get_language())

    def iso(self, value):
        return _iso(value, self.tz)

    def url(self, name, pk):
        return _url_of(name, self.language).format(pk)


@lru_cache(maxsize=64)
def _state_label(state, language):
    return str(PublicState(state).label)


def _iso(value, tz=None):
    if isinstance(value, datetime):
        return (
            value.astimezone(tz or timezone.get_current_timezone())
            .replace(microsecond=0)
            .isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # integer, number, decimal, string, text, boolean, datetime, date, url
    meaning: object


@dataclass
class Dataset:
    name: str
    title: object
    description: object
    fields: list
    source: object  # () -> a queryset (streamed) or a list of objects
    rows: object  # object -> iterable of dicts
    formats: tuple = ("csv", "json")
    geo: object = None  # row -> (lon, lat) or None, for GeoJSON
    extra: dict = field(default_factory=dict)
    # On PostgreSQL, the rows built by the database (see "writing in SQL" below): a function
    # of the Context giving one ``SqlField`` per field, in the fields' order, over the
    # source's columns; ``sql_geo``: the names of the longitude and latitude columns.
    sql: object = None
    sql_geo: tuple = ()

    def iterate(self):
        """Every row, streamed from the database."""
        source, ctx = self.source(), Context.current()
        objects = source.iterator(chunk_size=CHUNK) if hasattr(source, "iterator") else source
        for obj in objects:
            yield from self.rows(obj, ctx)

    def page(self, number):
        """One page of objects (not rows: a poll gives many) and whether there is a next."""
        source = self.source()
        start = (number - 1) * PAGE_SIZE
        objects = list(source[start : start + PAGE_SIZE + 1])
        has_next = len(objects) > PAGE_SIZE
        ctx = Context.current()
        rows = [row for obj in objects[:PAGE_SIZE] for row in self.rows(obj, ctx)]
        return rows, has_next


@dataclass(frozen=True)
class SqlField:
    """One field as PostgreSQL computes it: ``expr`` over the source's columns (by their
    ``values_list`` names, quoted), of ``kind`` integer, text, float, boolean or datetime;
    formatted as the Python path formats it (see ``_sql_text`` and ``_sql_json``)."""

    name: str
    kind: str
    expr: str
    params: tuple = ()


def _case(name, column, pairs, default):
    """A text field that maps the values of ``column`` (``pairs``: value, text)."""
    whens = " ".join("WHEN %s THEN %s" for _pair in pairs)
    params = tuple(x for pair in pairs for x in pair)
    return SqlField(name, "text", f"CASE {column} {whens} ELSE %s END", (*params, default))


def _url_field(name, view, column, ctx):
    head, tail = ctx.url(view, "{}").split("{}", 1)
    return SqlField(name, "text", f"%s || {column} || %s", (head, tail))


# --- public problems and answers -----------------------------------------------------------

PROBLEM_COLUMNS = (
    "appeal_id",
    "number",
    "state",
    "category_id",
    "category__name",
    "cabinet__name",
    "territory__name",
    "lat",
    "lon",
    "place",
    "subject",
    "text",
    "received_at",
    "answered_at",
    "answered_on_time",
    "support_count",
    "comment_count",
)


def _problems():
    return (
        PublicProblem.objects.filter(appeal__is_public=True)
        .order_by("appeal_id")
        .values_list(*PROBLEM_COLUMNS)
    )


def _problem_rows(values, ctx):
    row = dict(zip(PROBLEM_COLUMNS, values, strict=True))
    state = row["state"]
    yield {
        "id": row["appeal_id"],
        "number": row["number"],
        "status": STATE_CODES.get(state, "new"),
        "status_label": _state_label(state, ctx.language),
        "category_id": row["category_id"],
        "category": row["category__name"] or "",
        "cabinet": row["cabinet__name"],
        "territory": row["territory__name"] or "",
        "lat": row["lat"],
        "lon": row["lon"],
        "place": row["place"],
        "subject": row["subject"],
        "text": row["text"],
        "received_at": ctx.iso(row["received_at"]),
        "answered_at": ctx.iso(row["answered_at"]),
        "answered_on_time": row["answered_on_time"],
        "supporters": row["support_count"],
        "comments": row["comment_count"],
        "url": ctx.url("problems:detail", row["appeal_id"]),
    }


def _problem_sql(ctx):
    state_codes = [(int(state), code) for state, code in STATE_CODES.items()]
    labels = [(int(state), str(PublicState(state).label)) for state in PublicState]
    return [
        SqlField("id", "integer", '"appeal_id"'),
        SqlField("number", "text", '"number"'),
        _case("status", '"state"', state_codes, "new"),
        _case("status_label", '"state"', labels, None),
        SqlField("category_id", "integer", '"category_id"'),
        SqlField("category", "text", "COALESCE(\"category__name\", '')"),
        SqlField("cabinet", "text", '"cabinet__name"'),
        SqlField("territory", "text", "COALESCE(\"territory__name\", '')"),
        SqlField("lat", "float", '"lat"'),
        SqlField("lon", "float", '"lon"'),
        SqlField("place", "text", '"place"'),
        SqlField("subject", "text", '"subject"'),
        SqlField("text", "text", '"text"'),
        SqlField("received_at", "datetime", '"received_at"'),
        SqlField("answered_at", "datetime", '"answered_at"'),
        SqlField("answered_on_time", "boolean", '"answered_on_time"'),
        SqlField("supporters", "integer", '"support_count"'),
        SqlField("comments", "integer", '"comment_count"'),
        _url_field("url", "problems:detail", '"appeal_id"', ctx),
    ]


ANSWER_COLUMNS = (
    "appeal_id",
    "number",
    "subject",
    "answer_text",
    "answer_signer_name",
    "answer_signer_position",
    "answer_signed_at",
    "answered_on_time",
)


def _answers():
    return (
        PublicProblem.objects.filter(appeal__is_public=True)
        .exclude(answer_text="")
        .order_by("appeal_id")
        .values_list(*ANSWER_COLUMNS)
    )


def _answer_rows(values, ctx):
    row = dict(zip(ANSWER_COLUMNS, values, strict=True))
    yield {
        "problem_id": row["appeal_id"],
        "number": row["number"],
        "subject": row["subject"],
        "answer": row["answer_text"],
        "signer": row["answer_signer_name"],
        "signer_position": row["answer_signer_position"],
        "signed_at": ctx.iso(row["answer_signed_at"]),
        "answered_on_time": row["answered_on_time"],
        "url": ctx.url("problems:detail", row["appeal_id"]),
    }


def _answer_sql(ctx):
    return [
        SqlField("problem_id", "integer", '"appeal_id"'),
        SqlField("number", "text", '"number"'),
        SqlField("subject", "text", '"subject"'),
        SqlField("answer", "text", '"answer_text"'),
        SqlField("signer", "text", '"answer_signer_name"'),
        SqlField("signer_position", "text", '"answer_signer_position"'),
        SqlField("signed_at", "datetime", '"answer_signed_at"'),
        SqlField("answered_on_time", "boolean", '"answered_on_time"'),
        _url_field("url", "problems:detail", '"appeal_id"', ctx),
    ]


# --- petitions, polls, budgets -------------------------------------------------------------

PETITION_COLUMNS = (
    "pk",
    "title",
    "status",
    "cabinet__name",
    "territory__name",
    "signature_count",
    "signature_threshold",
    "published_at",
    "collection_ends_on",
    "threshold_reached_at",
    "answer_result",
    "answered_at",
)


def _petitions():
    return Petition.objects.public().order_by("pk").values_list(*PETITION_COLUMNS)


def _petition_rows(values, ctx):
    row = dict(zip(PETITION_COLUMNS, values, strict=True))
    yield {
        "id": row["pk"],
        "title": row["title"],
        "status": row["status"],
        "cabinet": row["cabinet__name"],
        "territory": row["territory__name"] or "",
        "signatures": row["signature_count"],
        "signatures_needed": row["signature_threshold"],
        "published_at": ctx.iso(row["published_at"]),
        "collection_ends_on": ctx.iso(row["collection_ends_on"]),
        "threshold_reached_at": ctx.iso(row["threshold_reached_at"]),
        "answer": row["answer_result"],
        "answered_at": ctx.iso(row["answered_at"]),
        "url": ctx.url("petitions:detail", row["pk"]),
    }


def _polls():
    """Public polls whose results the public may see now (the poll's own setting)."""
    return [p for p in Poll.objects.public().order_by("pk") if p.results_visible]


def _poll_row(head, option, count, *, hidden="", points=None, territory=""):
    return {
        **head,
        "option": option,
        "count": count,
        "count_hidden": hidden,
        "points": points,
        "territory": territory,
    }


def _poll_rows(poll, ctx):
    results = poll_selectors.results(poll, with_texts=False)
    base = {"poll_id": poll.pk, "poll": poll.title, "ballots": results.ballots}
    for question in results.questions:
        q = {**base, "question_id": question.question.pk, "question": question.question.text}
        for option in question.options:
            yield _poll_row(q, option["option"].text, option["count"], points=option.get("points"))
        for item in question.scale:
            yield _poll_row(q, str(item["value"]), item["count"])
        options = [o["option"].text for o in question.options]
        for territory, cells, _total in question.territories:
            for text, cell in zip(options, cells, strict=False):
                yield _poll_row(q, text, cell.value, hidden=cell.reason, territory=territory)
    whole = {**base, "question_id": None, "question": ""}
    for territory, cell in results.territories:
        yield _poll_row(whole, "", cell.value, hidden=cell.reason, territory=territory)


def _budgets():
    return list(
        BudgetCycle.objects.filter(results_published_at__isnull=False).order_by("year", "pk")
    )


def _budget_rows(cycle, ctx):
    for category, result, rows in budget_selectors.results(cycle):
        for project, won in rows:
            yield {
                "cycle_id": cycle.pk,
                "cycle": str(cycle),
                "year": cycle.year,
                "category": category.name if category else "",
                "fund": result.fund,
                "project_id": project.pk,
                "project_number": project.number,
                "project": project.title,
                "cost": project.cost,
                "votes": project.final_votes,
                "rank": project.rank,
                "selected": won,
                "url": ctx.url("budgets:project", project.pk),
            }


# --- the analytics rollup ------------------------------------------------------------------

ROLLUP_COUNTS = (
    "received",
    "registered",
    "answered",
    "answered_on_time",
    "forwarded_out",
    "no_merits",
    "reopened",
)


def _rollup():
    return (
        AppealDay.objects.annotate(month=TruncMonth("day", output_field=dj.DateField()))
        .values("month", "cabinet__name", "category__name")
        .annotate(**{name: Sum(name) for name in ROLLUP_COUNTS})
        .order_by("month", "cabinet__name", "category__name")
    )


def _rollup_rows(row, ctx):
    out = {
        "month": row["month"].strftime("%Y-%m"),
        "cabinet": row["cabinet__name"],
        "category": row["category__name"] or "",
    }
    hidden = []
    for name in ROLLUP_COUNTS:
        cell = disclosure.cell(row[name] or 0)
        out[name] = cell.value
        if cell.hidden:
            hidden.append(name)
    out["hidden"] = " ".join(hidden)
    yield out


# --- the catalogue -------------------------------------------------------------------------

HIDDEN_MEANING = _(
    "Why a count is empty: “small” (1 or 2, not published so that no one can be singled out) "
    "or “other” (hidden so that a small one cannot be worked out from the totals)."
)

DATASETS = {
    d.name: d
    for d in (
        Dataset(
            name="problems",
            title=_("Public problems"),
            description=_(
                "Problems residents published on the map, with their status, place and public text (personal data removed)."
            ),
            fields=[
                Field(
                    "id", "integer", _("Identifier of the problem (its page is /problems/<id>/).")
                ),
                Field("number", "string", _("Registration number, once registered.")),
                Field(
                    "status", "string", _("Public status: new, work, answered, forwarded, closed.")
                ),
                Field("status_label", "string", _("The public status in words.")),
                Field("category_id", "integer", _("Category identifier.")),
                Field("category", "string", _("Category.")),
                Field("cabinet", "string", _("The body dealing with it.")),
                Field("territory", "string", _("Territory (district).")),
                Field("lat", "number", _("Latitude, WGS 84.")),
                Field("lon", "number", _("Longitude, WGS 84.")),
                Field("place", "string", _("Address of the place.")),
                Field("subject", "string", _("Subject.")),
                Field("text", "text", _("Public text, with personal data removed.")),
                Field("received_at", "datetime", _("When it was received.")),
                Field("answered_at", "datetime", _("When it was answered.")),
                Field(
                    "answered_on_time",
                    "boolean",
                    _("Whether the answer came within the legal term."),
                ),
                Field("supporters", "integer", _("Residents who support it.")),
                Field("comments", "integer", _("Public comments.")),
                Field("url", "url", _("Its public page.")),
            ],
            source=_problems,
            rows=_problem_rows,
            formats=("csv", "json", "geojson"),
            geo=lambda row: (row["lon"], row["lat"]) if row["lat"] is not None else None,
            sql=_problem_sql,
            sql_geo=("lon", "lat"),
        ),
        Dataset(
            name="answers",
            title=_("Published answers"),
            description=_(
                "Answers to public problems published on the site with personal data removed (59-FZ Art. 10(4))."
            ),
            fields=[
                Field("problem_id", "integer", _("The problem answered.")),
                Field("number", "string", _("Registration number.")),
                Field("subject", "string", _("Subject.")),
                Field("answer", "text", _("Text of the answer, personal data removed.")),
                Field("signer", "string", _("Official who signed the answer.")),
                Field("signer_position", "string", _("The signer's position.")),
                Field("signed_at", "datetime", _("When it was signed.")),
                Field(
                    "answered_on_time",
                    "boolean",
                    _("Whether the answer came within the legal term."),
                ),
                Field("url", "url", _("The problem's public page.")),
            ],
            source=_answers,
            rows=_answer_rows,
            sql=_answer_sql,
        ),
        Dataset(
            name="petitions",
            title=_("Petitions"),
            description=_("Published petitions with their signature counts and answers."),
            fields=[
                Field("id", "integer", _("Identifier of the petition.")),
                Field("title", "string", _("Title.")),
                Field("status", "string", _("Status code.")),
                Field("cabinet", "string", _("The body it is addressed to.")),
                Field("territory", "string", _("Territory.")),
                Field("signatures", "integer", _("Valid signatures.")),
                Field("signatures_needed", "integer", _("Signatures needed for consideration.")),
                Field("published_at", "datetime", _("When it was published.")),
                Field("collection_ends_on", "date", _("Last day of collection.")),
                Field("threshold_reached_at", "datetime", _("When the threshold was reached.")),
                Field("answer", "string", _("The answer's result code, once answered.")),
                Field("answered_at", "datetime", _("When it was answered.")),
                Field("url", "url", _("Its public page.")),
            ],
            source=_petitions,
            rows=_petition_rows,
        ),
        Dataset(
            name="polls",
            title=_("Poll results"),
            description=_(
                "Results of polls whose results are public: counts per option and value, and ballots by territory with small counts hidden."
            ),
            fields=[
                Field("poll_id", "integer", _("Identifier of the poll.")),
                Field("poll", "string", _("Title of the poll.")),
                Field("ballots", "integer", _("Ballots cast in the poll.")),
                Field("question_id", "integer", _("Question (empty: ballots by territory).")),
                Field("question", "string", _("Text of the question.")),
                Field("option", "string", _("Option, or the value of a scale.")),
                Field("count", "integer", _("Answers (or ballots); empty when hidden.")),
                Field("count_hidden", "string", HIDDEN_MEANING),
                Field("points", "integer", _("Borda points of a ranking question.")),
                Field(
                    "territory",
                    "string",
                    _("Territory of a breakdown row; empty for the whole poll."),
                ),
            ],
            source=_polls,
            rows=_poll_rows,
        ),
        Dataset(
            name="budgets",
            title=_("Participatory budget results"),
            description=_(
                "Projects on the ballot of each cycle with published results: votes, place and whether selected."
            ),
            fields=[
                Field("cycle_id", "integer", _("Identifier of the cycle.")),
                Field("cycle", "string", _("The cycle.")),
                Field("year", "integer", _("Budget year.")),
                Field(
                    "category", "string", _("Category of the fund, if the cycle has categories.")
                ),
                Field("fund", "decimal", _("Money available in the category (or the cycle).")),
                Field("project_id", "integer", _("Identifier of the project.")),
                Field("project_number", "integer", _("Number of the project in its cycle.")),
                Field("project", "string", _("Title of the project.")),
                Field("cost", "decimal", _("Estimated cost.")),
                Field("votes", "integer", _("Final votes.")),
                Field("rank", "integer", _("Place.")),
                Field("selected", "boolean", _("Selected for funding.")),
                Field("url", "url", _("Its public page.")),
            ],
            source=_budgets,
            rows=_budget_rows,
        ),
        Dataset(
            name="appeal_statistics",
            title=_("Appeals statistics"),
            description=_(
                "Appeals by month, body and category: received, registered, answered and other counts; counts of 1 or 2 are hidden."
            ),
            fields=[
                Field("month", "string", _("Month, YYYY-MM.")),
                Field("cabinet", "string", _("The body.")),
                Field("category", "string", _("Category.")),
                Field("received", "integer", _("Appeals received.")),
                Field("registered", "integer", _("Appeals registered.")),
                Field("answered", "integer", _("Appeals answered.")),
                Field("answered_on_time", "integer", _("Of them, within the legal term.")),
                Field("forwarded_out", "integer", _("Forwarded to another body.")),
                Field("no_merits", "integer", _("Closed without an answer on the merits.")),
                Field("reopened", "integer", _("Reopened.")),
                Field(
                    "hidden", "string", _("The counts of this row hidden because they are 1 or 2.")
                ),
            ],
            source=_rollup,
            rows=_rollup_rows,
        ),
    )
}


def dictionary():
    return {
        "licence": licence(),
        "datasets": [
            {
                "name": d.name,
                "title": str(d.title),
                "description": str(d.description),
                "formats": list(d.formats),
                "fields": [
                    {"name": f.name, "type": f.type, "meaning": str(f.meaning)} for f in d.fields
                ],
            }
            for d in DATASETS.values()
        ],
    }


# --- writing -------------------------------------------------------------------------------


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return _iso(value)
    raise TypeError(type(value))


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_csv(dataset, handle, generated_at=None):
    if _sql_ready(dataset):
        return _sql_write_csv(dataset, handle)
    names = [f.name for f in dataset.fields]
    writer = csv.writer(handle)
    writer.writerow(names)
    n = 0
    for row in dataset.iterate():
        writer.writerow([_cell(row.get(name)) for name in names])
        n += 1
    return n


def _header(dataset, generated_at):
    return {
        "dataset": dataset.name,
        "title": str(dataset.title),
        "generated_at": _iso(generated_at),
        "licence": licence(),
        "dictionary": _url("opendata:index") + "#" + dataset.name,
    }


def _write_json_array(handle, head, key, items):
    """One JSON object, ``head`` with the array ``key`` of ``items``, written item by item
    (never the whole array in memory); returns how many items."""
    handle.write(json.dumps(head, ensure_ascii=False)[:-1] + f', "{key}": [\n')
    n = 0
    for item in items:
        if n:
            handle.write(",\n")
        handle.write(json.dumps(item, ensure_ascii=False, default=_default))
        n += 1
    handle.write("\n]}\n")
    return n


def write_json(dataset, handle, generated_at):
    if _sql_ready(dataset):
        return _sql_write_items(
            dataset, handle, _header(dataset, generated_at), "rows", _sql_object
        )
    return _write_json_array(handle, _header(dataset, generated_at), "rows", dataset.iterate())


def _feature(dataset, row):
    point = dataset.geo(row)
    return {
        "type": "Feature",
        "id": row.get("id"),
        "geometry": {"type": "Point", "coordinates": list(point)} if point else None,
        "properties": {k: v for k, v in row.items() if k not in ("lat", "lon")},
    }


def write_geojson(dataset, handle, generated_at):
    head = {"type": "FeatureCollection", **_header(dataset, generated_at)}
    if _sql_ready(dataset) and dataset.sql_geo:
        return _sql_write_items(dataset, handle, head, "features", _sql_feature(dataset))
    features = (_feature(dataset, row) for row in dataset.iterate())
    return _write_json_array(handle, head, "features", features)


# --- writing in SQL (PostgreSQL) ----------------------------------------------------------
#
# The big datasets (public problems and their answers: half a million rows and more) are
# formatted by PostgreSQL, byte for byte as the Python path above writes them: CSV through
# ``COPY … TO STDOUT`` (its rows end in CRLF here, as the csv module's do), JSON and GeoJSON as
# one JSON text per row, built with Python's separators (", " and ": ") and fetched through a
# server-side cursor in batches. Datetimes are written in the current time zone, set for the
# session while the dump runs. Other databases (SQLite in development) take the Python path.

SQL_BATCH = 5000


def _sql_float(x):
    # Python's repr of an integral float keeps ".0" (55.0); PostgreSQL writes 55.
    return (
        f"CASE WHEN {x} = trunc({x}) AND abs({x}) < 1e16 THEN {x}::text || '.0' ELSE {x}::text END"
    )


def _sql_text(f):
    """The field as the CSV cell the Python path writes (NULL: an empty cell)."""
    assert not f.params or f.kind == "text", f.name  # other kinds repeat the expression
    x = f"({f.expr})"
    return {
        "integer": f"{x}::text",
        "text": f"NULLIF({x}, '')",  # PostgreSQL would quote an empty string
        "float": _sql_float(x),
        "boolean": f"CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END",
        "datetime": (f"""to_char({x}, 'YYYY-MM-DD"T"HH24:MI:SS') || to_char({x}, 'TZH:TZM')"""),
    }[f.kind]


def _sql_json(f):
    """The field as the JSON value ``json.dumps`` writes (``null`` for NULL)."""
    x = f"({f.expr})"
    value = {
        "integer": f"{x}::text",
        "text": f"to_json({x})::text",  # escapes as json.dumps(ensure_ascii=False) does
        "float": _sql_float(x),
        "boolean": f"CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END",
        "datetime": f"""'"' || {_sql_text(f)} || '"'""",
    }[f.kind]
    return f"COALESCE({value}, 'null')"


def _literal(text):
    return "'" + text.replace("'", "''") + "'"


def _sql_object(fields):
    """A JSON object of ``fields`` as one SQL text expression, and its parameters."""
    if not fields:
        return "'{}'", ()
    parts = [
        _literal(("{" if i == 0 else ", ") + json.dumps(f.name) + ": ") + " || " + _sql_json(f)
        for i, f in enumerate(fields)
    ]
    return " || ".join(parts) + " || '}'", tuple(p for f in fields for p in f.params)


def _sql_query(dataset, ctx, select):
    """``select(fields) -> (expression, params)`` over the dataset's source query, as SQL
    with its parameters."""
    source = dataset.source()
    inner, inner_params = source.query.sql_with_params()
    columns = ", ".join(f'"{name}"' for name in source._fields)
    fields = dataset.sql(ctx)
    assert [f.name for f in fields] == [f.name for f in dataset.fields], dataset.name
    expression, params = select(fields)
    return (
        f"SELECT {expression} FROM ({inner}) AS q({columns})",  # noqa: S608 — our own SQL, values as parameters
        (*params, *inner_params),
    )


def _sql_ready(dataset):
    ctx = Context.current()
    return (
        dataset.sql is not None
        and connection.vendor == "postgresql"
        and getattr(ctx.tz, "key", None) is not None
    )


@contextmanager
def _sql_session(ctx):
    """A transaction (for the server-side cursor) in the context's time zone."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('TimeZone', %s, false)", [ctx.tz.key])
            yield cursor.cursor
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('TimeZone', %s, false)", [connection.timezone_name])


class _CRLFRows:
    """The file ``COPY`` writes to: each ``write`` is one row (libpq returns a row at a
    time), its LF turned into the csv module's CRLF."""

    def __init__(self, raw):
        self.raw, self.rows = raw, 0

    def write(self, data):
        self.raw.write(data[:-1] + b"\r\n" if data.endswith(b"\n") else data)
        self.rows += 1


def _sql_write_csv(dataset, handle):
    ctx = Context.current()
    csv.writer(handle).writerow([f.name for f in dataset.fields])
    handle.flush()

    def select(fields):
        return ", ".join(_sql_text(f) for f in fields), tuple(p for f in fields for p in f.params)

    sql, params = _sql_query(dataset, ctx, select)
    out = _CRLFRows(handle.buffer)
    with _sql_session(ctx) as cursor:
        query = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", out)
    return out.rows


def _sql_feature(dataset):
    def select(fields):
        by_name = {f.name: f for f in fields}
        id_ = _sql_json(by_name["id"]) if "id" in by_name else "'null'"
        lon, lat = (by_name[name] for name in dataset.sql_geo)
        props, params = _sql_object([f for f in fields if f.name not in ("lat", "lon")])
        geometry = (
            f"CASE WHEN ({lat.expr}) IS NOT NULL THEN "
            f"""'{{"type": "Point", "coordinates": [' || {_sql_json(lon)} || ', ' """
            f"|| {_sql_json(lat)} || ']}}' ELSE 'null' END"
        )
        expression = (
            f"""'{{"type": "Feature", "id": ' || {id_} || ', "geometry": ' || {geometry} """
            f"""|| ', "properties": ' || {props} || '}}'"""
        )
        head = by_name["id"].params if "id" in by_name else ()
        return expression, (*head, *lat.params, *lon.params, *lat.params, *params)

    return select


def _sql_write_items(dataset, handle, head, key, select):
    """As ``_write_json_array``, the items being JSON texts PostgreSQL builds."""
    ctx = Context.current()
    sql, params = _sql_query(dataset, ctx, select)
    handle.write(json.dumps(head, ensure_ascii=False)[:-1] + f', "{key}": [\n')
    n = 0
    with _sql_session(ctx) as plain:
        cursor = plain.connection.cursor(name=f"opendata_{dataset.name}")
        try:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(SQL_BATCH):
                if n:
                    handle.write(",\n")
                handle.write(",\n".join(text for (text,) in batch))
                n += len(batch)
        finally:
            cursor.close()
    handle.write("\n]}\n")
    return n


WRITERS = {"csv": write_csv, "json": write_json, "geojson": write_geojson}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "geojson": "application/geo+json; charset=utf-8",
}


def path_of(name, fmt):
    return f"{PREFIX}/{name}.{fmt}"


def _replace(path, handle):
    """Save the temporary file under ``path`` in the default storage, in place of the old."""
    if default_storage.exists(path):
        default_storage.delete(path)
    handle.seek(0)
    saved = default_storage.save(path, File(handle, name=os.path.basename(path)))
    return saved


def _publish(name, fmt, write, generated_at):
    """Stream ``write(text handle) -> rows`` into a temporary file, put it in the storage in
    place of the old one and record it; returns its ``OpenDataFile``."""
    with tempfile.TemporaryFile() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
        rows = write(text)
        text.flush()
        size = raw.tell()
        saved = _replace(path_of(name, fmt), raw)
        text.detach()
    record, _created = OpenDataFile.objects.update_or_create(
        dataset=name,
        format=fmt,
        defaults={"path": saved, "size": size, "rows": rows, "generated_at": generated_at},
    )
    return record


def dump_dataset(dataset, fmt, generated_at=None):
    """Write one dataset in one format to the storage; returns its ``OpenDataFile``."""
    generated_at = generated_at or timezone.now()
    writer = WRITERS[fmt]
    return _publish(
        dataset.name, fmt, lambda handle: writer(dataset, handle, generated_at), generated_at
    )


def _write_dictionary(handle):
    handle.write(json.dumps(dictionary(), ensure_ascii=False, indent=2))
    return len(DATASETS)


def dump_dictionary(generated_at):
    return _publish("dictionary", "json", _write_dictionary, generated_at)


def dump_all(*, force=False, names=None):
    """Every dataset in every format, once a local day (``force``: again). Returns the files
    written, or [] when today's dump is already there."""
    today = timezone.localdate()
    last = OpenDataFile.objects.order_by("-generated_at").values_list("generated_at", flat=True)
    last = last.first()
    if not force and last is not None and timezone.localdate(last) == today:
        return []
    generated_at = timezone.now()
    written = [
        dump_dataset(dataset, fmt, generated_at)
        for dataset in DATASETS.values()
        if not names or dataset.name in names
        for fmt in dataset.formats
    ]
    dump_dictionary(generated_at)
    return written


def catalogue():
    """The page's list: each dataset with its files (format, size, date, rows)."""
    files = {}
    for record in OpenDataFile.objects.all():
        files.setdefault(record.dataset, {})[record.format] = record
    return [
        {"dataset": d, "files": [files[d.name][f] for f in d.formats if f in files.get(d.name, {})]}
        for d in DATASETS.values()
    ], files.get("dictionary", {}).get("json")
