from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import normalise_code


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Registration number"),
        max_length=60,
        help_text=_("As in the message about the registration, e.g. ADM-2026-0012."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        help_text=_("Eight letters and digits from the same message, e.g. ABCD-2345."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(_("The code has eight letters and digits."))
        return code
