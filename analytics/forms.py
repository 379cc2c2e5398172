import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edem.geo.models import Territory

from .indicators import parse_period, parse_value


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


class IndicatorValueForm(forms.Form):
    """One value of an indicator: the period as the official writes it, the number with a point
    or a comma. Checked by the same parsers the import uses."""

    period = forms.CharField(
        label=_("Period"),
        max_length=20,
        help_text=_("For example 2026-05 (a month), 2026-Q2 (a quarter) or 2026 (a year)."),
    )
    value = forms.CharField(label=_("Value"), max_length=40)
    note = forms.CharField(label=_("Source or note"), max_length=255, required=False)

    def __init__(self, *args, indicator, **kwargs):
        self.indicator = indicator
        super().__init__(*args, **kwargs)

    def clean_period(self):
        return parse_period(self.indicator, self.cleaned_data["period"])

    def clean_value(self):
        return parse_value(self.cleaned_data["value"])


class IndicatorImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or XLSX: a header line, then one line per value with the indicator's code, "
            "the period, the value and, if you like, a note."
        ),
        widget=forms.ClearableFileInput({"accept": ".csv,.xlsx"}),
    )


class ReportMonthForm(forms.Form):
    """The month of a report to make (or make again) now."""

    month = forms.ChoiceField(label=_("Month"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first = timezone.localdate().replace(day=1)
        months = []
        for _n in range(24):
            first = (first - datetime.timedelta(days=1)).replace(day=1)
            months.append((first.isoformat(), first.strftime("%Y-%m")))
        self.fields["month"].choices = months

    def clean_month(self):
        return datetime.date.fromisoformat(self.cleaned_data["month"])
