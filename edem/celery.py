"""The Celery app and the one place where the beat schedule is declared.

The schedule is written into django-celery-beat's tables by ``manage.py
sync_beat_schedule`` (run by ``make run`` and the beat container), so that
administrators can see and pause the periodic tasks in the admin.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edem.settings")

app = Celery("edem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# name -> (task, every N seconds)
BEAT_SCHEDULE = {
    "open data: the nightly dump (once a local day)": (
        "integrations.opendata_tasks.dump_open_data",
        3600,
    ),
    "notifications: redeliver the unsent": ("edem.notifications.tasks.sweep_outbox", 60),
    "events: deliver what subscribers have not taken": ("edem.core.tasks.sweep_events", 60),
    "webhooks: send what is due (retries, broker outages)": (
        "integrations.webhooks.sweep_webhooks",
        60,
    ),
    "analytics: fold recent history into the rollup": ("analytics.tasks.refresh_rollup", 300),
    "analytics: recount participation": ("analytics.tasks.refresh_participation", 300),
    "analytics: statutory reports of the past month and quarter": (
        "analytics.tasks.build_statutory_reports",
        3600,
    ),
    "appeals: deadline reminders and escalation": ("appeals.tasks.send_deadline_reminders", 3600),
    "appeals: daily digest of new work for officials": (
        "appeals.tasks.send_new_work_digests",
        3600,
    ),
    "budgets: phases by date": ("consultations.budgets.tasks.advance_budget_cycles", 3600),
    "discussions: open and close by the calendar": (
        "consultations.discussions.tasks.run_discussion_calendar",
        300,
    ),
    "petitions: by date": ("consultations.petitions.tasks.run_petitions_by_date", 3600),
    "polls: open and close polls by date": ("consultations.polls.tasks.advance_polls", 300),
    "problems: daily digest of area subscriptions": (
        "appeals.community.tasks.send_area_digests",
        3600,
    ),
    "gateway: read the mailbox (replies of external bodies, citizens' mail, bounces)": (
        "integrations.tasks.poll_gateway",
        60,
    ),
    "reception: reminders the day before": (
        "appeals.reception.tasks.send_reception_reminders",
        3600,
    ),
    "API: forget old idempotency keys": (
        "integrations.api.tasks.purge_idempotency_keys",
        86400,
    ),
}
app.conf.beat_schedule = {
    name: {"task": task, "schedule": float(seconds)}
    for name, (task, seconds) in BEAT_SCHEDULE.items()
}
