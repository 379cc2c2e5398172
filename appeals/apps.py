from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "appeals"
    verbose_name = _("Appeals")

    def ready(self):
        # The registry stores to the kernel's outbox model: importable only once apps are loaded.
        from edem.core.events import AppealAssigned, AppealFiled, CabinetStaffChanged, subscribe

        subscribe(
            CabinetStaffChanged,
            "appeals.subscribers.cabinet_staff_changed",
            name="appeals.report_staffless",
        )
        for event in (AppealFiled, AppealAssigned):  # officials are told of new work
            subscribe(
                event, "appeals.subscribers.new_work", name=f"appeals.new_work.{event.__name__}"
            )
