"""New work for officials: one row per person and appeal that arrived in their queue or was
assigned to them (``services.new_work``). A person who chose a mail for each is mailed at once
and the row is marked sent; one who chose the daily digest gets the unsent rows in one mail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .appeal import Appeal


class WorkNotice(models.Model):
    class Reason(models.TextChoices):
        ARRIVED = "arrived", _("Arrived in the cabinet's queue")
        ASSIGNED = "assigned", _("Assigned to you")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="work_notices",
    )
    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="work_notices"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    # The history line that caused it: one notice per person and event, however often asked.
    event = models.ForeignKey(
        "appeals.AppealEvent", verbose_name=_("event"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("new work notice")
        verbose_name_plural = _("new work notices")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event"],
                name="work_notice_once",
                violation_error_message=_("This person was already told of this appeal."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                name="work_notice_unsent_idx",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.appeal} → {self.recipient} ({self.reason})"
