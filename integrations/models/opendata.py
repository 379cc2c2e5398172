"""Open311 clients and the open-data files (issue 14, points 3 and 4).

``Open311Client`` is an application registered by the administrator that may send service
requests to ``/open311/v2/requests``: its key is shown once, when it is made, and only its
SHA-256 hash is kept. ``OpenDataFile`` is the catalogue of the nightly dumps: one row per
dataset and format, rewritten by each dump, read by the ``/open-data/`` page.
"""

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX_LENGTH = 8


def hash_key(key):
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Open311ClientQuerySet(models.QuerySet):
    def by_key(self, key):
        """The active client with this key, or None."""
        if not key:
            return None
        return self.filter(key_hash=hash_key(key), is_active=True).first()


class Open311Client(models.Model):
    name = models.CharField(_("name"), max_length=200)
    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The cabinet that runs or vouches for the application, if any."),
    )
    identifies_citizens = models.BooleanField(
        _("identifies residents"),
        default=False,
        help_text=_(
            "The application signs residents in with their portal account, so that it may "
            "file appeals on their behalf (R2). Without this, its requests are refused."
        ),
    )
    key_prefix = models.CharField(_("key prefix"), max_length=KEY_PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = Open311ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def new_key(self):
        """A fresh key (the old one stops working); returned once, never stored."""
        key = secrets.token_urlsafe(32)
        self.key_prefix = key[:KEY_PREFIX_LENGTH]
        self.key_hash = hash_key(key)
        return key


class OpenDataFile(models.Model):
    dataset = models.CharField(_("dataset"), max_length=40)
    format = models.CharField(_("format"), max_length=10)
    path = models.CharField(_("file in the storage"), max_length=255)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    rows = models.BigIntegerField(_("rows"), default=0)
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)

    class Meta:
        verbose_name = _("open data file")
        verbose_name_plural = _("open data files")
        ordering = ["dataset", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "format"],
                name="opendata_file_unique",
                violation_error_message=_("This dataset already has a file in this format."),
            )
        ]

    def __str__(self):
        return f"{self.dataset}.{self.format}"
