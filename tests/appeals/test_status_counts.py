"""The work queue's counts kept by the database (``appeals.models.StatusCount``, issue 15):
after any sequence of changes, made through the services, the ORM or in bulk, and made by
several transactions at once, they equal a count of the appeals themselves."""

import random
import threading

import pytest
from django.db import connection, transaction
from django.db.models import Count

from appeals import selectors, services
from appeals.models import Appeal, Category, StatusCount
from appeals.workflow import Status
from cabinets.roles import Role
from tests.factories import AppealFactory, CabinetFactory, TerritoryFactory, member

FIELDS = {"": None, "kind": "kind", "category": "category_id", "territory": "territory_id"}
FIELDS["executor"] = "executor_id"


def direct_counts():
    """{(cabinet, status, dimension, value): n} counted on the appeals."""
    counted = {}
    for dimension, field in FIELDS.items():
        by = ["cabinet_id", "status"] + ([field] if field else [])
        rows = Appeal.objects.order_by().values_list(*by).annotate(n=Count("*"))
        for row in rows:
            *key, n = row
            if field and key[2] is None:
                continue
            value = str(key[2]) if field else ""
            counted[(key[0], key[1], dimension, value)] = n
    return counted


def kept_counts():
    return {
        (c.cabinet_id, c.status, c.dimension, c.value): c.n
        for c in StatusCount.objects.exclude(n=0)
    }


@pytest.fixture
def town():
    cabinets = [CabinetFactory(), CabinetFactory()]
    people = {
        "head": member(cabinets[0], Role.HEAD, mfa=False),
        "executor": member(cabinets[0], Role.EXECUTOR, mfa=False),
        "other": member(cabinets[1], Role.EXECUTOR, mfa=False),
    }
    group = Category.objects.create(name="Дороги")
    categories = [group, Category.objects.create(name="Ямы", parent=group)]
    categories.append(Category.objects.create(name="Свет"))
    territories = [TerritoryFactory(), TerritoryFactory()]
    return cabinets, people, categories, territories


def _random_fields(rng, cabinets, people, categories, territories):
    return {
        "cabinet": rng.choice(cabinets),
        "status": rng.choice(Status.values),
        "kind": rng.choice(["proposal", "statement", "complaint", "information_request"]),
        "category": rng.choice([None, *categories]),
        "territory": rng.choice([None, *territories]),
        "executor": rng.choice([None, *people.values()]),
    }


@pytest.mark.django_db
def test_kept_counts_equal_a_direct_count_after_random_changes(town):
    cabinets, people, categories, territories = town
    rng = random.Random(15)
    world = (cabinets, people, categories, territories)
    appeals = [AppealFactory(**_random_fields(rng, *world)) for _ in range(30)]
    assert kept_counts() == direct_counts()
    for _step in range(60):
        appeal = rng.choice(appeals)
        fields = _random_fields(rng, *world)
        name = rng.choice(list(fields))
        how = rng.choice(["save", "update", "bulk", "create"])
        if how == "save":
            setattr(appeal, name, fields[name])
            appeal.save()
        elif how == "update":
            Appeal.objects.filter(pk=appeal.pk).update(**{name: fields[name]})
        elif how == "bulk":  # one statement moving several appeals
            Appeal.objects.filter(cabinet=fields["cabinet"]).update(status=fields["status"])
        else:
            appeals.append(AppealFactory(**fields))
        for appeal in appeals:
            appeal.refresh_from_db()
    # and through the services, as the screens do
    fresh = AppealFactory(cabinet=cabinets[0], status=Status.RECEIVED)
    fresh = services.register(appeal=fresh, actor=people["head"])
    services.assign(appeal=fresh, actor=people["head"], executor=people["executor"])
    assert kept_counts() == direct_counts()


@pytest.mark.django_db
def test_the_sidebar_counts_equal_the_queue_for_every_filter(town):
    cabinets, people, categories, territories = town
    rng = random.Random(3)
    for _ in range(40):
        AppealFactory(**_random_fields(rng, cabinets, people, categories, territories))
    for extra in range(3):  # an executor who is also co-executor elsewhere in the cabinet
        appeal = AppealFactory(cabinet=cabinets[0], status=Status.IN_WORK, executor=None)
        appeal.co_executors.add(people["executor"])
        if extra == 0:  # and co-executor of their own appeal: counted once
            Appeal.objects.filter(pk=appeal.pk).update(executor=people["executor"])
    every = [
        {},
        {"kind": "complaint"},
        {"category": categories[0]},  # a group: its sub-category too
        {"category": categories[2]},
        {"territory": territories[1]},
        {"executor": people["executor"]},
        {"cabinet": cabinets[0]},
        {"overdue": True},
        {"kind": "statement", "territory": territories[0]},
        {"scope": selectors.Scope.PASSED},
    ]
    for user in people.values():
        for filters in every:
            queue = selectors.work_queue(user, filters, with_status=False).order_by()
            expected = dict(
                queue.values_list("status").annotate(n=Count("*")).values_list("status", "n")
            )
            counts = {s: n for s, n in selectors.status_counts(user, filters).items() if n}
            assert counts == expected, (user, filters)


def _parallel(calls):
    """Run each callable at once in its own thread and connection."""
    errors, barrier = [], threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        except Exception as exc:  # noqa: BLE001 - reported below, with the others
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_kept_counts_stay_exact_under_concurrent_transactions(town):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    cabinets, people, categories, territories = town
    rng = random.Random(7)
    world = (cabinets, people, categories, territories)
    appeals = [AppealFactory(**_random_fields(rng, *world)).pk for _ in range(24)]

    def mover(seed, pks):
        def move():  # one appeal per transaction, as a service changes it
            local = random.Random(seed)
            for pk in pks * 3:
                fields = _random_fields(local, *world)
                with transaction.atomic():
                    appeal = Appeal.objects.select_for_update().get(pk=pk)
                    appeal.status, appeal.cabinet = fields["status"], fields["cabinet"]
                    appeal.save(update_fields=["status", "cabinet"])
                with transaction.atomic():
                    AppealFactory(**_random_fields(local, *world))

        return move

    calls = [mover(seed, appeals[seed::4]) for seed in range(4)]
    errors = _parallel(calls)
    assert errors == []
    assert kept_counts() == direct_counts()
