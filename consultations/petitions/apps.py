from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consultations.petitions"
    label = "petitions"
    verbose_name = _("E-petitions")
