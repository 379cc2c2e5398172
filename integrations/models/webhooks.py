"""Webhooks of the EDMS API clients (issue 14, point 2): what a client subscribes to, each
delivery of an event to a subscription (an outbox row), and each attempt with its response.

A subscription's secret signs every delivery (``integrations.webhooks.signing``). It has to be
kept readable to sign, so it is never shown again after it is made or rotated; during the
grace period after a rotation the previous secret signs too, so that the client can switch
without losing a message.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..webhooks.catalogue import EVENT_TYPES
from .api import ApiClient

# The longest part of a response's body kept with an attempt.
RESPONSE_EXCERPT = 2000


class WebhookSubscription(models.Model):
    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("API client"),
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_("The client's address that receives the events (HTTPS in production)."),
    )
    event_types = models.JSONField(_("events"), default=list, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    previous_secret = models.CharField(
        _("previous secret"), max_length=100, blank=True, default="", editable=False
    )
    previous_secret_until = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True, editable=False
    )
    secret_rotated_at = models.DateTimeField(
        _("secret issued"), default=timezone.now, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["client__name", "url", "pk"]

    def __str__(self):
        return f"{self.client} → {self.url}"

    def clean(self):
        super().clean()
        unknown = sorted(set(self.event_types or []) - set(EVENT_TYPES))
        if unknown:
            raise ValidationError(
                {"event_types": _("Unknown events: %(names)s.") % {"names": ", ".join(unknown)}}
            )
        if self.client_id and ApiClient.Scope.WEBHOOKS not in (self.client.scopes or []):
            raise ValidationError(
                {"client": _("This client has no “Receive webhooks” scope: give it that first.")}
            )

    def signing_secrets(self, now=None):
        """The secrets that sign a delivery now: the current one, and the previous one while
        its grace period lasts."""
        now = now or timezone.now()
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            secrets.append(self.previous_secret)
        return secrets


class WebhookDelivery(models.Model):
    """One event to send to one subscription (the webhooks' outbox)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("webhook delivery status", "Pending")
        DELIVERED = "delivered", pgettext_lazy("webhook delivery status", "Delivered")
        FAILED = "failed", pgettext_lazy("webhook delivery status", "Failed")

    uuid = models.UUIDField(_("message id"), default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event_id = models.UUIDField(_("event id"))
    event_type = models.CharField(_("event"), max_length=60)
    occurred_at = models.DateTimeField(_("occurred"))
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"],
                name="webhook_delivery_once_per_event",
                violation_error_message=_("This event is already queued for this subscription."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "delivered", "failed"]),
                name="webhook_delivery_status_valid",
                violation_error_message=_("Choose one of the listed delivery statuses."),
            ),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.subscription.url}"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: what the receiver answered, or why nothing came back."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        verbose_name=_("delivery"),
        on_delete=models.CASCADE,
        related_name="attempt_log",
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("sent"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_excerpt = models.TextField(_("response (beginning)"), blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number", "pk"]

    def __str__(self):
        return f"#{self.number}: {self.status_code or self.error[:60]}"
