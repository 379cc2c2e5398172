"""The kernel's own tables."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """One use of a form: the random token rendered into it, who sent it, what it did (``scope``)
    and what it created. The unique constraint on the token is what makes a double submit
    create one object: the second insert waits for the first transaction and then fails, and the
    second request finds the stored result (``edem.core.idempotency``)."""

    token = models.CharField(_("token"), max_length=64)
    scope = models.CharField(_("action"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("type of the result"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("id of the result"), null=True, blank=True)
    result = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("used"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [
            models.UniqueConstraint(fields=["token"], name="core_idempotency_token_unique")
        ]

    def __str__(self):
        return f"{self.scope} {self.token}"
