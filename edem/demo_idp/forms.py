import hashlib
import hmac

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class IdentityForm(forms.Form):
    """The person the demo provider vouches for. A real provider reads this from the state
    register after its own sign-in; the demo takes it as typed (prefilled from the portal's
    profile when the visitor is signed in there)."""

    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, data=None, *, user=None):
        initial = {}
        if user is not None and user.is_authenticated:
            initial = {
                "last_name": user.last_name,
                "first_name": user.first_name,
                "patronymic": user.patronymic,
                "birth_date": user.birth_date,
            }
        super().__init__(data, initial=initial)
        for name in ("last_name", "first_name", "patronymic"):
            self.fields[name].widget.attrs["autocomplete"] = {
                "last_name": "family-name",
                "first_name": "given-name",
                "patronymic": "additional-name",
            }[name]
        self.fields["birth_date"].widget.attrs["autocomplete"] = "bday"

    def claims(self):
        """The OpenID Connect claims of the person; ``sub`` is stable for the same person, as a
        real provider's subject identifier is."""
        data = self.cleaned_data
        last, first, middle = (data[n].strip() for n in ("last_name", "first_name", "patronymic"))
        born = data["birth_date"].isoformat() if data["birth_date"] else ""
        person = "|".join(part.casefold() for part in (last, first, middle, born))
        digest = hmac.new(settings.SECRET_KEY.encode(), person.encode(), hashlib.sha256)
        claims = {
            "sub": "demo-" + digest.hexdigest()[:24],
            "family_name": last,
            "given_name": first,
            "name": " ".join(part for part in (last, first, middle) if part),
        }
        if middle:
            claims["middle_name"] = middle
        if born:
            claims["birthdate"] = born
        return claims
