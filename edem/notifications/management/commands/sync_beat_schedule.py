from celery import current_app
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask


class Command(BaseCommand):
    help = "Write the beat schedule declared in edem/celery.py into django-celery-beat's tables."

    @transaction.atomic
    def handle(self, *args, **options):
        # The project's Celery app (edem/celery.py) is the current one; asking it keeps this
        # app from importing the project module (an import-linter contract).
        schedule = {
            name: (entry["task"], int(entry["schedule"]))
            for name, entry in current_app.conf.beat_schedule.items()
        }
        for name, (task, seconds) in schedule.items():
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=int(seconds), period=IntervalSchedule.SECONDS
            )
            PeriodicTask.objects.update_or_create(
                name=name, defaults={"task": task, "interval": interval, "crontab": None}
            )
            self.stdout.write(f"{name}: {task} every {seconds}s")
        stale = PeriodicTask.objects.exclude(name__in=schedule).exclude(
            name="celery.backend_cleanup"
        )
        for task in stale.filter(task__startswith="edem."):
            self.stdout.write(f"disabled stale task {task.name}")
            task.enabled = False
            task.save(update_fields=["enabled"])
