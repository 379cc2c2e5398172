"""Appeals benchmarks on the data of bench/seed_appeals.py (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/edem_bench .venv/bin/python bench/appeals.py

Prints one line per figure: the median (and p90) over REPEAT requests through the Django test
client, after a warm-up request, the number of SQL queries of the last request, its ratio to a
floor page measured in the same run (full middleware, one query, one small template, signed in
as the same user), and the one-minute load average.
Targets (issue #3 and issue 15, at 1M appeals): work queue p50 <= 50 ms in every state and flat
from 100k to 1M, appeal card <= 30 ms and <= 10 queries, reminder sweep <= 2 s.

The growth check runs the same figures on several databases, one after the other:

    BENCH_DATABASE_URLS=postgres://…/edem_bench_100k,postgres://…/edem_bench .venv/bin/python bench/appeals.py

``BENCH_SWEEP=0`` leaves out the reminder sweep (it writes reminders and mail).
"""

import os
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

if os.environ.get("BENCH_DATABASE_URLS"):  # the growth check: this script once per database
    for url in os.environ.pop("BENCH_DATABASE_URLS").split(","):
        print(f"== {url.rsplit('/', 1)[-1]}", flush=True)
        subprocess.run(  # noqa: S603 - this very script, with another database
            [sys.executable, __file__], env={**os.environ, "DATABASE_URL": url}, check=True
        )
    sys.exit(0)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edem.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import clear_url_caches, include, path  # noqa: E402

from appeals.models import Appeal, Reminder  # noqa: E402
from appeals.reminders import send_due_reminders  # noqa: E402
from appeals.selectors import bump_queue_version  # noqa: E402
from cabinets.models import Cabinet  # noqa: E402
from edem.accounts.models import User  # noqa: E402
from tests.helpers import record_second_factor  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "25"))
FLOOR_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="ru"><title>floor</title><p>{{ n }} {{ user.is_authenticated }}</p>'
)
FLOOR = {}


def floor(request):
    """The floor page: the whole middleware stack, one query, one small template."""
    n = Cabinet.objects.count()
    return HttpResponse(FLOOR_TEMPLATE.render({"n": n, "user": request.user}, request))


def mount_floor():
    urls = types.ModuleType("bench_appeals_urls")
    urls.urlpatterns = [path("bench-floor/", floor), path("", include(settings.ROOT_URLCONF))]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    clear_url_caches()


def measure(label, fn):
    fn()  # warm-up
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        fn()
    p50, p90 = statistics.median(times), statistics.quantiles(times, n=10)[-1]
    ratio = f", {p50 / FLOOR['p50']:.1f}x the floor" if FLOOR else ""
    print(
        f"{label}: p50 {p50:.1f} ms, p90 {p90:.1f} ms, {len(queries)} queries{ratio}"
        f" (load {os.getloadavg()[0]:.2f})",
        flush=True,
    )
    return p50


def get(client, url, **params):
    def run():
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)

    return run


def adm_category():
    return (
        Appeal.objects.filter(cabinet__code="adm", category__isnull=False)
        .values_list("category_id", flat=True)
        .first()
    )


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
    mount_floor()
    FLOOR["p50"] = measure("floor page, signed-in head", get(staff, "/bench-floor/"))
    measure("work queue, first page, no filter", get(staff, "/service/appeals/"))
    measure(
        "work queue, first page, 3 filters (status, kind, overdue)",
        get(staff, "/service/appeals/", status="in_work", kind="complaint", overdue="on"),
    )
    measure(
        "work queue, first page, all statuses, one topic",
        get(staff, "/service/appeals/", status="", category=adm_category()),
    )
    adm = Appeal.objects.filter(cabinet__code="adm").values_list("cabinet_id", flat=True)[:1][0]
    uncached = get(staff, "/service/appeals/")
    moving = (
        Appeal.objects.filter(cabinet_id=adm, status__in=["registered", "in_work"])
        .order_by("-pk")
        .values_list("pk", flat=True)[:1][0]
    )

    def after_a_change():
        # An appeal of the cabinet changes state (the database's counts follow in the same
        # statement) and the change bumps the cabinet's version, as the services do.
        status = Appeal.objects.filter(pk=moving).values_list("status", flat=True)[0]
        flipped = "in_work" if status == "registered" else "registered"
        Appeal.objects.filter(pk=moving).update(status=flipped)
        bump_queue_version(adm)
        uncached()

    measure("work queue, first page, no filter, right after a change", after_a_change)
    appeal = Appeal.objects.filter(cabinet__code="adm").order_by("-pk").first()
    measure(f"appeal card ({appeal.status})", get(staff, f"/service/appeals/{appeal.pk}/"))
    for status in ("received", "in_work"):
        other = Appeal.objects.filter(cabinet__code="adm", status=status).order_by("-pk").first()
        if other is not None:
            measure(f"appeal card ({status})", get(staff, f"/service/appeals/{other.pk}/"))
    author = appeal.author
    citizen = Client()
    citizen.force_login(author)
    measure("citizen's list of appeals", get(citizen, "/appeals/my/"))
    measure("citizen's appeal page", get(citizen, f"/appeals/my/{appeal.pk}/"))
    measure("citizen's cabinet", get(citizen, "/me/"))

    if os.environ.get("BENCH_SWEEP", "1") == "0":
        return
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
