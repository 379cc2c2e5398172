"""Clients of the EDMS API (issue 14, point 1) and their webhook subscriptions' owner.

A client is a municipality's system (its EDMS, say) registered by the administrator: it acts
for the cabinets it is given, as the portal account named in ``acts_as`` (so every write goes
through the same services and the same role checks as that official's screens), within its
scopes and from its allowed addresses. Its token is shown once, when it is made or rotated;
only the SHA-256 hash and a short prefix (to tell tokens apart in the admin) are kept.
"""

import ipaddress
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .opendata import KEY_PREFIX_LENGTH, hash_key

TOKEN_PREFIX = "edem_"  # noqa: S105 (a marker, not a secret)


def validate_networks(value):
    """One address or network (CIDR) a line; an empty field allows every address."""
    for line in (value or "").split():
        try:
            ipaddress.ip_network(line, strict=False)
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not an IP address or network."),
                code="invalid",
                params={"value": line},
            ) from None


class ApiClient(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("Read appeals")
        WRITE = "write", _("Register and handle appeals")
        WEBHOOKS = "webhooks", _("Receive webhooks")

    name = models.CharField(_("name"), max_length=200)
    cabinets = models.ManyToManyField(
        "cabinets.Cabinet",
        verbose_name=_("cabinets"),
        related_name="+",
        help_text=_("The cabinets whose appeals the client may read and handle."),
    )
    acts_as = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The portal account the client works as: its roles in the cabinets decide what "
            "the client may do, and the history names it."
        ),
    )
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    allowed_ips = models.TextField(
        _("allowed addresses"),
        blank=True,
        validators=[validate_networks],
        help_text=_("One IP address or network (CIDR) a line; empty allows every address."),
    )
    rate_limit = models.PositiveIntegerField(
        _("requests a minute"),
        default=600,
        help_text=_("Calls beyond this number in a minute are refused with 429."),
    )
    token_prefix = models.CharField(
        _("token prefix"), max_length=KEY_PREFIX_LENGTH + len(TOKEN_PREFIX), editable=False
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    rotated_at = models.DateTimeField(_("token issued"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def new_token(self):
        """A fresh token (the old one stops working at once); returned once, never stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_prefix = token[: len(TOKEN_PREFIX) + KEY_PREFIX_LENGTH]
        self.token_hash = hash_key(token)
        self.rotated_at = timezone.now()
        return token

    def allows_address(self, ip):
        networks = (self.allowed_ips or "").split()
        if not networks:
            return True
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(n, strict=False) for n in networks)

    @classmethod
    def by_token(cls, token):
        """The active, unrevoked client with this token, or None."""
        if not token or not token.startswith(TOKEN_PREFIX):
            return None
        return (
            cls.objects.filter(token_hash=hash_key(token), is_active=True, revoked_at=None)
            .select_related("acts_as")
            .first()
        )
