"""The Celery app as the test worker runs it (``celery -A tests.notifications.worker_app``).

It is edem's app, with two changes: it knows the outbox tests' subscribers
(``tests/core/probe.py``), and its default queue is the test session's own
(``EDEM_TEST_CELERY_QUEUE``), so that what the worker itself queues (the sweep re-queueing
deliveries) comes back to it, and two test runs sharing one Redis never take each other's
tasks.
"""

import os

from edem.celery import app

app.conf.task_default_queue = os.environ["EDEM_TEST_CELERY_QUEUE"]
# The test subscribers of the event outbox (imported once Django is set up).
app.conf.imports = (*app.conf.imports, "tests.core.probe")

__all__ = ["app"]
