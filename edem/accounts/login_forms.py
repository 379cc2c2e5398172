"""allauth's forms with an address field (``ACCOUNT_FORMS``), labelled from the portal's own
catalogue: the label allauth gives it ("Email") is translated by django.contrib.auth's
catalogue first, which leaves it in English on a Ukrainian page.

A module of its own: allauth's forms import ``ACCOUNT_SIGNUP_FORM_CLASS``
(edem.accounts.forms) while they load, so that module may not import them."""

from allauth.account import forms as allauth_forms
from allauth.account.fields import EmailField
from django.utils.translation import gettext_lazy as _


class PortalEmailLabel:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, EmailField):
                field.label = _("E-mail address")


class LoginForm(PortalEmailLabel, allauth_forms.LoginForm):
    pass


class SignupForm(PortalEmailLabel, allauth_forms.SignupForm):
    pass


class AddEmailForm(PortalEmailLabel, allauth_forms.AddEmailForm):
    pass


class ChangeEmailForm(PortalEmailLabel, allauth_forms.ChangeEmailForm):
    pass


class ResetPasswordForm(PortalEmailLabel, allauth_forms.ResetPasswordForm):
    pass


class RequestLoginCodeForm(PortalEmailLabel, allauth_forms.RequestLoginCodeForm):
    pass
