"""The EDMS API over a million appeals (issue 14): the list of 100 and one appeal.

    createdb -h 127.0.0.1 -U postgres -T edem_bench1m edem_api_1m   # a copy of the seeded 1M
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/edem_api_1m REDIS_URL=redis://127.0.0.1:6379/11 \
        .venv/bin/python bench/api.py

The wall-clock figures carry the machine's load; the CPU time of this process (the Python
side of a call, without the database's) is printed beside them, and the list query's own time
(EXPLAIN ANALYZE) at the end.

Migrates the copy (the API's tables), registers a client acting as the head of the cabinet
with the most appeals (~167k), then prints the median and p90 over RUNS requests, with the
queries of one request: a bare page (``/healthz/``, the yardstick of DESIGN §9), the list's
first page of 100, the second page (the cursor), the list filtered (open, received in the last
month), "changed since" a day ago, and one appeal with its history, files and answers. Each
call writes its access-log line, as in production.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edem.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from appeals.models import Appeal  # noqa: E402
from cabinets.models import Cabinet  # noqa: E402
from cabinets.roles import Role  # noqa: E402
from cabinets.services import add_membership  # noqa: E402
from edem.accounts.models import User  # noqa: E402
from integrations.api import selectors  # noqa: E402
from integrations.models import ApiClient  # noqa: E402

RUNS = int(os.environ.get("RUNS", "30"))


def setup():
    call_command("migrate", verbosity=0)
    busiest = Appeal.objects.values("cabinet_id").annotate(n=Count("id")).order_by("-n").first()
    cabinet = Cabinet.objects.get(pk=busiest["cabinet_id"])
    head, _created = User.objects.get_or_create(
        email="api-bench-head@example.org", defaults={"last_name": "Бенч", "first_name": "API"}
    )
    add_membership(cabinet=cabinet, user=head, role=Role.HEAD)
    ApiClient.objects.filter(name="bench").delete()
    client = ApiClient(name="bench", acts_as=head, scopes=["read", "write"], rate_limit=1_000_000)
    token = client.new_token()
    client.save()
    client.cabinets.add(cabinet)
    # "Changed since" reads the history lines' index; the seed writes none: a day's worth of
    # changes (20,000 lines over the last two days) for the busiest cabinet's appeals.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM appeals_appealevent WHERE action = 'bench_change'")
        cursor.execute(
            """
            INSERT INTO appeals_appealevent
                (appeal_id, at, action, from_status, to_status, note, data, is_public)
            SELECT id, now() - (random() * interval '2 days'), 'bench_change', status, status,
                   '', '{}'::jsonb, false
            FROM appeals_appeal WHERE cabinet_id = %s ORDER BY random() LIMIT 20000
            """,
            [cabinet.pk],
        )
        cursor.execute("ANALYZE appeals_appealevent")
    return cabinet, busiest["n"], token


def measure(api, label, url, params=None):
    response = api.get(url, params)  # warm
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = api.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, params)
    times.sort()
    p90 = times[int(len(times) * 0.9) - 1]
    print(
        f"{label}: p50 {statistics.median(times):.1f} ms, p90 {p90:.1f} ms, "
        f"{len(queries)} queries; CPU of this process p50 {statistics.median(cpu):.1f} ms"
    )
    return response


def main():
    cabinet, count, token = setup()
    cache.clear()
    print(f"database: {Appeal.objects.count():,} appeals; cabinet {cabinet.code}: {count:,}")
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="ru")
    measure(api, "bare page /healthz/ (yardstick)", "/healthz/")
    first = measure(api, "list of 100, first page", "/api/v1/appeals/").json()
    measure(api, "list of 100, second page (cursor)", first["next"])
    month_ago = (timezone.localdate() - timedelta(days=30)).isoformat()
    measure(
        api,
        "list of 100, open and received in the last month",
        "/api/v1/appeals/",
        {"status": "open", "received_from": month_ago},
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()
    measure(
        api, "list of 100, changed since a day ago", "/api/v1/appeals/", {"changed_since": since}
    )
    appeal = first["results"][0]["id"]
    measure(api, "one appeal with history, files, answers", f"/api/v1/appeals/{appeal}/")
    sql, params = (
        selectors.appeal_list(ApiClient.objects.get(name="bench"), {})
        .order_by("-id")[:101]
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
        plan = plan[0] if isinstance(plan, list) else plan
    print(f"list of 100, the page query itself: {plan['Execution Time']:.1f} ms (EXPLAIN ANALYZE)")
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
