from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Notification(models.Model):
    """One message in the outbox.

    Created by ``notify()`` inside the business transaction that causes it, delivered by a
    Celery task after commit, redelivered by the periodic sweep if the broker or the mail server
    was down. Status changes only under a row lock, so delivery is idempotent.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("notification status", "Pending")
        SENT = "sent", pgettext_lazy("notification status", "Sent")
        FAILED = "failed", pgettext_lazy("notification status", "Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=5, default="ru")
    template = models.CharField(
        _("template"),
        max_length=200,
        help_text=_("Name of the mail template trio: <name>.subject.txt, <name>.txt, <name>.html."),
    )
    context = models.JSONField(_("context"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    # Files sent with the message: [{"name": <name in the default storage>, "filename": ...,
    # "mimetype": ...}], read at delivery (a signed letter, R12).
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # Extra headers of the message: the gateway's Reply-To to an external body, the
    # "Auto-Submitted" of an auto-reply (RFC 3834).
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    key = models.CharField(
        _("idempotency key"),
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The same key never produces a second message."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="notification_outbox_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent", "failed"]),
                name="notification_status_valid",
                violation_error_message=_("Choose one of the listed statuses."),
            )
        ]

    def __str__(self):
        return f"{self.template} → {self.email}"
