"""How many appeals each cabinet holds in each status: the work queue's sidebar, and its
paginator's total, read a handful of rows instead of grouping a cabinet's whole history.

The rows are kept by the database itself (triggers on ``appeals_appeal``, migration
``0026_fast_office``), in the same transaction as the change of an appeal, whatever makes it:
a service, the admin, a bulk ``update()``, a data migration or a ``COPY``. Under PostgreSQL
statement-level triggers add the change of a whole statement with one upsert
(``n = n + delta``), so two transactions that move appeals of one cabinet at the same time
wait for each other on the row and both changes count; SQLite (the embedded default, one
writer at a time) keeps them row by row.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatusCount(models.Model):
    """The number of appeals of ``cabinet`` in ``status``: overall (``dimension`` ""), and
    by kind, topic, territory and executor (``dimension`` the field, ``value`` its value as
    text), so that a queue filtered by one of these is counted here too."""

    class Dimension(models.TextChoices):
        ALL = "", _("all appeals")
        KIND = "kind", _("kind")
        CATEGORY = "category", _("topic")
        TERRITORY = "territory", _("territory")
        EXECUTOR = "executor", _("executor")

    cabinet = models.ForeignKey(
        "cabinets.Cabinet",
        verbose_name=_("cabinet"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20)
    dimension = models.CharField(
        _("dimension"), max_length=20, blank=True, choices=Dimension.choices
    )
    value = models.CharField(_("value"), max_length=40, blank=True)
    n = models.BigIntegerField(_("number of appeals"), default=0)

    class Meta:
        verbose_name = _("appeal count")
        verbose_name_plural = _("appeal counts")
        constraints = [
            models.UniqueConstraint(
                fields=["cabinet", "status", "dimension", "value"],
                name="statuscount_key",
                violation_error_message=_("This count is already kept for this cabinet."),
            )
        ]

    def __str__(self):
        return f"{self.cabinet_id} {self.status} {self.dimension}={self.value}: {self.n}"
