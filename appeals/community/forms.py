"""Forms of the community features: validation with messages a resident understands."""

import math
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from appeals.models import Category
from edem.geo.models import Territory

from .models import AreaSubscription
from .services import MAX_COMMENT_CHARS


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_COMMENT_CHARS}),
        help_text=_("You can use Markdown: *italic*, **bold**, lists, links."),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with it (optional)"), max_length=500, required=False
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for hiding (shown in place of the comment)"), max_length=500
    )


class StillNotFixedForm(forms.Form):
    text = forms.CharField(
        label=_("What is still wrong"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )
    photo = forms.FileField(
        label=_("A photo of the place now"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, up to 10 MB. Location data is removed."),
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply (published on the problem page)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the case is reopened (the citizen and the followers read it)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SubscriptionForm(forms.Form):
    """An area: a territory, or a circle (centre and radius, drawn on the map or typed)."""

    TERRITORY, CIRCLE = "territory", "circle"

    area = forms.ChoiceField(
        label=_("Area"),
        choices=[(TERRITORY, _("A territory")), (CIRCLE, _("A circle around a point"))],
        widget=forms.RadioSelect,
        initial=TERRITORY,
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.defer("boundary"),
        required=False,
        empty_label=_("Choose a territory"),
    )
    latitude = forms.DecimalField(
        label=_("Centre latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-90),
        max_value=Decimal(90),
        widget=forms.NumberInput(attrs={"step": "0.000001"}),
    )
    longitude = forms.DecimalField(
        label=_("Centre longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-180),
        max_value=Decimal(180),
        widget=forms.NumberInput(attrs={"step": "0.000001"}),
    )
    radius_m = forms.IntegerField(
        label=_("Radius, metres"),
        required=False,
        min_value=50,
        max_value=AreaSubscription.MAX_RADIUS_M,
        initial=500,
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.filter(is_active=True).select_related("parent"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: all categories."),
    )

    def clean(self):
        data = super().clean()
        if data.get("area") == self.TERRITORY:
            if not data.get("territory") and "territory" not in self.errors:
                self.add_error("territory", _("Choose a territory."))
            data["latitude"] = data["longitude"] = data["radius_m"] = None
        elif data.get("area") == self.CIRCLE:
            for name in ("latitude", "longitude", "radius_m"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(
                        name, _("Mark the centre on the map or type it, and give the radius.")
                    )
            data["territory"] = None
        return data


class DuplicateQuery(forms.Form):
    """The query of ``duplicates.json``; a bad value gets a 400 with the reason."""

    lat = forms.CharField()
    lon = forms.CharField()
    category = forms.IntegerField(min_value=1)
    subject = forms.CharField(required=False, max_length=255)

    def _coordinate(self, name, limit):
        raw = self.cleaned_data[name].strip()
        try:
            value = float(Decimal(raw))
        except (InvalidOperation, ValueError) as exc:
            raise forms.ValidationError(_("Not a number.")) from exc
        if not math.isfinite(value) or not -limit <= value <= limit:
            raise forms.ValidationError(
                _("Must be between -%(limit)d and %(limit)d.") % {"limit": limit}
            )
        return value

    def clean_lat(self):
        return self._coordinate("lat", 90)

    def clean_lon(self):
        return self._coordinate("lon", 180)
