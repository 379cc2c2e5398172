"""Load the demo municipality (fixtures/demo_town.json). Idempotent: running it again updates
the same rows and creates nothing twice."""

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cabinets import services
from cabinets.models import Cabinet, ExternalBody, Publication
from edem.core.i18n import translated_values
from edem.geo.models import Territory

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo_town.json"


DEMO_COMMANDS = (
    "seed_demo_appeals",
    "seed_demo_consultations",
    "seed_demo_analytics",
    "seed_demo_initiatives",
    "seed_demo_widget",
)


class Command(BaseCommand):
    help = (
        "Load the demo municipality: territories, cabinets, staff for every role, citizens, news."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo logins.")
        parser.add_argument(
            "--bare",
            action="store_true",
            help="Only the town, its authorities and people: no demo appeals or consultations.",
        )

    def handle(self, *args, quiet=False, bare=False, **options):
        data = json.loads(FIXTURE.read_text(encoding="utf-8"))
        with transaction.atomic():
            self._site()
            territories = self._territories(data["territories"])
            users = self._users(data, territories)
            cabinets = self._cabinets(data["cabinets"], users, data.get("positions", {}))
            self._staff_mfa(data, cabinets, users)
            self._publications(data["publications"], cabinets, territories, users)
            self._external_bodies(data.get("external_bodies", []))
        # The other apps' demo content, by command name (cabinets imports none of them).
        available = get_commands()
        for name in () if bare else DEMO_COMMANDS:
            if name in available:
                call_command(name, stdout=self.stdout if not quiet else StringIO())
        if not quiet:
            self._print_logins(data, cabinets)

    def _site(self):
        domain = urlsplit(settings.SITE_URL).netloc or "localhost:8000"
        Site.objects.update_or_create(
            pk=settings.SITE_ID, defaults={"domain": domain, "name": "edem"}
        )

    def _external_bodies(self, rows):
        """Bodies outside the portal that appeals are forwarded to by e-mail (the gateway)."""
        for row in rows:
            ExternalBody.objects.update_or_create(
                name=row["name"],
                defaults={
                    "kind": row["kind"],
                    "email": row["email"],
                    "postal_address": row.get("postal_address", ""),
                    "is_active": True,
                },
            )

    def _territories(self, rows):
        result = {}
        for row in rows:
            territory, _ = Territory.objects.update_or_create(
                name_ru=row["name"],
                defaults={
                    "kind": row["kind"],
                    "boundary": row["boundary"],
                    **translated_values(row, "name"),
                },
            )
            result[row["name"]] = territory
        return result

    def _users(self, data, territories):
        User = get_user_model()
        result = {}
        for row in data["users"]:
            defaults = {
                "last_name": row["last_name"],
                "first_name": row["first_name"],
                "patronymic": row.get("patronymic", ""),
                "postal_address": row.get("postal_address", ""),
                "phone": row.get("phone", ""),
                "language": row.get("language", "ru"),
                "territory": territories.get(row.get("territory")),
                "is_staff": bool(row.get("superuser")),
                "is_superuser": bool(row.get("superuser")),
            }
            if row.get("citizen"):
                defaults |= {
                    "verification_level": User.Verification.RESIDENT,
                    "verified_at": timezone.now(),
                    "verification_note": "Demo: passport seen at the service centre",
                }
            user, created = User.objects.update_or_create(email=row["email"], defaults=defaults)
            if created or not user.has_usable_password():
                user.set_password(data["password"])
                user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            result[row["email"]] = user
        return result

    def _cabinets(self, rows, users, positions):
        result = {}
        for row in rows:
            head_email = next((m[0] for m in row["members"] if m[1] == "head"), None)
            cabinet, _ = Cabinet.objects.update_or_create(
                code=row["code"],
                defaults={
                    **translated_values(
                        row, "name", "short_name", "address", "office_hours", "description"
                    ),
                    "kind": row["kind"],
                    "parent": result.get(row.get("parent")),
                    "email": row.get("email", ""),
                    "phone": row.get("phone", ""),
                    "head": users.get(head_email),
                },
            )
            for email, role, position in row["members"]:
                membership = services.add_membership(
                    cabinet=cabinet, user=users[email], role=role, position=position
                )
                # The position in the other languages (the "positions" table of the fixture).
                other = {
                    f"position_{code}": text
                    for code, text in positions.get(position, {}).items()
                    if getattr(membership, f"position_{code}", None) != text
                }
                if other:
                    type(membership).objects.filter(pk=membership.pk).update(**other)
            result[row["code"]] = cabinet
        return result

    def _staff_mfa(self, data, cabinets, users):
        """Demo officials share one known TOTP secret, so that anyone can try the service
        cabinet: add it to an authenticator app, or run ``manage.py demo_totp EMAIL``."""
        emails = [email for row in data["cabinets"] for email, _role, _position in row["members"]]
        # The administrator too: staff and superusers enter the admin with a second factor.
        emails += [row["email"] for row in data["users"] if row.get("superuser")]
        for email in emails:
            user = users[email]
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, data["totp_secret"])
                RecoveryCodes.activate(user)

    def _publications(self, rows, cabinets, territories, users):
        now = timezone.now()
        for row in rows:
            cabinet = cabinets[row["cabinet"]]
            publication, _ = Publication.objects.update_or_create(
                cabinet=cabinet,
                title_ru=row["title"],
                defaults={
                    **translated_values(row, "title", "summary", "body"),
                    "kind": row["kind"],
                    "territory": territories.get(row.get("territory")),
                    "status": Publication.Status.PUBLISHED,
                    "published_at": now - timedelta(days=row.get("days_ago", 0)),
                    "author": cabinet.head,
                },
            )
            publication.render_body()  # the HTML of each language's text
            publication.save()

    def _print_logins(self, data, cabinets):
        out = self.stdout.write
        out(self.style.SUCCESS(f"Demo municipality «{data['municipality']}» is loaded."))
        out(f"Every demo account has the password: {data['password']}")
        out("Citizens:")
        for row in data["users"]:
            if row.get("citizen"):
                out(f"  {row['email']:32} {row['last_name']} {row['first_name']}")
        out("Officials (service cabinet; second factor required):")
        for row in data["cabinets"]:
            for email, role, _position in row["members"]:
                out(f"  {email:32} {role:10} {cabinets[row['code']].short_name}")
        out("Administrator (Django admin at /admin/; second factor required):")
        out("  admin@demo.edem")
        out(f"Officials' TOTP secret (add it to an authenticator app): {data['totp_secret']}")
        out("  or print the current code: python manage.py demo_totp mayor@demo.edem")
