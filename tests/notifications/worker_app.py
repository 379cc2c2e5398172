"""The Celery app as the test worker runs it (``celery -A tests.notifications.worker_app``).

It is edem's app, with one change: its default queue is the test session's own
(``EDEM_TEST_CELERY_QUEUE``), so that what the worker itself queues (the sweep re-queueing
deliveries) comes back to it, and two test runs sharing one Redis never take each other's
tasks.
"""

import os

from edem.celery import app

app.conf.task_default_queue = os.environ["EDEM_TEST_CELERY_QUEUE"]

__all__ = ["app"]
