"""Throughput of every public and signed-in page beside a floor page, under gunicorn and wrk
(issue 15).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/edem_bench .venv/bin/python bench/throughput.py
    # or: make bench-throughput

On a database seeded by bench/seed_appeals.py (the demo consultations are added on the first
run if missing). Starts gunicorn (3 sync workers, the production profile with DEBUG off) with
the portal and, in the same server, a floor page (``bench/throughput_urls.py``: the whole
middleware stack, one query, one small template), then drives the floor and each page in turn
with wrk (same connections, same duration): floor, page, floor, page, ..., floor. A page's ratio
is its requests per second over the mean of the two floor runs beside it, so load drift on this
shared machine cancels out. The production profile redirects plain HTTP to HTTPS: wrk sends
``X-Forwarded-Proto: https``, as the proxy in front of gunicorn does.

Signed-in pages use sessions built server-side (``SessionStore``): the user's id, backend and
hash, and allauth's authentication records with the second factor for the official (what
``edem.accounts.mfa`` checks), so no sign-in form or TOTP code is needed.

The growth check (``BENCH_DB_100K``: a second database seeded with 100,000 appeals) runs in a
process per database: the work queue's first page with a filter and right after a change
(counts recomputed), the map JSON with the period and state filters with its cache emptied,
and the home page's month counts uncached; p50 over ``BENCH_REPEAT`` runs, the two databases
side by side.

Environment: ``BENCH_CONNECTIONS`` (8), ``BENCH_DURATION`` (seconds, 8), ``BENCH_PORT`` (8114),
``BENCH_WORKERS`` (3), ``BENCH_PAGES`` (comma-separated labels, all by default),
``BENCH_REPEAT`` (15), ``REDIS_URL`` (the cache; redis://127.0.0.1:6379/14 by default).
"""

import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-throughput-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
HOST = "127.0.0.1"
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
DURATION = int(os.environ.get("BENCH_DURATION", "8"))
PORT = int(os.environ.get("BENCH_PORT", "8114"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DEBUG": "0",
    "SECRET_KEY": SECRET,
    "ALLOWED_HOSTS": f"{HOST},localhost",
    "SITE_URL": f"https://{HOST}",
    "LOG_LEVEL": "WARNING",
    "EMAIL_URL": "",
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
    "CELERY_BROKER_URL": "memory://",
    "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
}


def load_average():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- in a child process, with Django: sessions, page addresses, growth figures -----------------


def django_setup():
    for key, value in PRODUCTION_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edem.settings")
    import django

    django.setup()


def session_cookie(user, *, second_factor):
    """A session as a sign-in leaves it (allauth's records, with the code for officials)."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    now = time.time()
    records = [{"method": "password", "at": now, "email": user.email}]
    if second_factor:
        records.append({"method": "mfa", "at": now, "type": "totp"})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def prepare():
    """Print the pages to drive as JSON: [label, path, cookie]."""
    django_setup()
    from django.core.management import call_command
    from django.urls import reverse

    from appeals.models import Appeal
    from appeals.problems.models import PublicProblem
    from consultations.petitions.models import Petition
    from consultations.polls.models import Poll
    from edem.accounts.models import User

    if not Petition.objects.exists() or not Poll.objects.exists():
        call_command("seed_demo_consultations", quiet=True)
    head = User.objects.get(email="mayor@demo.edem")
    appeal = Appeal.objects.filter(cabinet__code="adm").order_by("-pk").first()
    problem = PublicProblem.objects.order_by("-received_at").first()
    petition = Petition.objects.filter(status="collecting").first() or Petition.objects.first()
    poll = Poll.objects.filter(status="active").first() or Poll.objects.first()
    official = session_cookie(head, second_factor=True)
    citizen = session_cookie(appeal.author, second_factor=False)
    pages = [
        ["home", reverse("home"), ""],
        ["problem list", reverse("problems:list"), ""],
        ["problem page", reverse("problems:detail", args=[problem.pk]), ""],
        ["map page", reverse("map:index"), ""],
        ["map JSON", f"{reverse('map:problems_json')}?{map_box()}", ""],
        ["consultations hub", reverse("consultations:index"), ""],
        ["petition", reverse("petitions:detail", args=[petition.pk]), ""],
        ["poll", reverse("polls:detail", args=[poll.pk]), ""],
        ["news", reverse("cabinets:publication_list"), ""],
        ["citizen's cabinet", reverse("accounts:cabinet"), citizen],
        ["citizen's appeal", reverse("appeals:my_detail", args=[appeal.pk]), citizen],
        ["official's queue", reverse("appeals_service:queue"), official],
        ["official's card", reverse("appeals_service:card", args=[appeal.pk]), official],
    ]
    print(json.dumps(pages))


def map_box(zoom=12):
    """The whole town at city zoom (the demo territories' bounds)."""
    from edem.geo.models import Territory

    lons, lats = [], []
    for boundary in Territory.objects.exclude(boundary__isnull=True).values_list(
        "boundary", flat=True
    ):
        for ring in _rings(boundary):
            for lon, lat in ring:
                lons.append(lon)
                lats.append(lat)
    return f"bbox={min(lons):.4f},{min(lats):.4f},{max(lons):.4f},{max(lats):.4f}&zoom={zoom}"


def _rings(geometry):
    coordinates = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        return coordinates
    return [ring for polygon in coordinates for ring in polygon]


def growth():
    """p50 of the figures that must stay flat as the archive grows, on this database."""
    django_setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment

    from appeals.models import Appeal
    from appeals.problems import selectors as problems
    from appeals.problems.models import PublicState
    from appeals.selectors import bump_queue_version
    from edem.accounts.models import User
    from tests.helpers import record_second_factor

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    # The queue's figures are its queries at this size, not a copy of the page from the cache.
    settings.EDEM_PAGE_CACHE = False
    head = User.objects.get(email="mayor@demo.edem")
    staff = Client()
    staff.force_login(head)
    record_second_factor(staff, head)
    adm = Appeal.objects.filter(cabinet__code="adm").values_list("cabinet_id", flat=True)[:1][0]
    box = dict(part.split("=") for part in map_box().split("&"))
    bbox = tuple(float(x) for x in box["bbox"].split(","))

    def p50(fn):
        fn()
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    def queue(**params):
        def run():
            response = staff.get("/service/appeals/", params)
            assert response.status_code == 200, response.status_code

        return run

    def after_change():
        bump_queue_version(adm)
        queue()()

    def map_filtered(**filters):
        def run():
            cache.clear()
            problems.map_data(bbox, 12, filters, None)

        return run

    def month():
        cache.clear()
        problems.month_counts()

    anonymous = Client()  # one client: a new one loads the middleware (WhiteNoise scans)

    def reference():
        response = anonymous.get("/healthz/")  # the middleware, no query: the machine now
        assert response.status_code == 200, response.status_code

    figures = {
        "reference: /healthz/ (middleware only)": p50(reference),
        "queue, status filter": p50(queue(status="in_work")),
        "queue, 3 filters": p50(queue(status="in_work", kind="complaint", overdue="on")),
        "queue right after a change": p50(after_change),
        "map JSON, last 30 days, uncached": p50(map_filtered(period=30)),
        "map JSON, last 7 days + state, uncached": p50(
            map_filtered(period=7, state=PublicState.IN_WORK)
        ),
        "map JSON, state, uncached": p50(map_filtered(state=PublicState.ANSWERED)),
        "home month counts, uncached": p50(month),
    }
    print(json.dumps({"appeals": Appeal.objects.count(), "figures": figures}))


# --- the driver (no Django here) --------------------------------------------------------------


def child(mode, database_url):
    env = {**os.environ, **PRODUCTION_ENV, "DATABASE_URL": database_url}
    env["CACHE_KEY_PREFIX"] = f"bench-throughput-{uuid.uuid4().hex[:8]}"
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, mode], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode:
        sys.exit(f"{mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_gunicorn(database_url, port):
    env = {**os.environ, **PRODUCTION_ENV, "DATABASE_URL": database_url}
    env["DJANGO_SETTINGS_MODULE"] = "throughput_settings"
    env["CACHE_KEY_PREFIX"] = f"bench-throughput-{uuid.uuid4().hex[:8]}"
    log = open(ROOT / "var" / f"throughput-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "gunicorn", "edem.wsgi:application", "--pythonpath",
         str(ROOT / "bench"), "--bind", f"{HOST}:{port}", "--workers", str(WORKERS),
         "--timeout", "60", "--keep-alive", "75"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _ in range(120):
        try:
            fetch(port, "/healthz/", "")
            return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    sys.exit(f"gunicorn did not start: see var/throughput-{port}.log")


def fetch(port, path, cookie):
    request = urllib.request.Request(f"http://{HOST}:{port}{path}")  # noqa: S310
    request.add_header("X-Forwarded-Proto", "https")
    if cookie:
        request.add_header("Cookie", cookie)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status, response.read()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(port, path, cookie, connections=CONNECTIONS, duration=DURATION):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency",
               "-H", "X-Forwarded-Proto: https"]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(  # noqa: S603 - wrk on our own server
        [*command, f"http://{HOST}:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def collectstatic():
    """The production profile serves hashed static files from a manifest: build it once."""
    env = {**os.environ, **PRODUCTION_ENV, "DATABASE_URL": "sqlite:///:memory:"}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip


def throughput(database_url):
    collectstatic()
    pages = child("--prepare", database_url)
    wanted = os.environ.get("BENCH_PAGES")
    if wanted:
        pages = [page for page in pages if page[0] in wanted.split(",")]
    server = start_gunicorn(database_url, PORT)
    try:
        for label, path, cookie in pages:
            status, _body = fetch(PORT, path, cookie)
            if status != 200:
                sys.exit(f"{label}: {path} answers {status}")
            for _ in range(3):  # warm every worker's caches
                fetch(PORT, path, cookie)
        wrk(PORT, "/bench-floor/", "", duration=2)  # warm-up
        print(f"{CONNECTIONS} connections, {DURATION} s per run, {WORKERS} sync workers")
        print(f"load average before: {load_average()}")
        floor_before = wrk(PORT, "/bench-floor/", "")
        floors = [floor_before[0]]
        rows = []
        for label, path, cookie in pages:
            rps, p50, p99, errors = wrk(PORT, path, cookie)
            floor_after = wrk(PORT, "/bench-floor/", "")
            floors.append(floor_after[0])
            floor = (floor_before[0] + floor_after[0]) / 2
            rows.append((label, rps, p50, p99, rps / floor, errors))
            failed = f", {errors} non-2xx" if errors else ""
            print(
                f"{label}: {rps:.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
                f"{rps / floor:.2f} x floor ({floor:.0f} req/s){failed} (load {os.getloadavg()[0]:.2f})"
            )
            floor_before = floor_after
        print(
            f"floor: {statistics.median(floors):.0f} req/s median over {len(floors)} runs "
            f"(min {min(floors):.0f}, max {max(floors):.0f})"
        )
        print(f"load average after: {load_average()}")
    finally:
        server.terminate()
        server.wait()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--prepare":
        return prepare()
    if len(sys.argv) > 1 and sys.argv[1] == "--growth":
        return growth()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("bench/throughput.py needs PostgreSQL: set DATABASE_URL.")
    (ROOT / "var").mkdir(exist_ok=True)
    if os.environ.get("BENCH_SKIP_THROUGHPUT") != "1":
        throughput(database_url)
    small = os.environ.get("BENCH_DB_100K")
    if small:
        print(f"growth check (p50 over {REPEAT} runs; load {load_average()})")
        results = [child("--growth", small), child("--growth", database_url)]
        for label in results[0]["figures"]:
            a, b = (r["figures"][label] for r in results)
            print(
                f"{label}: {a:.1f} ms at {results[0]['appeals']} appeals, "
                f"{b:.1f} ms at {results[1]['appeals']}"
            )
        print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
