from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """What residents do around public problems (issue #4): support, comments, following and
    area alerts, duplicate hints, and "still not fixed" requests."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "appeals.community"
    label = "community"
    verbose_name = _("Residents around public problems")

    def ready(self):
        from . import signals  # noqa: F401
