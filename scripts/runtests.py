"""Run the test suite on the best environment this machine offers (called by `make test`).

PostgreSQL at DATABASE_URL and Redis at REDIS_URL (defaults: the local servers) are used when
both answer; otherwise the suite falls back to SQLite and eager Celery, and the tests that need
the real services are skipped. With EDEM_REQUIRE_SERVICES=1 (set by .ci/run) a missing service
is an error instead. The first line printed says which environment was chosen. Remaining
arguments go to pytest. On the real services the suite runs in two processes (pytest-xdist, one
test file per process at a time) when the machine has two cores; EDEM_TEST_WORKERS=N sets the
number (0 or 1: one process).
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/edem"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
SQLITE_URL = f"sqlite:///{VAR / 'test.sqlite3'}"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql"}


def _where_postgres(url):
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}"


def _where_redis(url):
    parts = urlsplit(url)
    db = parts.path.strip("/") or "0"
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}/{db}"


def probe_postgres(url):
    """None when the server at ``url`` accepts a connection, else the reason why not."""
    parts = urlsplit(url)
    if parts.scheme not in POSTGRES_SCHEMES:
        return f"DATABASE_URL is not a PostgreSQL URL ({parts.scheme}://)"
    try:
        import psycopg2
    except ImportError as error:
        return f"psycopg2 is not installed ({error})"
    try:
        connection = psycopg2.connect(
            host=parts.hostname or None,
            port=parts.port or 5432,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            dbname="postgres",
            connect_timeout=2,
        )
    except Exception as error:  # any failure means "not usable here"
        return f"PostgreSQL at {_where_postgres(url)}: {_first_line(error)}"
    connection.close()
    return None


def probe_redis(url):
    """None when Redis at ``url`` answers PING, else the reason why not."""
    try:
        import redis
    except ImportError as error:
        return f"the redis package is not installed ({error})"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        client.close()
    except Exception as error:
        return f"Redis at {_where_redis(url)}: {_first_line(error)}"
    return None


def _first_line(error):
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0].rstrip(".")


def media_root():
    """A fresh MEDIA_ROOT under var/test-media; directories of old runs (over a day) go."""
    base = VAR / "test-media"
    base.mkdir(parents=True, exist_ok=True)
    for old in base.iterdir():
        try:
            if old.is_dir() and time.time() - old.stat().st_mtime > 86400:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
    return tempfile.mkdtemp(prefix="run-", dir=base)


def default_workers():
    """Two processes on the real services when the machine has two cores or more: the browser
    tests wait on Chromium and the live server, the rest on PostgreSQL, so two processes halve
    the wall time on CI's two cores. SQLite (the quick local loop) stays in one process."""
    if os.environ.get("EDEM_TEST_SERVICES") != "1" or (os.cpu_count() or 1) < 2:
        return ""
    return "2"


def pytest_args(argv):
    args = list(argv)
    workers = os.environ.get("EDEM_TEST_WORKERS", default_workers()).strip()
    passed_n = any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in args)
    if workers and workers not in ("0", "1") and not passed_n:
        if importlib.util.find_spec("xdist") is None:
            print(f"edem tests: EDEM_TEST_WORKERS={workers} needs pytest-xdist", flush=True)
            return None
        args = ["-n", workers, "--dist", "loadfile", *args]
    return args


def venv_python():
    candidate = ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def main(argv):
    os.chdir(ROOT)
    VAR.mkdir(exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL

    failures = [f for f in (probe_postgres(database_url), probe_redis(redis_url)) if f]
    if not failures:
        os.environ.update(
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            CELERY_BROKER_URL=redis_url,
            EDEM_TEST_SERVICES="1",
        )
        print(
            f"edem tests: PostgreSQL at {_where_postgres(database_url)} and Redis at "
            f"{_where_redis(redis_url)} (real services)",
            flush=True,
        )
    elif os.environ.get("EDEM_REQUIRE_SERVICES") == "1":
        print(
            "edem tests: EDEM_REQUIRE_SERVICES=1 but " + "; ".join(failures) + ": not running",
            flush=True,
        )
        return 2
    else:
        # Empty rather than unset: settings also read a .env file, which must not bring a
        # broker or a server back in.
        os.environ.update(
            DATABASE_URL=SQLITE_URL,
            REDIS_URL="",
            CELERY_BROKER_URL="",
            EDEM_TEST_SERVICES="0",
        )
        print(
            "edem tests: PostgreSQL/Redis not reachable ("
            + "; ".join(failures)
            + "): falling back to SQLite + eager Celery; tests that need the real services"
            " are skipped",
            flush=True,
        )

    # The fast hasher is for hashing speed in tests, never for real passwords.
    os.environ.update(EDEM_FAST_PASSWORD_HASHER="1", DJANGO_ENV="development")  # noqa: S106
    os.environ.setdefault("DEBUG", "0")
    # Tests never send real mail, whatever a developer's shell or .env says.
    os.environ["EMAIL_URL"] = ""
    media = os.environ["MEDIA_ROOT"] = media_root()

    extra = pytest_args(argv)
    if extra is None:
        return 2
    process = subprocess.Popen([venv_python(), "-m", "pytest", *extra])  # noqa: S603
    while True:
        try:
            code = process.wait()
            break
        except KeyboardInterrupt:
            continue  # pytest got the Ctrl-C too; it stops and reports
    shutil.rmtree(media, ignore_errors=True)
    if code == 5:
        print("edem tests: FAILED: pytest collected no tests (exit code 5)", flush=True)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
