"""Forms of discussions: validation with messages a resident or an official understands. A
form with errors comes back with everything typed."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cabinets.access import cabinets_where
from cabinets.models import Cabinet
from edem.core.translated_forms import TranslatedFieldsMixin
from edem.geo.models import Territory

from .models import Comment, Decision, Discussion
from .workflow import PUBLIC_STATES, Status, TerminationReason

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class FilterForm(forms.Form):
    q = forms.CharField(label=pgettext_lazy("filter", "Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=pgettext_lazy("filter", "Status"),
        required=False,
        choices=[("", pgettext_lazy("filter", "Any"))]
        + [(s.value, s.label) for s in Status if s in PUBLIC_STATES],
    )
    cabinet = forms.ModelChoiceField(
        label=pgettext_lazy("filter", "Authority"),
        required=False,
        queryset=Cabinet.objects.active(),
        empty_label=pgettext_lazy("filter", "Any"),
    )
    territory = forms.ModelChoiceField(
        label=pgettext_lazy("filter", "Territory"),
        required=False,
        queryset=Territory.objects.all(),
        empty_label=pgettext_lazy("filter", "Any"),
    )


class TextFields(forms.Form):
    """The text of the draft: pasted Markdown or a .docx file (one of the two)."""

    markdown = forms.CharField(
        label=_("Text of the draft (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "A line starting with # or ## is a section heading; paragraphs are separated by an "
            "empty line."
        ),
    )
    document = forms.FileField(
        label=_("…or a Word document (.docx)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".docx,application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document"
            }
        ),
        help_text=_("Headings 1 and 2 become sections. Up to 10 MB."),
    )
    note = forms.CharField(label=_("What changed in this version"), required=False, max_length=500)

    def clean(self):
        data = super().clean()
        has_text = bool((data.get("markdown") or "").strip())
        has_file = bool(data.get("document"))
        if has_text and has_file:
            raise forms.ValidationError(_("Paste the text or choose a file, not both."))
        if not has_text and not has_file:
            raise forms.ValidationError(_("Paste the text of the draft or choose a .docx file."))
        return data


class VersionForm(TranslatedFieldsMixin, TextFields):
    translated_fields = ("note",)


class DiscussionForm(TranslatedFieldsMixin, forms.ModelForm):
    """The cabinet's discussion: the title and the summary in every language."""

    translated_fields = ("title", "summary")

    class Meta:
        model = Discussion
        fields = [
            "cabinet",
            "title",
            "summary",
            "territory",
            "starts_at",
            "ends_at",
            "eligible_verification",
            "eligible_territory",
            "min_age",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
        }
        help_texts = {
            "ends_at": _("Usually 14 to 30 days after opening."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["cabinet"]
        else:
            self.fields["cabinet"].queryset = cabinets_where(user, "cabinets.publish")
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The discussion must close after it opens."))
        return data


class DiscussionCreateForm(DiscussionForm, TextFields):
    translated_fields = ("title", "summary", "note")

    def clean(self):
        data = DiscussionForm.clean(self)  # BaseModelForm.clean does not call super()
        TextFields.clean(self)
        return data


class ProposalForm(TextFields):
    """A resident proposes a discussion of a draft (R28)."""

    cabinet = forms.ModelChoiceField(
        label=_("Responsible authority"), queryset=Cabinet.objects.active()
    )
    title = forms.CharField(label=_("Title of the draft act"), max_length=255)
    summary = forms.CharField(
        label=_("Why it should be discussed"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    field_order = ["cabinet", "title", "summary", "markdown", "document"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["note"]


class CommentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you write"),
        choices=Comment.Kind.choices,
        initial=Comment.Kind.COMMENT,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Your comment or the new wording"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}),
        error_messages={"required": _("Write your comment.")},
    )
    show_name = forms.BooleanField(
        label=_("Show my name (otherwise you are shown as “a resident”)"), required=False
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason (published)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the decision: it is published.")},
    )


class HideForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why hide it"), choices=Comment.HiddenReason.choices)
    note = forms.CharField(label=_("Note for the author"), required=False, max_length=500)


class CommentFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=pgettext_lazy("filter", "Show"),
        required=False,
        choices=[
            ("", pgettext_lazy("filter", "All")),
            ("undecided", _("Without a decision")),
            ("decided", _("Decided")),
            ("hidden", _("Hidden by moderation")),
        ],
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("filter", "Kind"),
        required=False,
        choices=[("", pgettext_lazy("filter", "Any"))] + list(Comment.Kind.choices),
    )


class SubmitForm(forms.Form):
    pass


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for the refusal (the initiator reads it)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TerminateForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=TerminationReason.choices)
    note = forms.CharField(
        label=_("Explanation (published)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Every comment and proposal has its decision: publish the outcome"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class FinalTextForm(forms.Form):
    file = forms.FileField(
        label=_("The adopted act (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )


ACTION_FORMS = {
    "submit": SubmitForm,
    "approve": ApproveForm,
    "reject": RejectForm,
    "publish_results": PublishForm,
    "terminate": TerminateForm,
}
