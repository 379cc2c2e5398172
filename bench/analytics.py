"""Analytics benchmarks (issue 12) on the data of bench/seed_appeals.py (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/edem_bench .venv/bin/python bench/seed_appeals.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/edem_bench .venv/bin/python bench/analytics.py

The rollup is fed by the appeals' history (events, signed answers, ratings), which
``seed_appeals.py`` does not write: on its first run this script adds that history in SQL, one
line per fact an appeal of that status has had (receipt, registration, the signed answer with
its result, a closing without an answer on the merits, a forwarding, a reopening; a signed
answer per answered appeal; a rating for three answers in ten), then rebuilds the rollup.

Prints one line per figure: the median (and p90) over REPEAT requests through the Django test
client after a warm-up, the SQL queries of the last request, the one-minute load average of
the machine when the figure was taken, and the ratio to a floor page measured in the same run
(the whole middleware stack, one query, one small template: what any page of this Django
costs on this machine now), since the machine may be shared.
Targets (issue 12, at 1M appeals): the head's dashboard for the municipality over a year p50
<= 200 ms and <= 15 queries; /statistics/ p50 <= 100 ms; the monthly municipal report PDF
<= 3 s; full rollup rebuild <= 60 s; incremental update after one appeal event <= 5 ms.
"""

import datetime
import os
import statistics
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edem.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import clear_url_caches, include, path  # noqa: E402
from django.utils import timezone  # noqa: E402

from analytics import reports, rollup, services  # noqa: E402
from analytics.models import Report, RollupState  # noqa: E402
from analytics.participation import rebuild_participation  # noqa: E402
from appeals.models import Appeal, AppealEvent  # noqa: E402
from cabinets.models import Cabinet  # noqa: E402
from edem.accounts.models import User  # noqa: E402
from tests.helpers import record_second_factor  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "25"))
FLOOR_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="ru"><title>floor</title><p>{{ n }} {{ user.is_authenticated }}</p>'
)


def floor(request):
    """The floor page: the whole middleware stack, one query, one small template."""
    n = Cabinet.objects.count()
    return HttpResponse(FLOOR_TEMPLATE.render({"n": n, "user": request.user}, request))


def mount_floor():
    urls = types.ModuleType("bench_analytics_urls")
    urls.urlpatterns = [path("bench-floor/", floor), path("", include(settings.ROOT_URLCONF))]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    clear_url_caches()


def load():
    return os.getloadavg()[0]


def seed_history():
    """The appeals' history the rollup reads, in SQL, for the appeals that have none yet."""
    started = time.perf_counter()
    head = User.objects.get(email="mayor@demo.edem").pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM appeals_appealevent)")
        if not cursor.fetchone()[0]:
            cursor.execute(EVENTS)
        cursor.execute("SELECT EXISTS (SELECT 1 FROM appeals_answer)")
        if not cursor.fetchone()[0]:
            cursor.execute(ANSWERS, [head, head])
        cursor.execute("SELECT EXISTS (SELECT 1 FROM appeals_rating)")
        if cursor.fetchone()[0]:
            return
        cursor.execute(RATINGS)
        for table in ("appeals_appealevent", "appeals_answer", "appeals_rating"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM appeals_appealevent")
        (events,) = cursor.fetchone()
    print(f"seeded the history: {events} events in {time.perf_counter() - started:.1f} s")


EVENTS = """
INSERT INTO appeals_appealevent
    (at, action, from_status, to_status, note, is_public, data, actor_id, appeal_id)
SELECT received_at, 'receive', '', 'received', '', true, '{}'::jsonb, author_id, id
    FROM appeals_appeal
UNION ALL
SELECT registered_at, 'register', 'received', 'registered', '', true, '{}', NULL, id
    FROM appeals_appeal WHERE registered_at IS NOT NULL
UNION ALL
SELECT answered_at, 'sign_answer', 'answer_drafted', 'answered', '', true,
        jsonb_build_object('result', result), NULL, id
    FROM appeals_appeal WHERE status = 'answered' AND answered_at IS NOT NULL
UNION ALL
SELECT closed_at, 'close_no_merits', 'registered', 'closed_no_merits', '', true,
        jsonb_build_object('result', 'no_merits'), NULL, id
    FROM appeals_appeal WHERE status = 'closed_no_merits' AND closed_at IS NOT NULL
UNION ALL
SELECT closed_at, 'forward', 'registered', 'forwarded', '', true,
        jsonb_build_object('from_cabinet', cabinet_id, 'result', 'forwarded'), NULL, id
    FROM appeals_appeal WHERE status = 'forwarded' AND closed_at IS NOT NULL
UNION ALL
SELECT least(received_at + interval '20 days', now()), 'reopen', 'answered', 'reopened', '', true, '{}',
        NULL, id
    FROM appeals_appeal WHERE status = 'reopened'
"""
ANSWERS = """
INSERT INTO appeals_answer
    (text, drafted_at, signer_name, signer_position, signed_at, verification_code,
     text_sha256, letter, on_time, appeal_id, drafted_by_id, signed_by_id, delivery_channel,
     refusal_ground)
SELECT 'Ответ по существу.', answered_at - interval '1 day', 'Глава', 'Глава', answered_at,
    '', '', '', (answered_at::date <= legal_due), id, coalesce(executor_id, %s), %s, 'email', ''
FROM appeals_appeal WHERE status = 'answered' AND answered_at IS NOT NULL
"""
RATINGS = """
INSERT INTO appeals_rating (stars, comment, created_at, appeal_id)
SELECT mod(id / 10, 5) + 1, '', least(answered_at + interval '2 days', now()), id
FROM appeals_appeal WHERE status = 'answered' AND answered_at IS NOT NULL AND mod(id, 10) < 3
"""


def timed(fn, repeat):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(label, fn, *, floor_p50=None, repeat=REPEAT):
    times = timed(fn, repeat)
    with CaptureQueriesContext(connection) as queries:
        fn()
    p50 = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    ratio = f", {p50 / floor_p50:.1f}x the floor" if floor_p50 else ""
    print(
        f"{label}: p50 {p50:.1f} ms, p90 {p90:.1f} ms, {len(queries)} queries{ratio}"
        f" (load {load():.2f})"
    )
    return p50


def get(client, url, **params):
    def run():
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return run


def once(label, fn, unit="s"):
    started = time.perf_counter()
    result = fn()
    took = time.perf_counter() - started
    figure = f"{took:.2f} s" if unit == "s" else f"{took * 1000:.1f} ms"
    print(f"{label}: {figure} (load {load():.2f})")
    return result, took


def one_appeal_event():
    """One appeal event as the services write it: an open appeal moves to work, with its
    history line (what the rollup's incremental refresh has to pick up; it changes no figure)."""
    appeal = Appeal.objects.filter(status="registered").order_by("-pk").first()
    Appeal.objects.filter(pk=appeal.pk).update(status="in_work", updated_at=timezone.now())
    AppealEvent.objects.create(
        appeal=appeal, action="take", from_status="registered", to_status="in_work", data={}
    )
    return appeal.pk


def one_counted_event():
    """An event that changes figures: an answered appeal is reopened by its head (one more
    "reopened" in the day's and the month's row of its cell)."""
    appeal = Appeal.objects.filter(status="answered").order_by("-pk").first()
    Appeal.objects.filter(pk=appeal.pk).update(status="reopened", updated_at=timezone.now())
    AppealEvent.objects.create(
        appeal=appeal, action="reopen_by_head", from_status="answered", to_status="reopened"
    )
    return appeal.pk


def write_floor():
    """The floor of the incremental refresh: the smallest write transaction (lock the rollup's
    state row, update it, commit, as every refresh does), timed beside it so that refresh
    figures taken under different loads can be compared (median of 11)."""
    times = []
    for _ in range(11):
        started = time.perf_counter()
        with transaction.atomic():
            state = RollupState.objects.select_for_update().get(key=services.STATE_KEY)
            state.save(update_fields=["last_run_at"])
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def incremental(label, event):
    services.refresh_rollup()  # the state's last run is now
    totals, parts = [], {"touched_appeals": [], "fold": []}
    floors = []
    for _ in range(5):
        event()
        floors.append(write_floor())
        started = time.perf_counter()
        services.refresh_rollup()
        totals.append((time.perf_counter() - started) * 1000)
    for _ in range(5):
        event()
        state = RollupState.objects.get(key=services.STATE_KEY)
        t0 = time.perf_counter()
        appeals, folded = rollup.touched_appeals(state.last_run_at - services.OVERLAP, state.folded)
        t1 = time.perf_counter()
        changed = rollup.fold(appeals)
        t2 = time.perf_counter()
        RollupState.objects.filter(key=services.STATE_KEY).update(
            last_run_at=timezone.now(), folded=folded
        )
        for key, took in zip(parts, (t1 - t0, t2 - t1), strict=True):
            parts[key].append(took * 1000)
    # The refresh looks back ten minutes (services.OVERLAP) but folds only the appeals with
    # lines the last run did not see. Apart, the fold of just the appeal of the event, right
    # after it.
    alone = []
    for _ in range(5):
        appeal = event()
        started = time.perf_counter()
        rollup.fold([appeal])
        alone.append((time.perf_counter() - started) * 1000)
    services.refresh_rollup()
    floor = statistics.median(floors)
    print(
        f"incremental update after {label} (analytics.services.refresh_rollup): "
        f"median {statistics.median(totals):.1f} ms of 5, "
        f"{statistics.median(totals) / floor:.1f}x the floor ({floor:.1f} ms: lock, update and "
        f"commit the state row) (load {load():.2f})"
    )
    print(
        "  of which: "
        + ", ".join(f"{key} {statistics.median(v):.1f} ms" for key, v in parts.items())
        + f" ({len(appeals)} appeals folded, {len(changed)} changed);"
        f" the event's appeal alone (rollup.fold): median {statistics.median(alone):.1f} ms of 5"
    )


def main():
    if connection.vendor != "postgresql":
        sys.exit("bench/analytics.py needs PostgreSQL: set DATABASE_URL.")
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    mount_floor()
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"appeals in the database: {Appeal.objects.count()}")
    seed_history()

    # The full rebuild (and the first one, which the pages below read).
    once("full rollup rebuild (analytics.services.rebuild_all)", services.rebuild_all)

    anonymous = Client()
    head = User.objects.get(email="mayor@demo.edem")
    staff = Client()
    staff.force_login(head)
    record_second_factor(staff, head)  # the service cabinet wants a session that used it
    floor_anonymous = measure("floor page, anonymous", get(anonymous, "/bench-floor/"))
    floor_head = measure("floor page, signed-in head", get(staff, "/bench-floor/"))

    today = timezone.localdate()
    year_ago = today - datetime.timedelta(days=365)
    measure(
        "head's dashboard, whole municipality (adm and below), one year",
        get(staff, "/service/analytics/adm/", start=year_ago.isoformat(), end=today.isoformat()),
        floor_p50=floor_head,
    )
    measure(
        "public statistics page /statistics/",
        get(anonymous, "/statistics/"),
        floor_p50=floor_anonymous,
    )
    measure(
        "effectiveness rating /statistics/rating/",
        get(anonymous, "/statistics/rating/"),
        floor_p50=floor_anonymous,
    )
    measure(
        "authority page /statistics/authorities/adm/",
        get(anonymous, "/statistics/authorities/adm/"),
        floor_p50=floor_anonymous,
    )

    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    builds = []
    for _ in range(3):
        started = time.perf_counter()
        reports.build(kind=Report.Kind.MONTHLY, start=last_month, force=True)
        builds.append(time.perf_counter() - started)
    print(
        f"monthly municipal report {last_month:%Y-%m} (compute, PDF, XLSX, store; "
        f"analytics.reports.build): median {statistics.median(builds):.2f} s of 3"
        f" (load {load():.2f})"
    )
    started = time.perf_counter()
    reports.compute(
        kind=Report.Kind.MONTHLY, start=last_month, end=reports.month_bounds(last_month)[1]
    )
    print(f"  of which the figures (reports.compute): {time.perf_counter() - started:.2f} s")

    # The incremental update: one appeal event, then the refresh the beat task runs (the
    # hourly open-and-overdue snapshot is timed apart: it is not part of every refresh).
    incremental("one appeal event", one_appeal_event)
    incremental("one event that changes figures (a reopening)", one_counted_event)
    once(
        "  the hourly open-and-overdue snapshot (rollup.snapshot_overdue)", rollup.snapshot_overdue
    )
    once(
        "  participation recount, its own beat task (services.refresh_participation)",
        rebuild_participation,
        unit="ms",
    )
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
