# edem: the commands a developer needs. `make run` starts the demo portal, `make test` runs
# the suite (see README.md). Everything runs inside ./.venv, created on first use.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 0.0.0.0
PORT ?= 8000
ARGS ?=
CELERY_ARGS := -A edem worker -B -l info --concurrency 2 \
	--scheduler django_celery_beat.schedulers:DatabaseScheduler
COMPILEMESSAGES := $(MANAGE) compilemessages --ignore=.venv --ignore=var --ignore=node_modules --verbosity 0

.PHONY: help venv run test faults lint security messages migrations-check bench-throughput

help:
	@echo "make run               install into .venv, migrate, seed the demo town, start the portal"
	@echo "make test [ARGS=...]   run the test suite (PostgreSQL + Redis if they answer, else SQLite)"
	@echo "make faults            the fault suite: its own Redis, PostgreSQL, SMTP, worker, gunicorn (~3 min)"
	@echo "make lint              ruff check + ruff format --check + lint-imports (import rules)"
	@echo "make security          bandit: no finding of high severity in the portal's code"
	@echo "make messages          update and compile the ru/uk/en message catalogues"
	@echo "make migrations-check  fail if a model change has no migration"
	@echo "make bench-throughput  every page's req/s beside a floor page (DATABASE_URL: a seeded bench DB)"

# The virtual environment, reinstalled only when pyproject.toml is newer than the stamp.
venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

# Redis is used (a Celery worker with embedded beat in the background, tasks queued by the
# web process) when it answers at REDIS_URL; otherwise tasks run eagerly in the web process.
# Both processes get the same REDIS_URL, so the web process queues what the worker runs.
run: venv
	@mkdir -p var
	@$(COMPILEMESSAGES)
	@export SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	redis_url="$${REDIS_URL:-redis://127.0.0.1:6379/0}"; \
	if REDIS_URL="$$redis_url" $(PY) -c 'import os, redis; redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=1, socket_timeout=1).ping()' >/dev/null 2>&1; then \
		export REDIS_URL="$$redis_url"; \
		redis_up=1; \
	else \
		unset REDIS_URL; \
		redis_up=0; \
	fi; \
	$(MANAGE) migrate --noinput && \
	$(MANAGE) sync_beat_schedule && \
	$(MANAGE) seed_demo || exit $$?; \
	if [ "$$redis_up" = 1 ]; then \
		echo "Redis at $$REDIS_URL: starting a Celery worker with embedded beat (log: var/celery.log)"; \
		$(VENV)/bin/celery $(CELERY_ARGS) >>var/celery.log 2>&1 & \
		worker_pid=$$!; \
		trap 'kill -TERM $$worker_pid 2>/dev/null; wait $$worker_pid 2>/dev/null' EXIT; \
		trap 'exit 130' INT; \
		trap 'exit 143' TERM; \
	else \
		echo "Redis not reachable: Celery runs tasks eagerly in the web process"; \
	fi; \
	echo; \
	echo "edem is starting at $$SITE_URL/  (Ctrl-C stops it)"; \
	echo; \
	$(MANAGE) runserver $(HOST):$(PORT)

test: venv
	@$(COMPILEMESSAGES)
	@$(PY) scripts/runtests.py $(ARGS)

# The fault suite starts every server it needs itself (tests/faults/stack.py) on ports of its
# own, so it needs no running PostgreSQL or Redis, only their binaries.
faults: venv
	@EDEM_FAULTS=1 $(PY) -m pytest tests/faults -m faults $(ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

security: venv
	$(VENV)/bin/bandit -q -lll -c pyproject.toml -r edem cabinets appeals consultations analytics docker

messages: venv
	$(MANAGE) makemessages -l ru -l uk -l en --ignore=.venv --ignore=var --ignore=node_modules --no-obsolete
	$(COMPILEMESSAGES)

migrations-check: venv
	$(MANAGE) makemigrations --check --dry-run

# Throughput of every page under gunicorn and wrk, beside a floor page (bench/README.md).
bench-throughput: venv
	@$(COMPILEMESSAGES)
	$(PY) bench/throughput.py
