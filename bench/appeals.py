"""Appeals benchmarks on the data of bench/seed_appeals.py (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/edem_bench .venv/bin/python bench/appeals.py

Prints one line per figure: the median (and p90) over REPEAT requests through the Django test
client, after a warm-up request, and the number of SQL queries of the last request.
Targets (issue #3, at 1M appeals): work queue p50 <= 50 ms, appeal card <= 30 ms,
reminder sweep <= 2 s.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edem.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from appeals.models import Appeal, Reminder  # noqa: E402
from appeals.reminders import send_due_reminders  # noqa: E402
from appeals.selectors import bump_queue_version  # noqa: E402
from edem.accounts.models import User  # noqa: E402
from tests.helpers import record_second_factor  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "25"))


def measure(label, fn):
    fn()  # warm-up
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        fn()
    p90 = statistics.quantiles(times, n=10)[-1]
    print(
        f"{label}: p50 {statistics.median(times):.1f} ms, p90 {p90:.1f} ms, {len(queries)} queries"
    )


def get(client, url, **params):
    def run():
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)

    return run


def main():
    if connection.vendor != "postgresql":
        sys.exit("bench/appeals.py needs PostgreSQL: set DATABASE_URL.")
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    total = Appeal.objects.count()
    print(f"appeals in the database: {total}")
    head = User.objects.get(email="mayor@demo.edem")
    staff = Client()
    staff.force_login(head)
    record_second_factor(staff, head)  # the service cabinet wants a session that used it
    measure("work queue, first page, no filter", get(staff, "/service/appeals/"))
    measure(
        "work queue, first page, 3 filters (status, kind, overdue)",
        get(staff, "/service/appeals/", status="in_work", kind="complaint", overdue="on"),
    )
    adm = Appeal.objects.filter(cabinet__code="adm").values_list("cabinet_id", flat=True)[:1][0]
    uncached = get(staff, "/service/appeals/")

    def after_a_change():
        bump_queue_version(adm)  # as saving an appeal of the cabinet does: counts recomputed
        uncached()

    measure(
        "work queue, first page, no filter, right after a change (counts recomputed)",
        after_a_change,
    )
    appeal = Appeal.objects.filter(cabinet__code="adm").order_by("-pk").first()
    measure("appeal card", get(staff, f"/service/appeals/{appeal.pk}/"))
    author = appeal.author
    citizen = Client()
    citizen.force_login(author)
    measure("citizen's list of appeals", get(citizen, "/appeals/my/"))
    measure("citizen's appeal page", get(citizen, f"/appeals/my/{appeal.pk}/"))

    Reminder.objects.all().delete()
    started = time.perf_counter()
    sent = send_due_reminders()
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = send_due_reminders()
    second = time.perf_counter() - started
    print(
        f"reminder sweep: {first:.2f} s ({sent} sent), repeated run {second:.2f} s ({again} sent)"
    )


if __name__ == "__main__":
    main()
