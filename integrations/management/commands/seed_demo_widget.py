"""The demo town's administration gets a website widget (run by ``seed_demo``; idempotent).

Its allowed origins are this machine's ports 8000 (where ``make run`` serves the portal) and
8001 (a host page served by ``python3 -m http.server 8001``: README, "The widget")."""

from django.core.management.base import BaseCommand

from cabinets.models import Cabinet
from integrations.models import WidgetSite
from integrations.widget.snippets import iframe_snippet, script_snippet

DEMO_KEY = "demo-adm"
DEMO_ORIGINS = "http://127.0.0.1:8000\nhttp://127.0.0.1:8001"


class Command(BaseCommand):
    help = "Give the demo administration a website widget and print the code to paste."

    def handle(self, *args, **options):
        cabinet = Cabinet.objects.filter(code="adm").first()
        if cabinet is None:
            self.stdout.write("No demo town: run seed_demo first.")
            return
        widget, _ = WidgetSite.objects.update_or_create(
            cabinet=cabinet,
            defaults={"key": DEMO_KEY, "allowed_origins": DEMO_ORIGINS, "is_active": True},
        )
        self.stdout.write(f"Website widget of {cabinet.name}: {script_snippet(widget)}")
        self.stdout.write(f"  or as a frame: {iframe_snippet(widget)}")
