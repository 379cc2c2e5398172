from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "edem.accounts"
    label = "accounts"
    verbose_name = _("Users")

    def ready(self):
        from allauth.socialaccount.signals import social_account_added

        from .adapters import identity_connected

        social_account_added.connect(identity_connected, dispatch_uid="edem-identity-connected")

        from allauth.mfa.signals import authenticator_added

        from .mfa import count_setup_as_second_factor

        authenticator_added.connect(
            count_setup_as_second_factor, dispatch_uid="edem.accounts.mfa.setup_counts"
        )
