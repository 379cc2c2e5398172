"""Forms that bring an appeal in: the registrar's entry of a paper, post or e-mail-scan appeal
(R4) and the organisation section (59-FZ Art. 1(4)) it shares with the citizen's form."""

from datetime import datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabinets.access import cabinets_where
from edem.core.jurisdiction import offered_answer_channels

from .categories import CategoryChoiceField
from .forms import (
    MAX_TEXT,
    ORGANISATION_FIELDS,
    RESPONDENT_FIELDS,
    MultipleFileInput,
    clean_organisation,
    clean_respondents,
    organisation_labels,
    respondent_labels,
)
from .models import Appeal, Category
from .services import ENTERED_CHANNELS

MIN_QUERY = 3
FOUND_MAX = 20


def find_citizens(query):
    """Accounts a registrar may pick as the author: by name or e-mail, at most 20."""
    query = (query or "").strip()
    if len(query) < MIN_QUERY:
        return get_user_model().objects.none()
    words = query.split()[:3]
    match = Q()
    for word in words:
        match &= (
            Q(last_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(patronymic__icontains=word)
            | Q(email__icontains=word)
        )
    return (
        get_user_model()
        .objects.filter(match, is_active=True)
        .order_by("last_name", "first_name", "pk")[:FOUND_MAX]
    )


class PaperAppealForm(forms.ModelForm):
    """R4: an appeal a registrar enters from paper, post or a scan received by e-mail."""

    cabinet = forms.ModelChoiceField(label=_("Addressee"), queryset=None, empty_label=None)
    channel = forms.ChoiceField(label=_("How it was received"))
    received_on = forms.DateField(
        label=_("Date received"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("As stamped on the letter: the registration term counts from it."),
    )
    citizen_query = forms.CharField(
        label=_("Find the citizen's account"),
        required=False,
        max_length=100,
        help_text=_("Surname, name or e-mail; leave empty if the citizen has no account."),
    )
    author = forms.ModelChoiceField(
        label=_("Citizen's account"),
        queryset=None,
        required=False,
        widget=forms.RadioSelect,
        empty_label=_("No account: use the name and address below"),
        blank=True,
    )
    scans = forms.FileField(
        label=_("Scans of the letter"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg"}),
        help_text=_("Up to 10 files, each up to 10 MB: PDF documents or JPEG images."),
    )
    pending = forms.CharField(widget=forms.HiddenInput, required=False)
    register_now = forms.BooleanField(
        label=_("Register it now (give the number)"), required=False, initial=True
    )

    class Meta:
        model = Appeal
        field_classes = {"category": CategoryChoiceField}
        fields = [
            "kind",
            "category",
            "subject",
            "text",
            "last_name",
            "first_name",
            "patronymic",
            "postal_address",
            "email",
            "phone",
            *ORGANISATION_FIELDS,
            "answer_channel",
            *RESPONDENT_FIELDS,
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 10, "maxlength": MAX_TEXT}),
            "postal_address": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, pending=(), found=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending_attachments = list(pending)
        if self.is_bound:
            self.data = self.data.copy()
            self.data["pending"] = ",".join(str(a.pk) for a in self.pending_attachments)
        self.fields["cabinet"].queryset = cabinets_where(user, "cabinets.register_appeal")
        self.fields["channel"].choices = [
            (value, label) for value, label in Appeal.Channel.choices if value in ENTERED_CHANNELS
        ]
        self.fields["kind"].choices = Appeal.Kind.choices
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["category"].empty_label = _("Choose a topic")
        self.fields["answer_channel"].choices = [
            (value, label)
            for value, label in Appeal.AnswerChannel.choices
            if value in offered_answer_channels()
        ]
        self.fields["answer_channel"].initial = Appeal.AnswerChannel.POST
        # The surname may come from the chosen account (checked in clean, 59-FZ Art. 7).
        self.fields["last_name"].required = False
        self.fields["first_name"].required = False
        self.fields["received_on"].initial = timezone.localdate()
        self.found = list(found) if found is not None else []
        chosen = self.data.get("author") if self.is_bound else None
        ids = [u.pk for u in self.found] + ([int(chosen)] if str(chosen or "").isdigit() else [])
        self.fields["author"].queryset = get_user_model().objects.filter(pk__in=ids, is_active=True)
        self.fields["author"].label_from_instance = lambda user: f"{user} — {user.email}"
        organisation_labels(self.fields)
        respondent_labels(self.fields)  # R6

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The receipt date cannot be in the future."))
        return day

    def clean_text(self):
        return self.cleaned_data["text"].replace("\r\n", "\n").strip()

    def clean(self):
        data = super().clean()
        author = data.get("author")
        if author is not None:  # the account's name and addresses where none were typed
            for name in ("last_name", "first_name", "patronymic", "email", "postal_address"):
                if not data.get(name) and name not in self.errors:
                    data[name] = getattr(author, name, "")
        if not data.get("last_name") and "last_name" not in self.errors:
            self.add_error("last_name", _("Enter the surname (59-FZ Art. 7)."))
        channel = data.get("answer_channel")
        needed = {
            Appeal.AnswerChannel.POST: "postal_address",
            Appeal.AnswerChannel.EMAIL: "email",
        }.get(channel)
        if needed and not data.get(needed) and needed not in self.errors:
            self.add_error(needed, _("The answer goes there: enter it."))
        if channel == Appeal.AnswerChannel.PORTAL_ACCOUNT and author is None:
            self.add_error("answer_channel", _("The citizen has no account chosen above."))
        clean_organisation(self, data)
        clean_respondents(self, data)  # R6
        return data

    def received_at(self):
        """The receipt moment: now for today, midday of an earlier day (its local date is what
        the clocks count from)."""
        day = self.cleaned_data["received_on"]
        if day == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(day, time(12, 0)))

    def service_fields(self):
        """What ``services.enter_paper_appeal`` takes."""
        data = dict(self.cleaned_data)
        for name in ("received_on", "citizen_query", "scans", "pending"):
            data.pop(name, None)
        data["received_at"] = self.received_at()
        data["scans"] = self.pending_attachments
        return data
