from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from appeals.classifier_data import STARTER, ClassifierFileError, load, read
from appeals.models import ClassifierCode
from edem.core.jurisdiction import PROFILES, get_profile


class Command(BaseCommand):
    help = (
        "Load the topic classifier of citizens' appeals (R16) from a CSV file of code;name lines "
        "(the starter list of the profile when no file is given)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--profile", choices=sorted(PROFILES), default=None)
        parser.add_argument("--file", help="CSV file: code;name, one code a line")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Take codes that are not in the file out of use (they stay on old appeals).",
        )

    def handle(self, *args, profile=None, file=None, replace=False, **options):
        profile = profile or get_profile().code
        path = Path(file) if file else STARTER / f"{profile}.csv"
        try:
            pairs = read(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, ClassifierFileError) as error:
            raise CommandError(f"{path}: {error}") from error
        with transaction.atomic():
            created, updated = load(ClassifierCode, profile, pairs, deactivate_missing=replace)
        self.stdout.write(
            self.style.SUCCESS(f"Classifier {profile}: {created} codes added, {updated} updated.")
        )
