"""Public problem map benchmarks on the data of bench/seed_appeals.py (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/edem_bench .venv/bin/python bench/map.py

Prints one line per figure: the median (and p90) over REPEAT requests through the Django test
client after a warm-up request, the size of the response and the SQL queries of the last one.
The map JSON is measured twice: "warm" is what a visitor gets (the short cache keyed by the
rounded query answers), "cold" empties that cache before every request, so it measures the
SQL. Targets (issue #4, at 1M appeals, half public): map JSON p50 <= 30 ms and <= 100 KB;
list and problem page <= 30 ms; home page <= 20 ms warm.
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

from appeals.problems.models import PublicProblem  # noqa: E402
from appeals.problems.selectors import bump_version  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "25"))

# A viewport of 1280 × 800 px at the town's latitude (56° N).
TOWN = "37.91,55.955,38.09,56.045"  # the whole town, at city zoom 12
DISTRICT = "37.986,55.995,38.0135,56.0046"  # 1280 × 800 px at street zoom 16


def measure(label, fn, before=None):
    if before:
        before()
    fn()  # warm-up
    times = []
    for _ in range(REPEAT):
        if before:
            before()
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    if before:
        before()
    with CaptureQueriesContext(connection) as queries:
        response = fn()
    p90 = statistics.quantiles(times, n=10)[-1]
    size = len(response.content) / 1024
    extra = ""
    if response["Content-Type"].startswith("application/json"):
        data = response.json()
        extra = f", {data['kind']}: {data['total']} problems"
    print(
        f"{label}: p50 {statistics.median(times):.1f} ms, p90 {p90:.1f} ms, {size:.1f} KB, "
        f"{len(queries)} queries{extra}"
    )


def get(client, url, **params):
    def run():
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return run


def main():
    if connection.vendor != "postgresql":
        sys.exit("bench/map.py needs PostgreSQL: set DATABASE_URL.")
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    print(f"public problems in the database: {PublicProblem.objects.count()}")
    client = Client()
    for label, bbox, zoom in (
        ("map JSON, district box, street zoom 16", DISTRICT, 16),
        ("map JSON, whole town, city zoom 12", TOWN, 12),
    ):
        run = get(client, "/map/problems.json", bbox=bbox, zoom=zoom)
        measure(f"{label}, warm", run)
        measure(f"{label}, cold (cache emptied)", run, before=bump_version)
    measure(
        "map JSON, whole town, city zoom 12, filtered by status and category, cold",
        get(client, "/map/problems.json", bbox=TOWN, zoom=12, status="answered", category=1),
        before=bump_version,
    )
    measure(
        "map JSON, district box, street zoom 16, filtered by territory and period, cold",
        get(client, "/map/problems.json", bbox=DISTRICT, zoom=16, territory=1, period="30"),
        before=bump_version,
    )
    measure(
        "map JSON, whole town, city zoom 12, filtered by territory, cold",
        get(client, "/map/problems.json", bbox=TOWN, zoom=12, territory=1),
        before=bump_version,
    )
    measure(
        "map JSON, whole town, city zoom 12, last 30 days (grouped live), cold",
        get(client, "/map/problems.json", bbox=TOWN, zoom=12, period="30"),
        before=bump_version,
    )
    measure("list, first page", get(client, "/problems/"))
    measure("list, first page, by support", get(client, "/problems/", sort="support"))
    measure(
        "list, first page, right after a change (count recomputed)",
        get(client, "/problems/"),
        before=bump_version,
    )
    problem = PublicProblem.objects.order_by("-appeal_id").first()
    measure("problem page", get(client, f"/problems/{problem.pk}/"))
    measure("home page, warm", get(client, "/"))


if __name__ == "__main__":
    main()
