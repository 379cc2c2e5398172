"""Residents' forms: submitting a project with its itemised cost (R33), voting (R35), appeals
(R34), and the filters of the public lists."""

from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cabinets.models import Cabinet
from edem.geo.models import Territory
from edem.geo.points import PointFormMixin, coordinate_fields

from .models import CostLine, Project
from .workflow import Phase, ProjectStatus

MAX_TEXT = 10_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def parse_ids(value):
    return [int(part) for part in (value or "").split(",") if part.strip().isdigit()][:50]


def photo_field():
    return forms.FileField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_(
            "Up to 10 photos, each up to 10 MB: JPEG, PNG or WebP. Location data is removed."
        ),
    )


class PendingPhotosMixin:
    """Photos kept from an earlier try of the form, so that nothing uploaded is lost when the
    form comes back with errors."""

    def init_pending(self, pending):
        self.pending_photos = list(pending)
        if self.is_bound:
            self.data = self.data.copy()
            self.data["pending"] = ",".join(str(p.pk) for p in self.pending_photos)


class ProjectForm(PointFormMixin, PendingPhotosMixin, forms.ModelForm):
    photos = photo_field()
    pending = forms.CharField(widget=forms.HiddenInput, required=False)
    latitude, longitude = coordinate_fields()

    class Meta:
        model = Project
        fields = [
            "category",
            "title",
            "problem",
            "description",
            "beneficiaries",
            "address",
            "latitude",
            "longitude",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT}),
            "description": forms.Textarea(attrs={"rows": 8, "maxlength": MAX_TEXT}),
            "beneficiaries": forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT}),
        }
        help_texts = {
            "address": _(
                "Street and house, or a landmark. You can also mark the place on the map."
            ),
        }

    def __init__(self, *args, cycle, pending=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.init_pending(pending)
        categories = cycle.categories.all()
        self.fields["category"].queryset = categories
        self.fields["category"].empty_label = _("Choose a category")
        if categories:
            self.fields["category"].required = True
            self.fields["category"].label_from_instance = self._category_label
        else:
            del self.fields["category"]

    def _category_label(self, category):
        cap = self.cycle.cap_for(category)
        if cap is None:
            return category.name
        return _("%(name)s (up to %(cap)s %(currency)s)") % {
            "name": category.name,
            "cap": cap,
            "currency": self.cycle.currency,
        }

    def clean(self):
        return self.clean_point(super().clean())

    def service_fields(self):
        data = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        data["category"] = self.cleaned_data.get("category")
        for name in ("title", "problem", "description", "beneficiaries", "address"):
            data[name] = (data[name] or "").strip()
        return data


class CostLineForm(forms.Form):
    description = forms.CharField(label=_("Item"), max_length=255)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=3,
        min_value=Decimal("0.001"),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 12}),
    )

    def line(self):
        return CostLine(
            description=self.cleaned_data["description"].strip(),
            quantity=self.cleaned_data["quantity"],
            unit_price=self.cleaned_data["unit_price"],
        )


class BaseCostLineFormSet(forms.BaseFormSet):
    def lines(self):
        """The filled, not deleted lines as unsaved ``CostLine``s."""
        return [
            form.line()
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form) and form.cleaned_data
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.lines():
            raise forms.ValidationError(_("Add at least one line to the cost estimate."))


CostLineFormSet = formset_factory(
    CostLineForm,
    formset=BaseCostLineFormSet,
    extra=3,
    can_delete=True,
    max_num=50,
    validate_max=True,
)


def cost_lines_initial(project):
    return [
        {"description": line.description, "quantity": line.quantity, "unit_price": line.unit_price}
        for line in project.cost_lines.all()
    ]


class VoteForm(forms.Form):
    projects = forms.ModelMultipleChoiceField(
        label=_("Projects you vote for"),
        queryset=Project.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one project.")},
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = queryset
        self.fields["projects"].label_from_instance = lambda p: str(p)


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why the decision should be changed"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}),
    )


class CycleFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=pgettext_lazy("budget filter", "Phase"),
        required=False,
        choices=[("", _("Any"))] + [(p.value, p.label) for p in Phase if p != Phase.PARAMETERS],
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"), queryset=Territory.objects.all(), required=False, empty_label=_("Any")
    )
    cabinet = forms.ModelChoiceField(
        label=_("Authority"),
        queryset=Cabinet.objects.active(),
        required=False,
        empty_label=_("Any"),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class ProjectFilterForm(forms.Form):
    SORTS = [
        ("number", pgettext_lazy("budget sort", "By ballot number")),
        ("newest", pgettext_lazy("budget sort", "Newest first")),
        ("cost", pgettext_lazy("budget sort", "Cheapest first")),
        ("-cost", pgettext_lazy("budget sort", "Most expensive first")),
        ("title", pgettext_lazy("budget sort", "By title")),
        ("votes", pgettext_lazy("budget sort", "By votes (after the results)")),
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label=_("Any")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), *ProjectStatus.choices],
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = cycle.categories.all()
        if not cycle.categories.exists():
            del self.fields["category"]
