"""allauth's forms that need a word of ours. Kept apart from ``forms``: allauth imports that
module (the sign-up form class) while its own forms module is still loading."""

from allauth.account.forms import RequestReauthenticationCodeForm
from django.utils.translation import gettext_lazy as _


class ReauthenticationCodeRequestForm(RequestReauthenticationCodeForm):
    """allauth's "send me a code" form, whose only field has no label of its own (it showed
    "Recipient" in English on every page language)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].label = _("Send the code to")
