from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "appeals"
    verbose_name = _("Appeals")

    def ready(self):
        # The registry stores to the kernel's outbox model: importable only once apps are loaded.
        from edem.core.events import CabinetStaffChanged, subscribe

        subscribe(
            CabinetStaffChanged,
            "appeals.subscribers.cabinet_staff_changed",
            name="appeals.report_staffless",
        )
