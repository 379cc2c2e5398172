from django import forms
from django.utils.translation import gettext_lazy as _

from appeals.models import Category
from edem.geo.models import Territory

from .models import Initiative
from .services import MAX_TEXT


def _categories():
    return Category.objects.filter(is_active=True).order_by("order", "name")


class InitiativeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("What it is about"),
        max_length=MAX_TEXT,
        widget=forms.Textarea({"rows": 8}),
        help_text=_("What you want to achieve and what those who join can do. Markdown works."),
    )
    category = forms.ModelChoiceField(
        label=_("Topic"), queryset=_categories(), required=False, empty_label=_("No topic")
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.order_by("name"),
        required=False,
        empty_label=_("The whole municipality"),
    )


class UpdateForm(forms.Form):
    text = forms.CharField(
        label=_("Update for those who joined"),
        max_length=MAX_TEXT,
        widget=forms.Textarea({"rows": 5}),
        help_text=_("Everyone who joined gets it by mail."),
    )


class FilterForm(forms.Form):
    """The list's filters, read from the URL."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.order_by("name"),
        required=False,
        empty_label=_("All territories"),
    )
    category = forms.ModelChoiceField(
        label=_("Topic"), queryset=_categories(), required=False, empty_label=_("All topics")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Open and closed")),
            (Initiative.Status.OPEN, Initiative.Status.OPEN.label),
            (Initiative.Status.CLOSED, Initiative.Status.CLOSED.label),
        ],
    )

    def filters(self):
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"].strip(),
            "territory": data["territory"],
            "category": data["category"],
            "status": data["status"],
        }
