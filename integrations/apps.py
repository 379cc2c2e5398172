from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """How edem talks to outside systems (DESIGN §1): the e-mail gateway to external bodies, the
    widget on the authority's website, the EDMS API with webhooks, Open311 and open data. It
    depends on the other apps; none depends on it (an import-linter contract)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from edem.core.events import (
            AppealCaseFileChanged,
            AppealClosedWithoutAnswer,
            AppealForwarded,
            subscribe,
        )

        # The mail gateway sends the letter when a history line names an external body.
        for event in (AppealForwarded, AppealClosedWithoutAnswer, AppealCaseFileChanged):
            subscribe(
                event,
                "integrations.gateway.outbound.send_on_event",
                name=f"integrations.gateway.{event.__name__}",
            )
        # The webhooks of the API clients: deliveries for the catalogue's events.
        from .webhooks.catalogue import DOMAIN_EVENTS

        for event in DOMAIN_EVENTS:
            subscribe(
                event,
                "integrations.webhooks.subscribers.on_event",
                name=f"integrations.webhooks.{event.__name__}",
            )
