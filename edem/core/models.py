"""The kernel's own tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
