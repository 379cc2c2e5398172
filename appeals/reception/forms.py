"""Validation of what citizens and officials type about personal reception. The rules themselves
(who may, which slot exists, which outcome needs what) are in ``services``."""

from datetime import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from appeals.models import Appeal, Category
from cabinets.access import members
from edem.core.translated_forms import TranslatedFieldsMixin

from .models import PrivilegedCategory, ReceptionCard, ReceptionSchedule
from .services import SCHEDULE_FIELDS


class ScheduleForm(TranslatedFieldsMixin, forms.ModelForm):
    """A reception of the cabinet; the position, the place and the topics in every language."""

    translated_fields = ("official_position", "place", "topics")

    class Meta:
        model = ReceptionSchedule
        fields = SCHEDULE_FIELDS
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "topics": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, cabinet, **kwargs):
        super().__init__(*args, **kwargs)
        staff = members(cabinet).values("user_id")
        self.fields["official"].queryset = get_user_model().objects.filter(pk__in=staff)

    def clean(self):
        data = super().clean()
        if (data.get("weekday") is None) == (data.get("date") is None):
            raise forms.ValidationError(_("Choose either a weekday or a date."))
        return data


class BookingForm(forms.Form):
    slot = forms.ChoiceField(label=pgettext_lazy("reception", "Day and time"))
    topic = forms.CharField(
        label=_("Your question, briefly"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category = forms.ModelChoiceField(
        label=_("Topic"), queryset=Category.objects.all(), required=False
    )
    privileged_category = forms.ChoiceField(
        label=_("Privileged category (bring the document)"),
        choices=PrivilegedCategory.choices,
        required=False,
    )

    def __init__(self, *args, days=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (f"{d.day.isoformat()} {t:%H:%M}", f"{d.day:%d.%m.%Y} {t:%H:%M}")
            for d in days
            for t in d.free
        ]

    def clean_slot(self):
        value = self.cleaned_data["slot"]
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M")  # noqa: DTZ007 (a local wall time)
        return moment.date(), moment.time()


class WalkInForm(forms.ModelForm):
    class Meta:
        model = ReceptionCard
        fields = (
            "schedule",
            "last_name",
            "first_name",
            "patronymic",
            "postal_address",
            "email",
            "id_document",
            "privileged_category",
            "privilege_basis",
            "category",
            "question",
        )
        widgets = {
            "postal_address": forms.Textarea(attrs={"rows": 2}),
            "question": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, cabinet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schedule"].queryset = ReceptionSchedule.objects.filter(cabinet=cabinet)


class OpenCardForm(forms.Form):
    id_document = forms.ChoiceField(
        label=_("identity document seen"), choices=ReceptionCard.IdDocument.choices
    )
    privilege_basis = forms.CharField(
        label=_("document of the privilege"), max_length=255, required=False
    )


class OralAnswerForm(forms.Form):
    answer = forms.CharField(label=_("oral answer given"), widget=forms.Textarea(attrs={"rows": 4}))
    consent = forms.BooleanField(label=_("the citizen agreed to an oral answer"), required=False)


class WrittenAppealForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Appeal.Kind.choices)
    subject = forms.CharField(label=_("subject"), max_length=255)
    text = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 6}))
    answer_channel = forms.ChoiceField(
        label=_("answer channel"),
        choices=[
            (Appeal.AnswerChannel.POST, Appeal.AnswerChannel.POST.label),
            (Appeal.AnswerChannel.EMAIL, Appeal.AnswerChannel.EMAIL.label),
        ],
    )


class ExplainForm(forms.Form):
    explanation = forms.CharField(
        label=_("where to apply"), widget=forms.Textarea(attrs={"rows": 4})
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for refusal"), widget=forms.Textarea(attrs={"rows": 3})
    )
    earlier_number = forms.CharField(
        label=_("number of the earlier appeal answered"), max_length=60, required=False
    )
