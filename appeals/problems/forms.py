"""The filters shared by the map, its JSON and the accessible list (one query, three views)."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appeals.categories import CategoryChoiceField
from appeals.models import Category
from edem.geo.models import Territory

from .models import STATE_BY_CODE, STATE_CODES, PublicState

PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}
SORTS = ("new", "support")


class ProblemFilterForm(forms.Form):
    category = CategoryChoiceField(
        Category.objects.all(),
        label=_("Topic"),
        required=False,
        empty_label=_("All"),
        whole_groups=True,
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.all(),
        required=False,
        empty_label=_("Whole town"),
    )
    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("7", _("Last 7 days")),
            ("30", _("Last 30 days")),
            ("90", _("Last 90 days")),
            ("365", _("Last year")),
        ],
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)
    supported = forms.BooleanField(label=_("Only supported by me"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("new", _("Newest first")), ("support", _("Most supported first"))],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["status"].choices = [("", _("Any status"))] + [
            (STATE_CODES[state], state.label) for state in PublicState
        ]
        if not (user and user.is_authenticated):
            del self.fields["mine"]
            del self.fields["supported"]

    def filters(self):
        """The cleaned filters as plain values (ids, codes), for the selectors and cache keys."""
        data = self.cleaned_data
        return {
            "category": data["category"].pk if data.get("category") else None,
            "state": int(STATE_BY_CODE[data["status"]]) if data.get("status") else None,
            "territory": data["territory"].pk if data.get("territory") else None,
            "period": PERIODS.get(data.get("period") or ""),
            "mine": bool(data.get("mine")),
            "supported": bool(data.get("supported")),
        }


def since(days):
    return timezone.now() - timedelta(days=days)
