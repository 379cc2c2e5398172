import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edem.geo.models import Territory


class PeriodForm(forms.Form):
    """The dashboard's filters, read from the URL (a GET form): a shared link shows the same."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.order_by("name"),
        required=False,
        empty_label=_("All territories"),
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["end"] = data.get("end") or today
        data["start"] = data.get("start") or (data["end"] - datetime.timedelta(days=365)).replace(
            day=1
        )
        if data["start"] > data["end"]:
            raise forms.ValidationError(_("The period starts after it ends."))
        if (data["end"] - data["start"]).days > 5 * 366:
            raise forms.ValidationError(_("Choose a period of at most five years."))
        return data

    def period(self):
        """(start, end, territory): the valid filters, or the defaults when the form is not."""
        if self.is_valid():
            return (
                self.cleaned_data["start"],
                self.cleaned_data["end"],
                self.cleaned_data["territory"],
            )
        end = timezone.localdate()
        return (end - datetime.timedelta(days=365)).replace(day=1), end, None
