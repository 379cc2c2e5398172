"""Officials' forms: the cycle's parameters and categories (R32), review (R34), paper ballots
(R35) and implementation updates."""

from django import forms
from django.contrib.auth import get_user_model
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _

from cabinets.access import roles_by_cabinet
from cabinets.models import Cabinet
from edem.accounts.models import DocumentKind
from edem.core.translated_forms import TranslatedFieldsMixin

from .forms import PendingPhotosMixin, photo_field
from .models import BudgetCategory, BudgetCycle, Project
from .workflow import MANAGERS, ImplementationStatus, ProjectStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_WIDGET = forms.TextInput(attrs={"inputmode": "decimal", "size": 16})


class CycleForm(TranslatedFieldsMixin, forms.ModelForm):
    """The cycle's parameters; its title and description in every language."""

    translated_fields = ("title", "description")

    class Meta:
        model = BudgetCycle
        fields = [
            "title",
            "year",
            "cabinet",
            "territory",
            "description",
            "total_fund",
            "currency",
            "max_project_cost",
            "votes_per_voter",
            "one_vote_per_category",
            "support_threshold",
            "submission_start",
            "submission_end",
            "support_start",
            "support_end",
            "review_start",
            "review_end",
            "voting_start",
            "voting_end",
            "results_date",
            "implementation_start",
            "eligible_verification",
            "eligible_territory",
            "min_age",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "total_fund": MONEY_WIDGET,
            "max_project_cost": MONEY_WIDGET,
            **dict.fromkeys(
                (
                    "submission_start",
                    "submission_end",
                    "support_start",
                    "support_end",
                    "review_start",
                    "review_end",
                    "voting_start",
                    "voting_end",
                    "results_date",
                    "implementation_start",
                ),
                DATE,
            ),
        }
        localized_fields = ["total_fund", "max_project_cost"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        managed = [pk for pk, roles in roles_by_cabinet(user).items() if roles & MANAGERS]
        self.fields["cabinet"].queryset = Cabinet.objects.filter(pk__in=managed)
        if self.instance.pk:
            self.fields["cabinet"].disabled = True
        elif len(self.fields["cabinet"].queryset) == 1:
            self.initial.setdefault("cabinet", self.fields["cabinet"].queryset[0].pk)
        else:
            self.initial.setdefault("min_age", 16)


class CategoryForm(TranslatedFieldsMixin, forms.ModelForm):
    translated_fields = ("name", "description")

    class Meta:
        model = BudgetCategory
        fields = ["name", "fund", "max_project_cost", "position", "description"]
        widgets = {
            "fund": MONEY_WIDGET,
            "max_project_cost": MONEY_WIDGET,
            "description": forms.Textarea(attrs={"rows": 2}),
        }
        localized_fields = ["fund", "max_project_cost"]


NAME = "name"  # two categories may not share their default-language name


class BaseCategoryFormSet(BaseModelFormSet):
    def clean(self):
        super().clean()
        names = [
            form.cleaned_data[NAME].strip().casefold()
            for form in self.forms
            if form.cleaned_data
            and form.cleaned_data.get(NAME)
            and not self._should_delete_form(form)
        ]
        if len(names) != len(set(names)):
            raise forms.ValidationError(_("Two categories have the same name."))

    def kept(self):
        return [
            form.instance
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form) and form.has_changed()
        ]

    def removed(self):
        return [
            form.instance
            for form in self.forms
            if form.instance.pk and form.cleaned_data and self._should_delete_form(form)
        ]


CategoryFormSet = modelformset_factory(
    BudgetCategory, form=CategoryForm, formset=BaseCategoryFormSet, extra=2, can_delete=True
)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("accept", _("Feasible: admit to the vote")),
            ("return", _("Return to the author for changes")),
            ("reject", _("Unfeasible: reject")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason (published)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when the project is returned or rejected."),
    )
    approved_cost = forms.DecimalField(
        label=_("Cost after review"),
        required=False,
        max_digits=14,
        decimal_places=2,
        localize=True,
        widget=MONEY_WIDGET,
        help_text=_("Leave empty to keep the author's estimate."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") in ("return", "reject") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason: it is published with the decision."))
        return data


class PaperBallotForm(forms.Form):
    voter_email = forms.EmailField(
        label=_("Voter's account e-mail"),
        required=False,
        help_text=_("If the voter has an account: the votes join their online ballot."),
    )
    document_kind = forms.ChoiceField(
        label=_("Identity document"),
        required=False,
        choices=[("", "—"), *DocumentKind.choices],
        help_text=_("If the voter has no account: the kind of document shown."),
    )
    document_number = forms.CharField(
        label=_("Series and number of the document"),
        required=False,
        max_length=100,
        help_text=_(
            "Kept only as a keyed hash: it tells whether this person has already voted, "
            "online or on paper."
        ),
    )
    eligibility_confirmed = forms.BooleanField(
        label=_("I checked the voter's age and residence on the document."), required=False
    )
    projects = forms.ModelMultipleChoiceField(
        label=_("Projects marked on the paper ballot"),
        queryset=Project.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one project.")},
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = queryset
        self.fields["projects"].label_from_instance = lambda p: str(p)

    def clean(self):
        data = super().clean()
        email = data.get("voter_email")
        data["voter"] = None
        if email:
            data["voter"] = get_user_model().objects.filter(email__iexact=email).first()
            if data["voter"] is None:
                self.add_error("voter_email", _("No account has this e-mail."))
        elif "voter_email" not in self.errors:
            if not data.get("document_kind"):
                self.add_error(
                    "document_kind",
                    _("Choose the kind of document, or give the voter's account e-mail."),
                )
            if not (data.get("document_number") or "").strip():
                self.add_error(
                    "document_number",
                    _(
                        "Enter the document's series and number, or give the voter's account e-mail."
                    ),
                )
        return data


class UpdateForm(PendingPhotosMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ImplementationStatus.choices)
    happened_on = forms.DateField(label=_("Date"), widget=DATE)
    text = forms.CharField(
        label=_("What has been done"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown is allowed."),
    )
    photos = photo_field()
    pending = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, pending=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.init_pending(pending)


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("Waiting for a decision")),
            *ProjectStatus.choices,
        ]
