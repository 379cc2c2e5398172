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
        # The work queue's filter keeps its lists per data version (forms_service).
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from cabinets.models import Membership
        from edem.geo.models import Territory

        from .forms_service import choices_changed
        from .models import Category

        for model in (Category, Territory, Membership, get_user_model()):
            for signal in (post_save, post_delete):
                signal.connect(
                    choices_changed, sender=model, dispatch_uid=f"appeals.filter_choices.{model}"
                )
        for event in (AppealFiled, AppealAssigned):  # officials are told of new work
            subscribe(
                event, "appeals.subscribers.new_work", name=f"appeals.new_work.{event.__name__}"
            )
