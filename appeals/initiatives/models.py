"""A civic initiative, the residents who joined it, the initiator's updates, and its history."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edem.core.history import HistoryEvent

# Who moderates initiatives (hides them, reads the hidden ones): the admin's change permission.
MODERATE_PERM = "initiatives.change_initiative"


class Initiative(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("initiative status", "Gathering people")
        CLOSED = "closed", pgettext_lazy("initiative status", "Closed by its initiator")
        HIDDEN = "hidden", pgettext_lazy("initiative status", "Hidden by a moderator")

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("what it is about"),
        help_text=_("What you want to achieve and what those who join can do. Markdown works."),
    )
    category = models.ForeignKey(
        "appeals.Category",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    territory = models.ForeignKey(
        "geo.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("initiator"),
        on_delete=models.PROTECT,
        related_name="initiatives",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    member_count = models.PositiveIntegerField(_("people who joined"), default=0)
    created_at = models.DateTimeField(_("proposed"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    moderation_reason = models.CharField(_("reason for hiding"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("civic initiative")
        verbose_name_plural = _("civic initiatives")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("initiatives:detail", args=[self.pk])

    @property
    def is_public(self):
        return self.status != self.Status.HIDDEN


class Member(models.Model):
    """A resident who joined an initiative (the initiator joins it on proposing)."""

    initiative = models.ForeignKey(
        Initiative, verbose_name=_("initiative"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("participant of an initiative")
        verbose_name_plural = _("participants of initiatives")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "user"],
                name="initiative_member_once",
                violation_error_message=_("This person has already joined the initiative."),
            )
        ]

    def __str__(self):
        return f"{self.initiative_id}: {self.user_id}"


class Update(models.Model):
    """News the initiator posts; those who joined get it by mail."""

    initiative = models.ForeignKey(
        Initiative, verbose_name=_("initiative"), on_delete=models.CASCADE, related_name="updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    class Meta:
        verbose_name = _("initiative update")
        verbose_name_plural = _("initiative updates")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.initiative_id}: {self.created_at:%Y-%m-%d}"


class InitiativeEvent(HistoryEvent):
    initiative = models.ForeignKey(
        Initiative, verbose_name=_("initiative"), on_delete=models.CASCADE, related_name="events"
    )

    LABELS = {
        "propose": _("Proposed"),
        "post_update": _("Update posted"),
        "close": _("Closed by its initiator"),
        "hide": _("Hidden by a moderator"),
        "restore": _("Shown again by a moderator"),
    }

    class Meta(HistoryEvent.Meta):
        verbose_name = _("initiative history line")
        verbose_name_plural = _("initiative history")
