from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "edem.core"
    label = "core"
    verbose_name = _("Kernel")

    def ready(self):
        from .sites import sync_site  # imports a model: only once the registry is ready

        post_migrate.connect(sync_site, sender=self, dispatch_uid="edem.core.sync_site")
