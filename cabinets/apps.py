from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CabinetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cabinets"
    verbose_name = _("Service cabinets")
