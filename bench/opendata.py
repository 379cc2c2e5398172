"""The open-data dump and Open311 ``requests`` over a seeded database (issue 14).

    createdb -h 127.0.0.1 -U postgres edem_bench_open
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/edem_bench_open \
        .venv/bin/python bench/seed_appeals.py 200000      # half of them public
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/edem_bench_open \
        .venv/bin/python bench/opendata.py

Prints, for the public problems in CSV, JSON and GeoJSON: rows, seconds, rows per second, the
file's size and the process's peak resident memory (``resource``), and the three's total; then the peak of Python
allocations during one more GeoJSON dump under ``tracemalloc``; then the median and p90 of Open311
``requests.json`` for the last month (first page of 100 and a page of 1000) and its queries,
and the open requests of the spec's default 90 days, pages 1, 3 and 20 (paging deep into a big
filtered list), each with its ratio to a floor page measured in the same run and the load
average. ``BENCH_DUMPS=0`` leaves the dumps out (Open311 only).
The files go to a temporary MEDIA_ROOT, not the developer's.
"""

import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import types
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edem.settings")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="edem-opendata-bench-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import clear_url_caches, include, path  # noqa: E402
from django.utils import timezone  # noqa: E402

from appeals.problems.models import PublicProblem  # noqa: E402
from cabinets.models import Cabinet  # noqa: E402
from integrations import opendata  # noqa: E402

RUNS = 25
FLOOR_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="ru"><title>floor</title><p>{{ n }}</p>'
)


def floor(request):
    """The floor page: the whole middleware stack, one query, one small template."""
    return HttpResponse(FLOOR_TEMPLATE.render({"n": Cabinet.objects.count()}, request))


def mount_floor():
    urls = types.ModuleType("bench_opendata_urls")
    urls.urlpatterns = [path("bench-floor/", floor), path("", include(settings.ROOT_URLCONF))]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    clear_url_caches()


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dump(fmt, trace=False):
    """One dump of the public problems; with ``trace`` under tracemalloc (slower: its figure
    is the memory, not the time)."""
    dataset = opendata.DATASETS["problems"]
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    record = opendata.dump_dataset(dataset, fmt)
    seconds = time.perf_counter() - start
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"dump problems.{fmt} under tracemalloc: peak Python allocations "
            f"{peak / 1e6:.1f} MB, peak RSS {rss_mb():.0f} MB"
        )
        return
    print(
        f"dump problems.{fmt}: {record.rows} rows, {seconds:.1f} s, "
        f"{record.rows / seconds:,.0f} rows/s, {record.size / 1e6:.1f} MB, "
        f"peak RSS so far {rss_mb():.0f} MB"
    )
    return seconds


def timed(url, params):
    client = Client()
    client.get(url, params)  # warm
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:200]
    times.sort()
    return times, client


def requests(params, label, floor_p50=None):
    url = "/open311/v2/requests.json"
    times, client = timed(url, params)
    with CaptureQueriesContext(connection) as queries:
        rows = len(client.get(url, params).json())
    ratio = f", {statistics.median(times) / floor_p50:.1f}x the floor" if floor_p50 else ""
    print(
        f"open311 requests.json {label}: {rows} requests, p50 {statistics.median(times):.1f} ms, "
        f"p90 {times[int(RUNS * 0.9)]:.1f} ms, {len(queries)} queries{ratio} "
        f"(load {os.getloadavg()[0]:.2f})"
    )


def main():
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.EDEM_PAGE_CACHE = False  # the floor is rendered each time, as Open311 is
    mount_floor()
    total = PublicProblem.objects.count()
    print(f"public problems: {total}, RSS before {rss_mb():.0f} MB")
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if os.environ.get("BENCH_DUMPS", "1") != "0":
        opendata.Context.current().url("problems:detail", 1)  # the URLconf, imported once
        seconds = sum(dump(fmt) for fmt in ("csv", "json", "geojson"))
        print(f"dump problems, the three formats: {seconds:.1f} s")
        dump("geojson", trace=True)
    times, _ = timed("/bench-floor/", {})
    floor_p50 = statistics.median(times)
    print(f"floor page: p50 {floor_p50:.1f} ms (load {os.getloadavg()[0]:.2f})")
    month = {"start_date": (timezone.now() - timedelta(days=30)).isoformat()}
    requests(month, "last month, page of 100", floor_p50)
    requests({**month, "page_size": "1000"}, "last month, page of 1000", floor_p50)
    requests({**month, "status": "open", "page": "3"}, "last month, open, page 3", floor_p50)
    for page in ("1", "3", "20"):
        requests({"status": "open", "page": page}, f"open, page {page}", floor_p50)


if __name__ == "__main__":
    main()
