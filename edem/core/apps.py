from django.apps import AppConfig
from django.contrib.admin.apps import SimpleAdminConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True  # this module also holds the admin's config
    default_auto_field = "django.db.models.BigAutoField"
    name = "edem.core"
    label = "core"
    verbose_name = _("Municipality and system")

    def ready(self):
        # Imports models: only once the registry is ready.
        from . import calendar, local_days, municipality, third_party
        from .models import LocalDay, MunicipalitySettings
        from .sites import sync_site

        third_party.name_everything()
        post_migrate.connect(sync_site, sender=self, dispatch_uid="edem.core.sync_site")
        calendar.set_local_days_loader(local_days.load)
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                local_days.changed, sender=LocalDay, dispatch_uid=f"edem.core.local_days.{name}"
            )
            signal.connect(
                municipality.settings_changed,
                sender=MunicipalitySettings,
                dispatch_uid=f"edem.core.municipality.{name}",
            )


class AdminConfig(SimpleAdminConfig):
    """Django's admin (without autodiscovery: ``edem.admin_discovery``) on edem's site, which
    words its titles in the grammatical case the language needs (``edem.core.admin_site``)."""

    default_site = "edem.core.admin_site.EdemAdminSite"
