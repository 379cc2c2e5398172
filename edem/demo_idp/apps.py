from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoIdpConfig(AppConfig):
    name = "edem.demo_idp"
    label = "demo_idp"
    verbose_name = _("Demo identity provider")
