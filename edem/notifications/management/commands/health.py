import json

from django.core.management.base import BaseCommand, CommandError

from edem.health import CHECKS, OK, run_checks


class Command(BaseCommand):
    help = (
        "Run the readiness checks (as /readyz/) and print them as JSON. With check names "
        "(e.g. `health beat`), fail unless each of them is ok: the health check of a container "
        "that has no HTTP port, such as beat. Without names, fail when the portal is unready."
    )

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", metavar="check", help=", ".join(CHECKS))

    def handle(self, *args, names=(), **options):
        unknown = sorted(set(names) - set(CHECKS))
        if unknown:
            raise CommandError(f"unknown check: {', '.join(unknown)} (known: {', '.join(CHECKS)})")
        report = run_checks(names or None)
        self.stdout.write(json.dumps(report, indent=2))
        if names:
            bad = [n for n in names if report["checks"][n]["status"] != OK]
            if bad:
                raise CommandError("not ok: " + ", ".join(bad))
        elif report["status"] == "unavailable":
            raise CommandError("unavailable")
