"""Admin autodiscovery without django-leaflet's ``leaflet.admin``.

django-leaflet's ``admin`` module imports GeoDjango, which needs GDAL; edem uses no GeoDjango
(DESIGN §4), so its admin is never imported. Every other app's ``admin`` module is loaded as
``django.contrib.admin.autodiscover`` would.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

SKIPPED = frozenset({"leaflet"})


def autodiscover():
    for app_config in apps.get_app_configs():
        if app_config.name in SKIPPED:
            continue
        if module_has_submodule(app_config.module, "admin"):
            import_module(f"{app_config.name}.admin")
