from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    """Personal reception of citizens (R15, 59-FZ Art. 13): a published schedule per cabinet,
    slots booked online by verified citizens, walk-ins entered at the desk, and the reception
    card with its outcome."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "appeals.reception"
    label = "reception"
    verbose_name = _("Personal reception")
