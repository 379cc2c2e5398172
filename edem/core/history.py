"""The immutable history line every workflow keeps (appeals, petitions, polls, discussions)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HistoryEvent(models.Model):
    """One line of an item's history: who, when, which action, from which state to which, a
    note and details. Written once; saving it again or deleting it raises, so the history a
    citizen or an auditor reads is the history that happened. Subclasses add the foreign key
    to their item (``related_name="events"``) and their own Meta names."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=30, blank=True)
    to_status = models.CharField(_("to"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    # What a reader sees for each action: a label, or (label, {placeholder: key of ``data``})
    # for one that names something from the line's details. An action not listed reads
    # ``DEFAULT_LABEL`` (the action's own name when that is None).
    LABELS = {}
    DEFAULT_LABEL = _("Updated")

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{self._meta.verbose_name_plural} is immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self._meta.verbose_name_plural} is never deleted.")

    @property
    def label(self):
        """The action in words for templates, so that no template compares action names."""
        if getattr(self, "_label", None) is not None:
            return self._label
        entry = self.LABELS.get(self.action)
        if entry is None:
            return self.action if self.DEFAULT_LABEL is None else self.DEFAULT_LABEL
        if isinstance(entry, tuple):
            text, keys = entry
            return text % {name: (self.data or {}).get(key, "") for name, key in keys.items()}
        return entry

    @label.setter
    def label(self, value):
        """A view may name the action for one reader (the discussions' service card does)."""
        self._label = value
