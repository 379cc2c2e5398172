import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo official (development only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("demo_totp is for the demo municipality, not for production.")
        authenticator = Authenticator.objects.filter(
            user__email__iexact=email, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            raise CommandError(f"{email} has no TOTP authenticator.")
        secret = decrypt(authenticator.data["secret"])
        counter = int(time.time()) // 30
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
