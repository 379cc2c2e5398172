"""Forms of petitions: the resident's draft, signing, the public filter, and the service
cabinet's actions. Validation messages a resident understands; what was typed is kept."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cabinets.models import Cabinet
from edem.geo.models import Territory

from .models import Petition
from .workflow import PUBLIC_STATES, Status

MAX_TEXT = 10_000


class PetitionForm(forms.ModelForm):
    cabinet = forms.ModelChoiceField(
        label=_("Addressee"),
        queryset=Cabinet.objects.active(),
        empty_label=_("Choose the authority"),
        help_text=_("The authority that must consider the petition."),
    )

    class Meta:
        model = Petition
        fields = ["cabinet", "title", "text", "proposed_solution", "territory"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 10, "maxlength": MAX_TEXT}),
            "proposed_solution": forms.Textarea(attrs={"rows": 5, "maxlength": MAX_TEXT}),
        }
        help_texts = {
            "title": _("A short demand, e.g. “Build a pedestrian crossing at School No. 5”."),
            "text": _(
                "What the problem is and why it matters. Markdown is allowed. No calls to "
                "violence or hatred, no obscene language (R22)."
            ),
            "proposed_solution": _("What exactly the authority should do."),
            "territory": _("Optional: the part of the municipality it concerns."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.order_by("name")
        self.fields["territory"].empty_label = _("The whole municipality")

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < 50:
            raise forms.ValidationError(
                _("Describe the problem in at least 50 characters so that people understand it.")
            )
        if len(text) > MAX_TEXT:
            raise forms.ValidationError(_("The text is too long."))
        return text

    def clean_proposed_solution(self):
        text = self.cleaned_data["proposed_solution"].strip()
        if len(text) > MAX_TEXT:
            raise forms.ValidationError(_("The text is too long."))
        return text

    def service_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SignForm(forms.Form):
    hide_name = forms.BooleanField(
        label=_("Do not show my name in the public list (the signature still counts)"),
        required=False,
    )
    invite_to_appeal = forms.BooleanField(
        label=_(
            "If the petition does not collect enough signatures, invite me to co-sign the "
            "appeal it may become (the author will see my e-mail address)"
        ),
        required=False,
    )


SORT_CHOICES = [
    ("newest", pgettext_lazy("petition sort", "Newest")),
    ("signatures", pgettext_lazy("petition sort", "Most signatures")),
]


class PublicFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    cabinet = forms.ModelChoiceField(
        label=_("Addressee"),
        queryset=Cabinet.objects.active(),
        required=False,
        empty_label=_("All"),
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.order_by("name"),
        required=False,
        empty_label=_("All"),
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All"))] + [
            (value, label) for value, label in Status.choices if value in PUBLIC_STATES
        ]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + [c for c in Status.choices if c[0] != Status.DRAFT],
    )
    cabinet = forms.ModelChoiceField(
        label=_("Addressee"), queryset=Cabinet.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args, cabinet_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cabinet"].queryset = Cabinet.objects.filter(pk__in=cabinet_ids)


# --- Service actions ---------------------------------------------------------------------


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("The petition complies with the rules"),
        error_messages={"required": _("Tick to confirm that the petition complies.")},
    )


class RefuseForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Ground for refusal"), choices=[("", "—")] + list(Petition.RefusalGround.choices)
    )
    note = forms.CharField(
        label=_("Explanation for the author"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class StartConsiderationForm(forms.Form):
    note = forms.CharField(
        label=_("Announcement (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class AnswerForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Decision"), choices=Petition.Result.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Answer: reasons or measures (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20_000,
    )


class InvalidateForm(forms.Form):
    ip = forms.GenericIPAddressField(label=_("IP address"), required=False)
    email_domain = forms.CharField(
        label=_("E-mail domain"), required=False, max_length=255, help_text=_("e.g. example.org")
    )
    signed_from = forms.DateTimeField(
        label=_("Signed from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    signed_to = forms.DateTimeField(
        label=_("Signed to"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label=_("Reason (kept in the history)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def clean(self):
        data = super().clean()
        if not any(data.get(n) for n in ("ip", "email_domain", "signed_from", "signed_to")):
            raise forms.ValidationError(
                _("Choose at least one criterion: IP address, e-mail domain or time window.")
            )
        start, end = data.get("signed_from"), data.get("signed_to")
        if start and end and start > end:
            self.add_error("signed_to", _("The end of the window is before its start."))
        return data


ACTION_FORMS = {
    "publish": PublishForm,
    "refuse": RefuseForm,
    "start_consideration": StartConsiderationForm,
    "answer": AnswerForm,
    "invalidate": InvalidateForm,
}
