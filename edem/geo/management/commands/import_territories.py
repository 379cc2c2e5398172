"""``manage.py import_territories FILE``: territories from a GeoJSON FeatureCollection, with
the same preview and checks as the admin's import page. Nothing is created while any feature
has a problem; ``--dry-run`` only shows the preview."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from edem.geo import imports
from edem.geo.models import Territory


class Command(BaseCommand):
    help = "Import territories from a GeoJSON FeatureCollection (preview, checks, then create)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the .geojson file")
        parser.add_argument(
            "--kind",
            default=Territory.Kind.DISTRICT,
            choices=Territory.Kind.values,
            help="kind of the features that do not give one (default: district)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be created, create nothing"
        )

    def handle(self, *args, file, kind, dry_run, **options):
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        plan = imports.read(text, default_kind=kind)
        for error in plan.errors:
            self.stderr.write(error)
        for item in plan.items:
            parent = item.parent_name or "-"
            self.stdout.write(f"{item.number}. {item.name or '-'} [{item.kind}] <- {parent}")
            for error in item.errors:
                self.stdout.write(f"   ! {error}")
        if not plan.ok:
            raise CommandError("Nothing imported: correct the problems above.")
        if dry_run:
            self.stdout.write("Dry run: nothing created.")
            return
        try:
            created = imports.create(plan)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{len(created)} territories imported."))
