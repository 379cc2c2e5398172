"""`make test` chooses the number of test processes (scripts/runtests.py)."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "runtests.py"


@pytest.fixture
def runtests():
    spec = importlib.util.spec_from_file_location("runtests_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_processes_on_the_real_services_of_a_two_core_machine(runtests, monkeypatch):
    monkeypatch.setenv("EDEM_TEST_SERVICES", "1")
    monkeypatch.delenv("EDEM_TEST_WORKERS", raising=False)
    monkeypatch.setattr(runtests.os, "cpu_count", lambda: 2)
    assert runtests.pytest_args(["-q"]) == ["-n", "2", "--dist", "loadfile", "-q"]


def test_one_process_on_sqlite_on_one_core_or_when_asked(runtests, monkeypatch):
    monkeypatch.delenv("EDEM_TEST_WORKERS", raising=False)
    monkeypatch.setattr(runtests.os, "cpu_count", lambda: 2)
    monkeypatch.setenv("EDEM_TEST_SERVICES", "0")
    assert runtests.pytest_args(["-q"]) == ["-q"]
    monkeypatch.setenv("EDEM_TEST_SERVICES", "1")
    monkeypatch.setattr(runtests.os, "cpu_count", lambda: 1)
    assert runtests.pytest_args(["-q"]) == ["-q"]
    monkeypatch.setattr(runtests.os, "cpu_count", lambda: 2)
    monkeypatch.setenv("EDEM_TEST_WORKERS", "1")
    assert runtests.pytest_args(["-q"]) == ["-q"]


def test_an_explicit_n_wins(runtests, monkeypatch):
    monkeypatch.setenv("EDEM_TEST_SERVICES", "1")
    monkeypatch.setenv("EDEM_TEST_WORKERS", "3")
    assert runtests.pytest_args(["-n", "4"]) == ["-n", "4"]
    assert runtests.pytest_args([])[:2] == ["-n", "3"]
