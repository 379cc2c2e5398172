"""Server-side prepared statements (PostgreSQL) for statements that run so often that planning
them costs more than running them. psycopg 3 prepares a text run five times by itself;
psycopg2, this project's driver, does not.

``execute(cursor, name, sql, params)`` runs ``sql`` (Django's ``%s`` placeholders, ``%%`` for a
per cent sign) as the prepared statement ``name`` of the cursor's connection: the first time on
a connection it is prepared and executed in one round trip, later only executed. A parameter
that needs a type on the statement's side (an array that may hold only NULLs, for one) is
passed as ``Typed(value, "bigint[]")``. For statements written for it: the analytics refresh's
fold (issue 12).

``statements()`` does it for every statement Django runs within it (the appeal card, issue 15),
under a hash of the text. Those texts are Django's, so each is prepared on its own the first
time and kept only if the parameter types PostgreSQL inferred keep the values' meaning (a
constant that nothing in the statement types is read as text); else it runs as it is.

Other databases run ``sql`` as it is. A prepared statement lives in its server session, so the
names prepared are kept per connection and forgotten when Django opens a new one
(``connection_created``). PREPARE is not transactional: a rollback keeps it. Not behind a
pooler in transaction or statement mode, which hands the session to another client between
transactions (PgBouncer does not follow SQL-level PREPARE); the docker-compose setup connects
directly."""

import datetime
import decimal
import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.signals import connection_created

_PLACEHOLDER = re.compile(r"%%|%s")
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,55}")
_ATTRIBUTE = "_edem_prepared"
_PREPARABLE = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Typed:
    """A parameter passed with a cast to ``sql_type`` (the prepared statement's own type)."""

    value: object
    sql_type: str


def _forget(sender, connection, **kwargs):
    """A new server session: none of our statements is prepared in it."""
    setattr(connection, _ATTRIBUTE, {})


connection_created.connect(_forget, dispatch_uid="edem.core.prepared.forget")


def numbered(sql, escaped=True):
    """Django's ``%s`` placeholders as PostgreSQL's ``$1``, ``$2``… ``escaped``: ``%%`` is
    kept, for a text that goes through the driver's formatting with parameters; else it becomes
    the ``%`` it stands for."""
    count = 0

    def number(match):
        nonlocal count
        if match.group(0) == "%%":
            return "%%" if escaped else "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql), count


def _known(wrapper):
    """{name: (the server's name, whether it is known to be prepared)} of this connection."""
    prepared = getattr(wrapper, _ATTRIBUTE, None)
    if prepared is None:
        prepared = {}
        setattr(wrapper, _ATTRIBUTE, prepared)
    return prepared


def _run(run, wrapper, name, sql, params, mode=""):
    """Run ``sql`` as prepared statement ``name`` with ``run(text, values)``: PREPARE and
    EXECUTE in one round trip the first time on this connection, EXECUTE afterwards."""
    prepared = _known(wrapper)
    values = [p.value if isinstance(p, Typed) else p for p in params]
    arguments = ", ".join(f"%s::{p.sql_type}" if isinstance(p, Typed) else "%s" for p in params)
    arguments = f" ({arguments})" if params else ""
    server_name, ready = prepared.get(name, (None, False))
    if ready:
        return run(f"{mode}EXECUTE {server_name}{arguments}", values)
    text, count = numbered(sql)
    if count != len(params):
        raise ValueError(f"{name}: {count} placeholders, {len(params)} parameters")
    # An earlier attempt on this connection failed: it may have left the statement prepared
    # (PREPARE outlives a rollback), so this one takes a name of its own.
    attempt = 0 if server_name is None else int(server_name.rpartition("_")[2]) + 1
    server_name = f"{name}_{attempt}"
    prepared[name] = (server_name, False)
    # Prepared and executed in one round trip; the results are the EXECUTE's.
    result = run(f"{mode}PREPARE {server_name} AS {text}; EXECUTE {server_name}{arguments}", values)
    prepared[name] = (server_name, True)
    return result


def execute(cursor, name, sql, params, *, generic=False):
    """Run ``sql`` with ``params`` on ``cursor`` (a Django cursor) as prepared statement
    ``name``; the results are the cursor's, as after ``cursor.execute``.

    ``generic``: run it on its generic plan from the start, not planned afresh for its values
    the first five times and then whenever PostgreSQL judges the generic plan dearer (for a
    statement whose values change nothing in its best plan but would make every run pay the
    planning). Inside a transaction only, and for its rest: ``plan_cache_mode`` is set
    with SET LOCAL, which concerns only prepared statements."""
    wrapper = cursor.db
    if wrapper.vendor != "postgresql":
        cursor.execute(sql, [p.value if isinstance(p, Typed) else p for p in params])
        return
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a statement name: {name!r}")
    mode = "SET LOCAL plan_cache_mode = force_generic_plan; " if generic else ""
    if not wrapper.in_atomic_block:
        mode = ""
    _run(cursor.execute, wrapper, name, sql, params, mode)


# The most statements one connection keeps prepared by ``statements()``: each distinct text
# (an IN list of another length is another text) is one more; past this, texts not yet
# prepared run as plain statements.
MAX_PER_CONNECTION = 200


# What a parameter's Python type may become in the statement; a value PostgreSQL could not type
# from its context is read as text (``SELECT %s AS flag`` with False gives the string "false").
_TYPES = (
    (bool, {"boolean"}),
    (int, {"smallint", "integer", "bigint", "numeric", "real", "double precision", "oid"}),
    (float, {"real", "double precision", "numeric"}),
    (decimal.Decimal, {"numeric", "real", "double precision"}),
    (datetime.datetime, {"timestamp with time zone", "timestamp without time zone"}),
    (datetime.date, {"date"}),
    (datetime.time, {"time without time zone", "time with time zone"}),
    (datetime.timedelta, {"interval"}),
)
_REFUSED = (None, None)


def _fits(value, sql_type):
    """Whether ``value`` keeps its meaning as a parameter of ``sql_type``."""
    if value is None or isinstance(value, str):
        return True
    if sql_type in ("text", "unknown"):
        return False  # typed by nothing around it: read as text
    for kind, types in _TYPES:
        if isinstance(value, kind):
            return sql_type in types
    return True  # arrays, JSON, UUIDs: typed by what they are compared with


def _prepare_checked(execute, context, server_name, sql, params):
    """PREPARE ``sql`` as ``server_name`` on its own and check the parameter types PostgreSQL
    inferred against the values: True when it may be executed. A text it cannot prepare (a
    parameter nothing types: ``%s IS NULL``) or whose types would change a value's meaning is
    dropped; inside a transaction, the attempt runs in a savepoint, so a failure costs it
    nothing."""
    wrapper = context["connection"]
    text, _count = numbered(sql, escaped=False)  # run without parameters: no formatting
    try:
        with transaction.atomic(using=wrapper.alias):
            execute(f"PREPARE {server_name} AS {text}", None, False, context)
            execute(
                "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = %s",
                [server_name],
                False,
                context,
            )
            types = context["cursor"].fetchone()[0]
            if all(_fits(value, type_) for value, type_ in zip(params, types, strict=True)):
                return True
            execute(f"DEALLOCATE {server_name}", None, False, context)
    except DatabaseError:
        pass
    return False


def _prepare_each(execute, sql, params, many, context):
    """``connection.execute_wrapper``: each statement run as a prepared statement named after
    a hash of its text, through ``execute`` (Django's own cursor and wrappers). The first time
    on a connection the statement is prepared and checked (``_prepare_checked``) before it is
    run; a text that fails the check runs as it is from then on."""
    wrapper = context["connection"]
    if (
        many
        or wrapper.vendor != "postgresql"
        or not params
        or not isinstance(params, list | tuple)
        or not _PREPARABLE.match(sql)
        or getattr(context["cursor"].cursor, "name", None)  # a server-side cursor's DECLARE
    ):
        return execute(sql, params, many, context)
    prepared = _known(wrapper)
    name = "q" + hashlib.blake2b(sql.encode(), digest_size=12).hexdigest()
    entry = prepared.get(name)
    if entry is None:  # not tried on this connection yet
        if len(prepared) >= MAX_PER_CONNECTION or numbered(sql)[1] != len(params):
            return execute(sql, params, many, context)
        entry = prepared[name] = _REFUSED  # until the check has passed
        if _prepare_checked(execute, context, f"{name}_0", sql, params):
            entry = prepared[name] = (f"{name}_0", True)
    if entry == _REFUSED:
        return execute(sql, params, many, context)
    arguments = ", ".join(["%s"] * len(params))
    return execute(f"EXECUTE {entry[0]} ({arguments})", params, many, context)


@contextmanager
def statements(using=DEFAULT_DB_ALIAS):
    """Within: every statement with parameters that Django runs on this connection is run as
    a prepared statement, named after its text — what psycopg 3 does of itself for a text run
    five times, and psycopg2 (this project's driver) does not. For the few pages read so often
    that planning their queries is a good part of their time (the appeal card)."""
    with connections[using].execute_wrapper(_prepare_each):
        yield
