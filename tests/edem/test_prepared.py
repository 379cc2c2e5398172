"""Server-side prepared statements (edem.core.prepared) on the real PostgreSQL: prepared once per
connection, again on a new connection, under a new name after a failed attempt, with typed
arrays and per cent signs, and on the generic plan when asked."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from edem.core import prepared
from edem.core.prepared import Typed

pytestmark = pytest.mark.django_db

SQL = "SELECT %s::integer + 1, '100%%', cardinality(%s::bigint[])"


def _run(name, params, sql=SQL, **kwargs):
    with connection.cursor() as cursor:
        prepared.execute(cursor, name, sql, params, **kwargs)
        return cursor.fetchall()


def _statements(name, separator="_"):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE starts_with(name, %s) ORDER BY name",
            [f"{name}{separator}"],
        )
        return cursor.fetchall()


def test_prepared_once_per_connection_then_only_executed():
    with CaptureQueriesContext(connection) as first:
        assert _run("t_once", [1, Typed([1, 2, 3], "bigint[]")]) == [(2, "100%", 3)]
    with CaptureQueriesContext(connection) as second:
        assert _run("t_once", [41, Typed([], "bigint[]")]) == [(42, "100%", 0)]
    assert first.captured_queries[0]["sql"].startswith("PREPARE t_once_0 AS ")
    assert second.captured_queries[0]["sql"].startswith("EXECUTE t_once_0 (")
    assert [row[0] for row in _statements("t_once")] == ["t_once_0"]


def test_an_array_of_nulls_takes_the_statements_type():
    rows = _run("t_nulls", [1, Typed([None, None], "bigint[]")])
    assert rows == [(2, "100%", 2)]


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_it_again():
    assert _run("t_reconnect", [1, Typed([1], "bigint[]")]) == [(2, "100%", 1)]
    connection.close()  # the server session ends with its prepared statements
    assert _run("t_reconnect", [2, Typed([1], "bigint[]")]) == [(3, "100%", 1)]
    assert [row[0] for row in _statements("t_reconnect")] == ["t_reconnect_0"]


def test_a_failed_first_run_leaves_a_name_the_next_attempt_does_not_reuse():
    divide = "SELECT 1 / %s::integer"
    with pytest.raises(DatabaseError), transaction.atomic():
        # PREPARE succeeds and outlives the rollback; its EXECUTE fails.
        _run("t_failed", [0], sql=divide)
    assert _run("t_failed", [1], sql=divide) == [(1,)]
    assert [row[0] for row in _statements("t_failed")] == ["t_failed_0", "t_failed_1"]


def test_generic_runs_on_the_generic_plan_for_the_rest_of_the_transaction():
    for number in range(3):  # planned for its values, the first five times
        _run("t_custom", [number, Typed([number], "bigint[]")])
    for number in range(3):
        _run("t_generic", [number, Typed([number], "bigint[]")], generic=True)
    _run("t_custom", [3, Typed([3], "bigint[]")])  # SET LOCAL: the transaction's rest
    assert _statements("t_custom") == [("t_custom_0", 1, 3)]
    assert _statements("t_generic") == [("t_generic_0", 3, 0)]


def test_placeholders_and_parameters_must_agree_and_names_are_checked():
    with pytest.raises(ValueError, match="2 placeholders, 1 parameters"):
        _run("t_count", [1])
    with pytest.raises(ValueError, match="not a statement name"):
        _run("t; DROP TABLE x", [1, Typed([], "bigint[]")])


def test_numbered_keeps_per_cent_signs():
    assert prepared.numbered("SELECT %s, '%%', %s") == ("SELECT $1, '%%', $2", 2)


def test_statements_prepares_each_text_with_parameters_once_and_gives_the_same_rows():
    from appeals.models import Appeal
    from tests.factories import AppealFactory

    first, second = AppealFactory(subject="Первое"), AppealFactory(subject="Второе")
    before = {row[0] for row in _statements("q", "")}
    with prepared.statements():
        for appeal in (first, second, first):
            assert Appeal.objects.get(pk=appeal.pk).subject == appeal.subject
        assert Appeal.objects.count() == 2  # no parameters: run as it is
        rows = list(Appeal.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk"))
        assert [row.pk for row in rows] == sorted([first.pk, second.pk])
        Appeal.objects.filter(pk=first.pk).update(subject="Изменено")  # a write, prepared too
        Appeal.objects.bulk_create([])  # nothing to run
    added = {row[0] for row in _statements("q", "")} - before
    assert len(added) == 3  # get, the IN list of two, the update
    assert Appeal.objects.get(pk=first.pk).subject == "Изменено"


@pytest.mark.django_db(transaction=True)
def test_statements_leaves_server_side_cursors_and_many_alone():
    from appeals.models import Appeal
    from tests.factories import AppealFactory

    appeals = [AppealFactory() for _ in range(3)]
    with prepared.statements(), transaction.atomic():
        # iterator() reads through a named (server-side) cursor: DECLARE … CURSOR FOR <the
        # statement>, which cannot hold a PREPARE.
        found = [a.pk for a in Appeal.objects.filter(pk__gt=0).order_by("pk").iterator(2)]
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE appeals_appeal SET subject = %s WHERE id = %s",
                [("Через executemany", a.pk) for a in appeals],
            )
    assert found == [a.pk for a in appeals]
    assert set(Appeal.objects.values_list("subject", flat=True)) == {"Через executemany"}


def test_statements_stops_preparing_new_texts_past_the_cap(monkeypatch):
    from appeals.models import Appeal

    monkeypatch.setattr(prepared, "MAX_PER_CONNECTION", 0)
    before = _statements("q", "")
    with prepared.statements():
        assert Appeal.objects.filter(pk=-1, subject="past the cap").exists() is False
    assert _statements("q", "") == before


def test_statements_keeps_a_constant_of_the_select_list_typed():
    from django.db.models import BooleanField, IntegerField, Value

    from appeals.models import Appeal
    from tests.factories import AppealFactory

    appeal = AppealFactory()
    query = Appeal.objects.filter(pk=appeal.pk).annotate(
        flag=Value(False, output_field=BooleanField()),
        number_one=Value(1, output_field=IntegerField()),
    )
    with prepared.statements():
        for _visit in range(2):
            assert list(query.values_list("flag", "number_one")) == [(False, 1)]


def test_statements_runs_as_it_is_a_text_postgresql_cannot_type_and_the_transaction_goes_on():
    with prepared.statements(), transaction.atomic(), connection.cursor() as cursor:
        for _visit in range(2):
            cursor.execute("SELECT 1 WHERE %s IS NULL", [None])
            assert cursor.fetchall() == [(1,)]
        cursor.execute("SELECT %s::integer + 1", [1])  # the transaction is still usable
        assert cursor.fetchall() == [(2,)]
