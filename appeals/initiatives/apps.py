from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    """Civic initiatives (issue 12, point 7): a resident proposes one on a topic and a
    territory, others join it, the initiator posts updates to those who joined. It lives with
    the community features of the map; the statistics page counts them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "appeals.initiatives"
    label = "initiatives"
    verbose_name = _("Civic initiatives")
