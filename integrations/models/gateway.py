"""The mail gateway's rows: each letter sent to a body outside the portal with the reply token
of its case, and each message read from the gateway's mailbox (recorded by its Message-ID
before anything is done with it, so that no message is acted on twice)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class GatewayLetter(models.Model):
    """A letter sent by e-mail to an external body about an appeal (R5 forwarding, R11 part 1
    to law enforcement, R7 request for documents). Its ``token`` is in the reply address and
    the subject; a reply carrying it is filed into the appeal."""

    class Kind(models.TextChoices):
        FORWARD = "forward", pgettext_lazy("gateway letter", "Appeal forwarded by competence")
        LAW_ENFORCEMENT = (
            "law_enforcement",
            pgettext_lazy("gateway letter", "Offence report sent to law enforcement"),
        )
        REQUEST = "request", pgettext_lazy("gateway letter", "Request for documents")

    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("appeal"),
        on_delete=models.PROTECT,
        related_name="gateway_letters",
    )
    body = models.ForeignKey(
        "cabinets.ExternalBody",
        verbose_name=_("external body"),
        on_delete=models.PROTECT,
        related_name="letters",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    cause = models.OneToOneField(
        "appeals.AppealEvent",
        verbose_name=_("history line that caused it"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    request = models.ForeignKey(
        "appeals.ExternalRequest",
        verbose_name=_("request for documents"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    token = models.CharField(_("reply token"), max_length=40, editable=False)
    letter = models.FileField(_("letter (PDF)"), upload_to="gateway/letters/%Y/%m/", blank=True)
    notification = models.ForeignKey(
        "notifications.Notification",
        verbose_name=_("e-mail"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("letter to an external body")
        verbose_name_plural = _("letters to external bodies")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["token"],
                name="gateway_letter_token_unique",
                violation_error_message=_("This reply token is already used by another letter."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["forward", "law_enforcement", "request"]),
                name="gateway_letter_kind_valid",
                violation_error_message=_("Choose one of the listed kinds."),
            ),
        ]

    def __str__(self):
        return f"{self.appeal} → {self.body}"


class InboundMessage(models.Model):
    """A message read from the gateway's mailbox. The row is written (unique Message-ID) in the
    same transaction as what the message causes; the message is moved out of the inbox only
    after that commits. A task that dies midway leaves either nothing (the message is read
    again) or this row (the message is only moved, not acted on again)."""

    class Outcome(models.TextChoices):
        FILED = "filed", pgettext_lazy("inbound mail outcome", "Filed into the case")
        AUTO_REPLIED = (
            "auto_replied",
            pgettext_lazy("inbound mail outcome", "Not an appeal: auto-reply sent"),
        )
        IGNORED = "ignored", pgettext_lazy("inbound mail outcome", "Ignored (no reply sent)")
        BOUNCE = "bounce", pgettext_lazy("inbound mail outcome", "Bounce of the portal's mail")

    message_id = models.CharField(_("Message-ID"), max_length=998)
    received_at = models.DateTimeField(_("read"), default=timezone.now, db_index=True)
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    letter = models.ForeignKey(
        GatewayLetter,
        verbose_name=_("reply to the letter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
    )
    notification = models.ForeignKey(
        "notifications.Notification",
        verbose_name=_("notification concerned"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The auto-reply sent, or the portal's message that bounced."),
    )
    moved_at = models.DateTimeField(_("moved out of the inbox"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"],
                name="inbound_message_once",
                violation_error_message=_("This message has already been read."),
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=["filed", "auto_replied", "ignored", "bounce"]),
                name="inbound_message_outcome_valid",
                violation_error_message=_("Choose one of the listed outcomes."),
            ),
        ]

    def __str__(self):
        return self.message_id
