from django.core.management.base import BaseCommand

from analytics import services
from analytics.models import AppealDay, Participation


class Command(BaseCommand):
    help = "Rebuild the analytics rollup from the raw tables (set-based SQL, in one transaction)."

    def handle(self, *args, **options):
        services.rebuild_all()
        self.stdout.write(
            f"analytics: {AppealDay.objects.count()} day rows, "
            f"{Participation.objects.count()} participation rows"
        )
