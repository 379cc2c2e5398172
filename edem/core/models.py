"""The kernel's own tables."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


class EventDelivery(models.Model):
    """One domain event to deliver to one subscriber (the event outbox).

    Written by ``events.publish`` in the same transaction as the change that caused the event;
    delivered after commit, retried with a back-off by a Celery task and by the beat's sweep.
    A row is claimed with a conditional update before its handler runs, so two runs never both
    handle it."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("event delivery status", "Pending")
        DONE = "done", pgettext_lazy("event delivery status", "Delivered")
        FAILED = "failed", pgettext_lazy("event delivery status", "Failed")

    event_type = models.CharField(_("event"), max_length=80)
    payload = models.JSONField(_("data"), default=dict)
    subscriber = models.CharField(_("subscriber"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event outbox")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="event_outbox_due_idx"),
            models.Index(fields=["subscriber", "status"], name="event_outbox_subscriber_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "done", "failed"]),
                name="event_delivery_status_valid",
            )
        ]

    def __str__(self):
        return f"{self.event_type} → {self.subscriber}"
