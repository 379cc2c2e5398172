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
        # The queue's filter and the card's forms keep their lists per data version (choices).
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from cabinets.models import Cabinet, ExternalBody, Membership
        from edem.geo.models import Territory

        from .choices import choices_changed
        from .models import AnswerTemplate, Category, ClassifierCode

        sources = (Category, Territory, Membership, get_user_model(), Cabinet, ExternalBody)
        for model in (*sources, ClassifierCode, AnswerTemplate):
            for signal in (post_save, post_delete):
                signal.connect(
                    choices_changed, sender=model, dispatch_uid=f"appeals.filter_choices.{model}"
                )
        for event in (AppealFiled, AppealAssigned):  # officials are told of new work
            subscribe(
                event, "appeals.subscribers.new_work", name=f"appeals.new_work.{event.__name__}"
            )
