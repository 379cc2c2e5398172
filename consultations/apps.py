from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consultations"
    verbose_name = _("Consultations")

    def ready(self):
        from edem.accounts.personkeys import person_keys_merged

        from .personkeys import merge_voices

        # R30, R35: a person's voices follow their person key, inside the verifying transaction
        person_keys_merged.connect(merge_voices, dispatch_uid="consultations.merge_voices")
