"""The portal's whole stack, started by the fault suite in a temporary directory.

Each piece is a real server of its own, on its own port, so a fault can be injected into it
without touching the developer's (or CI's) PostgreSQL and Redis:

- Redis (``redis-server``), the broker and the cache;
- a PostgreSQL cluster (``initdb`` + ``pg_ctl`` from /usr/lib/postgresql/*/bin; as root the
  cluster belongs to the ``postgres`` user, since initdb refuses root);
- an SMTP sink (aiosmtpd, in this process) that keeps every message and can be told to be slow
  to answer;
- a Celery worker (``--pool solo``: one process, so killing it kills the delivery in flight);
- the portal under gunicorn.

Settings: the development profile with ``DEBUG=0``. The production profile would add only
transport security (HTTPS redirect, Secure cookies, HSTS), which a plain-HTTP harness without
a TLS proxy cannot honour without faking it; error handling, templates, the cache, the broker,
the outbox and the database behave the same with DEBUG off.
"""

import contextlib
import email
import glob
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email import policy
from pathlib import Path

import psycopg2
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: one line per connection

# Port ranges reserved for this suite (a free one is picked in each).
REDIS_PORTS = range(6391, 6400)
POSTGRES_PORTS = range(5441, 5450)
SMTP_PORTS = range(2525, 2531)
WEB_PORTS = range(8181, 8190)


def free_port(candidates):
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {candidates.start}-{candidates.stop - 1}")


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def port_open(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("initdb not found (install postgresql)")


def _version_key(path):
    part = path.split("/")[4]
    return int(part) if part.isdigit() else 0


# --- SMTP sink ------------------------------------------------------------------------------


class SmtpSink:
    """Keeps every message; with ``delay`` set, holds the answer to DATA that long *after*
    taking the message, as a slow server does (the sender cannot know it was taken)."""

    def __init__(self, port):
        self.port = port
        self.delay = 0.0
        self.messages = []  # parsed messages, in arrival order
        self.arrived = threading.Condition()
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def count(self):
        with self.arrived:
            return len(self.messages)

    def wait_arrivals(self, ids, n, timeout):
        """Wait until ``n`` messages of the outbox rows ``ids`` have arrived."""
        ids = {str(pk) for pk in ids}

        def arrived():
            return sum(1 for m in self.messages if m.get("X-Edem-Notification") in ids) >= n

        with self.arrived:
            if not self.arrived.wait_for(arrived, timeout):
                raise TimeoutError(f"fewer than {n} mails of {sorted(ids)} arrived in {timeout} s")

    def by_notification(self):
        """notification id -> list of Message-IDs received for it."""
        with self.arrived:
            messages = list(self.messages)
        result = {}
        for message in messages:
            key = message.get("X-Edem-Notification")
            if key:
                result.setdefault(int(key), []).append(str(message.get("Message-ID", "")))
        return result

    def start(self):
        self._controller.start()

    def stop(self):
        self._controller.stop()


# --- The stack --------------------------------------------------------------------------------


class Stack:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="edem-faults-"))
        self.redis_port = free_port(REDIS_PORTS)
        self.pg_port = free_port(POSTGRES_PORTS)
        self.smtp_port = free_port(SMTP_PORTS)
        self.web_port = free_port(WEB_PORTS)
        self.pg_bin = postgres_bin()
        self.pg_data = self.dir / "pgdata"
        self.as_postgres = os.geteuid() == 0
        self.redis = None
        self.worker = None
        self.web = None
        self.sink = SmtpSink(self.smtp_port)
        self.logs = self.dir / "logs"
        self.logs.mkdir()
        self._log_files = {}
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "edem.settings",
            "DJANGO_ENV": "development",
            "DEBUG": "0",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/edem_faults",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "EMAIL_TIMEOUT": "30",
            # The sweep (beat's job every minute) takes rows older than this.
            "EDEM_NOTIFICATION_SWEEP_AGE": "2",
            "MEDIA_ROOT": str(self.dir / "media"),
            "SITE_URL": f"http://127.0.0.1:{self.web_port}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
            "EDEM_TEST_SERVICES": "",
            "EDEM_FAST_PASSWORD_HASHER": "",  # the real hasher, as in production
        }

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.web_port}"

    def log(self, name):
        """The log file of one server, opened once (and closed by ``stop``)."""
        if name not in self._log_files:
            self._log_files[name] = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115
        return self._log_files[name]

    # -- Redis
    def start_redis(self):
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],  # fmt: skip
            stdout=self.log("redis"),
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: port_open(self.redis_port), 15, "Redis")

    def stop_redis(self):
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(timeout=10)
        wait_for(lambda: not port_open(self.redis_port), 10, "Redis to stop")

    # -- PostgreSQL
    def _pg(self, *args):
        command = [str(self.pg_bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=self.log("postgres"), stderr=subprocess.STDOUT)

    def init_postgres(self):
        self.pg_data.mkdir()
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.pg_data, "postgres")
            shutil.chown(self.logs, "postgres")
        self._pg("initdb", "-D", str(self.pg_data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start_postgres()
        connection = psycopg2.connect(host="127.0.0.1", port=self.pg_port, user="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("CREATE DATABASE edem_faults")
        connection.close()

    def start_postgres(self):
        options = (
            f"-p {self.pg_port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._pg(
            "pg_ctl", "-D", str(self.pg_data), "-o", options,
            "-l", str(self.logs / "postgres-server.log"), "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop_postgres(self, mode="fast"):
        self._pg("pg_ctl", "-D", str(self.pg_data), "-m", mode, "-w", "-t", "30", "stop")

    def sql(self, query, params=()):
        connection = psycopg2.connect(
            host="127.0.0.1", port=self.pg_port, user="postgres", dbname="edem_faults"
        )
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()

    # -- Django
    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
            )
        return result.stdout

    def sweep(self):
        """What beat runs every minute: re-queue (or deliver) the outbox rows still pending."""
        return self.manage(
            "shell", "-c", "from edem.notifications.services import sweep; print(sweep())"
        )

    def start_worker(self):
        self.worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "edem",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"faults-{time.monotonic_ns()}@%h",
            ],  # fmt: skip
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        ready = threading.Event()
        log = self.log("worker")

        def read(process=self.worker):
            for line in process.stdout:
                log.write(line.encode())
                log.flush()
                if " ready." in line:
                    ready.set()
            process.stdout.close()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(60):
            self.worker.kill()
            raise RuntimeError("the Celery worker was not ready within 60 s")

    def kill_worker(self):
        """SIGKILL: the worker gets no chance to finish or hand back what it holds."""
        if self.worker and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGKILL)
            self.worker.wait(timeout=10)

    def stop_worker(self):
        if self.worker and self.worker.poll() is None:
            self.worker.terminate()
            try:
                self.worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill_worker()

    def start_web(self):
        self.web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "edem.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],  # fmt: skip
            cwd=ROOT,
            env=self.env,
            stdout=self.log("gunicorn"),
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: port_open(self.web_port), 60, "gunicorn")

    def stop_web(self):
        if self.web and self.web.poll() is None:
            self.web.terminate()
            try:
                self.web.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.web.kill()
                self.web.wait(timeout=5)

    # -- Whole
    def start(self):
        self.sink.start()
        self.start_redis()
        self.init_postgres()
        self.manage("migrate", "--noinput")
        self.manage("seed_demo", "--quiet")  # the town, its people, demo appeals and topics
        self.start_worker()
        self.start_web()

    def stop(self):
        for step in (self.stop_web, self.stop_worker, self.stop_redis, self.sink.stop):
            with contextlib.suppress(Exception):
                step()
        with contextlib.suppress(Exception):
            self.stop_postgres("immediate")
        for handle in self._log_files.values():
            handle.close()
        if not os.environ.get("EDEM_FAULTS_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)
