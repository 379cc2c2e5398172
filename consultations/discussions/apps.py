from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consultations.discussions"
    label = "discussions"
    verbose_name = _("Public discussions of draft acts")
