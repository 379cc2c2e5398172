"""The EDMS API's remembered writes (issue 14): one row per ``Idempotency-Key`` a client sent
with a write, holding the fingerprint of the request and the first response, so that the same
key sent again replays that response instead of writing twice. Old rows are purged by a beat
task (``integrations.tasks.purge_api_idempotency_keys``)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiIdempotencyKey(models.Model):
    client = models.ForeignKey(
        "integrations.ApiClient",
        verbose_name=_("API client"),
        on_delete=models.CASCADE,
        related_name="idempotency_keys",
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response = models.JSONField(_("response body"), null=True, blank=True)
    headers = models.JSONField(_("response headers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("API idempotency key")
        verbose_name_plural = _("API idempotency keys")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "key"],
                name="api_idempotency_key_once",
                violation_error_message=_("This idempotency key was already used."),
            )
        ]

    def __str__(self):
        return self.key
