"""The fault suite: the whole stack started here (see stack.py), one fault injected per test.

Run with ``make faults`` (CI calls it after ``make test``). Under plain ``make test`` the
tests are skipped: they start their own servers and take a few minutes.

Each test records one row of counts (sent / saved / delivered / duplicated / 5xx); the table
is printed at the end of the run and written to ``var/faults-report.txt``.
"""

import os
from pathlib import Path

import pytest

from .stack import Stack

RESULTS = []  # (fault, sent, saved, delivered, duplicated, 5xx, note)
ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    enabled = os.environ.get("EDEM_FAULTS") == "1"
    skip = pytest.mark.skip(reason="the fault suite runs with `make faults` (EDEM_FAULTS=1)")
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.faults)
            if not enabled:
                item.add_marker(skip)


def record(fault, *, sent, saved, delivered, duplicated, server_errors, note=""):
    RESULTS.append((fault, sent, saved, delivered, duplicated, server_errors, note))


def table():
    header = ("fault", "sent", "saved", "delivered", "duplicated", "5xx", "note")
    rows = [header, *[tuple("" if v is None else str(v) for v in row) for row in RESULTS]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    text = table()
    terminalreporter.section("fault suite: counts")
    terminalreporter.write_line(text)
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "faults-report.txt").write_text(text + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def stack():
    stack = Stack()
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(autouse=True)
def _stack_healthy(request):
    """Every test starts on a whole stack: a test that failed mid-fault is not allowed to leave
    Redis stopped or the worker dead for the next one."""
    yield
    if "stack" not in request.fixturenames:
        return
    stack = request.getfixturevalue("stack")
    stack.sink.delay = 0.0
    if stack.redis is None or stack.redis.poll() is not None:
        stack.start_redis()
    if stack.worker is None or stack.worker.poll() is not None:
        stack.start_worker()
