"""Forms of polls: validation of what people type, with messages they understand. The rules
(dates, questions, ballots) are checked again in ``services.py``; errors it raises are put
back beside the field they concern."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cabinets.models import Cabinet
from edem.core.i18n import language_codes
from edem.core.translated_forms import TranslatedFieldsMixin
from edem.geo.models import Territory

from .models import InitiatorKind, Poll, Question, TerminationReason
from .services import BallotInvalid, validate_answers
from .workflow import PUBLIC_STATES, Status

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _by_code(obj, field):
    return {code: getattr(obj, f"{field}_{code}") or "" for code in language_codes()}


def option_lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    cabinet = forms.ModelChoiceField(
        label=_("Authority"), queryset=Cabinet.objects.active(), required=False
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"), queryset=Territory.objects.all(), required=False
    )

    def __init__(self, *args, statuses=PUBLIC_STATES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any"))] + [
            (s.value, s.label) for s in Status if s in statuses
        ]
        self.fields["cabinet"].empty_label = _("Any")
        self.fields["territory"].empty_label = _("Any")


class PollForm(TranslatedFieldsMixin, forms.ModelForm):
    """The staff's form for their cabinet's poll (and for a proposal in moderation): the title
    and the description in every language."""

    translated_fields = ("title", "description")

    class Meta:
        model = Poll
        fields = [
            "cabinet",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "results_visibility",
            "ballots_changeable",
            "eligible_verification",
            "eligible_territory",
            "min_age",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "results_visibility": forms.RadioSelect,
        }
        help_texts = {
            "description": _("Markdown: **bold**, *italic*, lists, links."),
            "ends_at": _("Voting usually lasts from 14 to 30 days."),
        }

    def __init__(self, *args, cabinets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["cabinet"]
        else:
            self.fields["cabinet"].queryset = (
                cabinets if cabinets is not None else Cabinet.objects.none()
            )
            self.fields["cabinet"].empty_label = None
        self.fields["min_age"].widget.attrs.update({"min": 0, "max": 120})

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Voting must close after it opens."))
        return data

    def service_fields(self):
        fields = {
            k: v
            for k, v in self.cleaned_data.items()
            if k != "cabinet"
            and k not in self.translated_fields
            and k.rpartition("_")[0] not in self.translated_fields
        }
        return fields | {name: self.by_language(name) for name in self.translated_fields}


class QuestionForm(TranslatedFieldsMixin, forms.Form):
    """A question with its options, in every language: the options' lines of a language
    translate the default language's lines in the same order."""

    translated_fields = ("text", "help_text", "options")
    text = forms.CharField(label=_("Question"), max_length=500)
    help_text = forms.CharField(label=_("Explanation (optional)"), max_length=500, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of question"), choices=Question.Kind.choices, widget=forms.RadioSelect
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One option per line. Needed for single choice, multiple choice and ranking."),
    )
    min_choices = forms.IntegerField(
        label=_("Multiple choice: at least"), required=False, min_value=1, max_value=30
    )
    max_choices = forms.IntegerField(
        label=_("Multiple choice: at most"), required=False, min_value=1, max_value=30
    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        lines = {code: option_lines(text) for code, text in self.by_language("options").items()}
        options = lines[settings.LANGUAGE_CODE]
        for code, translated in lines.items():
            if translated and len(translated) != len(options):
                self.add_error(
                    f"options_{code}",
                    _("Give as many lines as the options have, in the same order."),
                )
        if kind in Question.CHOICE_KINDS and len(options) < 2:
            self.add_error("options", _("Give at least two options, one per line."))
        if len(options) > 30:
            self.add_error("options", _("A question has at most 30 options."))
        low, high = data.get("min_choices"), data.get("max_choices")
        if kind == Question.Kind.MULTIPLE:
            if low and high and low > high:
                self.add_error("max_choices", _("At most must not be less than at least."))
            if high and high > len(options) >= 2:
                self.add_error("max_choices", _("There are fewer options than that."))
            if low and low > len(options) >= 2:
                self.add_error("min_choices", _("There are fewer options than that."))
        data["option_list"] = [
            {code: texts[i] for code, texts in lines.items() if len(texts) == len(options)}
            for i in range(len(options))
        ]
        return data

    def service_fields(self):
        data = self.cleaned_data
        return {
            "text": self.by_language("text"),
            "help_text": self.by_language("help_text"),
            "kind": data["kind"],
            "required": bool(data.get("required")),
            "min_choices": data.get("min_choices"),
            "max_choices": data.get("max_choices"),
            "options": data["option_list"],
        }

    @classmethod
    def initial_for(cls, question):
        options = list(question.options.all())
        return {
            "text": _by_code(question, "text"),
            "help_text": _by_code(question, "help_text"),
            "kind": question.kind,
            "required": question.required,
            "min_choices": question.min_choices,
            "max_choices": question.max_choices,
            "options": {
                code: "\n".join(getattr(o, f"text_{code}") or "" for o in options).strip()
                for code in language_codes()
            },
        }


class ProposalForm(forms.Form):
    """A resident, an NGO or an advisory body proposes a poll (R28)."""

    initiator_kind = forms.ChoiceField(
        label=_("Who proposes"),
        choices=[
            (k.value, k.label)
            for k in (InitiatorKind.RESIDENT, InitiatorKind.NGO, InitiatorKind.ADVISORY_BODY)
        ],
        initial=InitiatorKind.RESIDENT,
        widget=forms.RadioSelect,
    )
    organisation_name = forms.CharField(
        label=_("Organisation"),
        required=False,
        max_length=255,
        help_text=_("For an NGO, a self-organisation body or an advisory body: its name."),
    )
    cabinet = forms.ModelChoiceField(
        label=_("Authority responsible"),
        queryset=Cabinet.objects.active(),
        help_text=_("The authority that moderates the proposal and runs the poll."),
    )
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(
        label=_("What is the poll about"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        help_text=_("Markdown: **bold**, *italic*, lists, links."),
    )
    starts_at = forms.DateTimeField(label=_("Voting opens"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(
        label=_("Voting closes"),
        widget=DATETIME_WIDGET,
        help_text=_("Voting usually lasts from 14 to 30 days."),
    )
    question_text = forms.CharField(label=_("Question"), max_length=500)
    question_kind = forms.ChoiceField(
        label=_("Kind of question"),
        choices=[
            (Question.Kind.SINGLE.value, Question.Kind.SINGLE.label),
            (Question.Kind.MULTIPLE.value, Question.Kind.MULTIPLE.label),
        ],
        initial=Question.Kind.SINGLE,
        widget=forms.RadioSelect,
    )
    options = forms.CharField(
        label=_("Options"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One option per line, at least two. The authority may add more questions."),
    )

    def clean(self):
        data = super().clean()
        needs_name = data.get("initiator_kind") in (InitiatorKind.NGO, InitiatorKind.ADVISORY_BODY)
        if needs_name and not (data.get("organisation_name") or "").strip():
            self.add_error("organisation_name", _("Name the organisation."))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Voting must close after it opens."))
        options = option_lines(data.get("options"))
        if "options" in data and len(options) < 2:
            self.add_error("options", _("Give at least two options, one per line."))
        data["option_list"] = options
        return data

    def service_fields(self):
        data = dict(self.cleaned_data)
        data["options"] = data.pop("option_list")
        return data


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The initiator reads this."),
    )


class TerminateForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=TerminationReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Residents read this on the poll's page."),
    )


class PublishForm(TranslatedFieldsMixin, forms.Form):
    translated_fields = ("decision",)
    decision = forms.CharField(
        label=_("Response and decision"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The body's response to the results and its final decision. Markdown."),  # R31
    )


class ScheduleForm(forms.Form):
    pass


ACTION_FORMS = {
    "schedule": ScheduleForm,
    "approve": ApproveForm,
    "refuse": RefuseForm,
    "terminate": TerminateForm,
    "publish_results": PublishForm,
}


class BallotForm(forms.Form):
    """The ballot: one field per question (one per option for a ranking). The fields take only
    the offered values; ``clean`` checks the question's rules (min/max, complete ranking, scale
    range) with the service's own check, which the service applies again (R30); the errors are
    shown beside the question."""

    def __init__(self, *args, questions, ballot=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.question_errors = {}
        initial = self._initial_from(ballot) if ballot is not None else {}
        for question in questions:
            options = list(question.options.all())
            name = f"q{question.pk}"
            if question.kind == Question.Kind.SINGLE:
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    choices=[(o.pk, o.text) for o in options],
                    coerce=int,
                    widget=forms.RadioSelect,
                    required=False,
                )
            elif question.kind == Question.Kind.MULTIPLE:
                self.fields[name] = forms.TypedMultipleChoiceField(
                    label=question.text,
                    choices=[(o.pk, o.text) for o in options],
                    coerce=int,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                )
            elif question.kind == Question.Kind.RANKING:
                places = [("", pgettext_lazy("ranking place", "—"))] + [
                    (i, str(i)) for i in range(1, len(options) + 1)
                ]
                for option in options:
                    self.fields[f"{name}_o{option.pk}"] = forms.TypedChoiceField(
                        label=option.text, choices=places, coerce=int, required=False
                    )
            elif question.kind == Question.Kind.SCALE:
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    choices=[
                        (i, str(i)) for i in range(Question.SCALE_MIN, Question.SCALE_MAX + 1)
                    ],
                    coerce=int,
                    widget=forms.RadioSelect,
                    required=False,
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
                    max_length=2000,
                    required=False,
                )
        for key, value in initial.items():
            if key in self.fields:
                self.fields[key].initial = value

    @staticmethod
    def _initial_from(ballot):
        initial = {}
        for answer in ballot.answers.select_related("question"):
            name = f"q{answer.question_id}"
            kind = answer.question.kind
            if kind == Question.Kind.SINGLE:
                initial[name] = answer.option_id
            elif kind == Question.Kind.MULTIPLE:
                initial.setdefault(name, []).append(answer.option_id)
            elif kind == Question.Kind.RANKING:
                initial[f"{name}_o{answer.option_id}"] = answer.rank
            elif kind == Question.Kind.SCALE:
                initial[name] = answer.value
            else:
                initial[name] = answer.text
        return initial

    def groups(self):
        """(question, bound fields, error) for the template, in question order."""
        out = []
        for question in self.questions:
            name = f"q{question.pk}"
            if question.kind == Question.Kind.RANKING:
                fields = [self[f"{name}_o{o.pk}"] for o in question.options.all()]
            else:
                fields = [self[name]]
            out.append((question, fields, self.question_errors.get(question.pk)))
        return out

    def answers(self):
        """What ``services.cast_ballot`` takes: {question id: value}."""
        data, raw = self.cleaned_data, {}
        for question in self.questions:
            name = f"q{question.pk}"
            if question.kind == Question.Kind.RANKING:
                raw[question.pk] = {
                    o.pk: data.get(f"{name}_o{o.pk}")
                    for o in question.options.all()
                    if data.get(f"{name}_o{o.pk}") not in (None, "")
                }
            else:
                raw[question.pk] = data.get(name)
        return raw

    def clean(self):
        """The question's own rules, by the very check the service applies again when the
        ballot is cast (choices within min/max, a complete ranking, the scale's range)."""
        cleaned = super().clean()
        if not self.errors:
            try:
                validate_answers(self.questions, self.answers())
            except BallotInvalid as exc:
                self.add_question_errors(exc.errors)
        return cleaned

    def add_question_errors(self, errors):
        self.question_errors.update(errors)
        self.add_error(None, _("Some answers need correcting: see the questions marked below."))
