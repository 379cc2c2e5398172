"""The citizen's filing form: validation with messages a citizen understands."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cabinets.access import members
from cabinets.models import Cabinet
from cabinets.roles import Role
from cabinets.selectors import staffed_cabinets
from edem.core import orgnumbers
from edem.core.jurisdiction import get_profile, offered_answer_channels
from edem.geo.points import PointFormMixin, coordinate_fields

from .categories import CategoryChoiceField
from .models import Appeal, Category
from .services.filing import required_fields

MAX_TEXT = 20_000


def kind_help_text(profile):
    """What each kind means, with the law a request for information is answered under (R17:
    its own kind, not an appeal) and its term from the profile."""
    text = _(
        "A proposal suggests an improvement; a statement asks for help or reports a problem; a complaint asks to restore violated rights."
    )
    rules = profile.information_requests
    if rules is None:
        return text
    request = (
        ngettext(
            "A request for information asks for information about the work of the authority; it is answered under the %(law)s within %(days)d working day.",
            "A request for information asks for information about the work of the authority; it is answered under the %(law)s within %(days)d working days.",
            rules.answer_days,
        )
        if rules.working_days
        else ngettext(
            "A request for information asks for information about the work of the authority; it is answered under the %(law)s within %(days)d day of registration.",
            "A request for information asks for information about the work of the authority; it is answered under the %(law)s within %(days)d days of registration.",
            rules.answer_days,
        )
    ) % {"law": rules.law_name, "days": rules.answer_days}
    return format_lazy("{} {}", text, request)


ORGANISATION_FIELDS = ("organisation_name", "organisation_number", "signer_position")


def organisation_labels(fields):
    """Label the number field with the kinds the jurisdiction profile accepts (ОГРН/ИНН or
    ЄДРПОУ): the profile says which, never an ``if`` on the jurisdiction."""
    kinds = get_profile().organisation_numbers
    fields["organisation_number"].help_text = _("%(kinds)s, digits only.") % {
        "kinds": orgnumbers.label(kinds)
    }
    fields["organisation_name"].help_text = _(
        "Only for an appeal on behalf of an organisation or association: the answer is "
        "addressed to it."
    )


def clean_organisation(form, data):
    """The organisation section as the service checks it (``services.check_organisation``),
    with the messages beside the fields."""
    if not (data.get("organisation_name") or "").strip():
        for name in ("organisation_number", "signer_position"):
            if data.get(name):
                form.add_error(
                    "organisation_name",
                    _("Name the organisation on whose behalf the appeal is made."),
                )
                break
        return
    kinds = get_profile().organisation_numbers
    if not orgnumbers.is_valid(data.get("organisation_number", ""), kinds):
        form.add_error(
            "organisation_number",
            _("Enter the organisation's registration number (%(kinds)s) with its check digit.")
            % {"kinds": orgnumbers.label(kinds)},
        )
    if not (data.get("signer_position") or "").strip():
        form.add_error(
            "signer_position",
            _("Enter the position of the person who signs for the organisation."),
        )


RESPONDENT_FIELDS = ("respondent_cabinet", "respondent_official")
# R6: the officials a complaint can name: the people who take decisions on appeals.
DECIDING_ROLES = (Role.HEAD, Role.REGISTRAR, Role.EXECUTOR)


def respondent_labels(fields):
    """R6: the body complained about among the active cabinets, the official among the
    people who decide on appeals, each shown with the position and cabinet."""
    people = {}
    for membership in members(roles=DECIDING_ROLES).select_related("cabinet"):
        where = membership.cabinet.short_name or membership.cabinet.name
        people.setdefault(membership.user_id, []).append(
            f"{membership.position}, {where}" if membership.position else where
        )
    official = fields["respondent_official"]
    official.queryset = (
        get_user_model()
        .objects.filter(pk__in=people, is_active=True)
        .order_by("last_name", "first_name", "pk")
    )
    official.label_from_instance = lambda user: f"{user.full_name} ({'; '.join(people[user.pk])})"
    official.empty_label = _("No one in particular")
    official.help_text = _("Only for a complaint about a decision or action of an official.")
    body = fields["respondent_cabinet"]
    body.queryset = Cabinet.objects.active().order_by("name")
    body.empty_label = _("No body in particular")
    body.help_text = _(
        "Only for a complaint about a decision or action of a body. The complaint is never "
        "sent for decision to the body or official it is about."
    )


def clean_respondents(form, data):
    """R6 as the service checks it (``services.check_respondents``), beside the fields."""
    if data.get("kind") == Appeal.Kind.COMPLAINT:
        return
    for name in RESPONDENT_FIELDS:
        if data.get(name):
            form.add_error(name, _("Only a complaint names the body or official complained about."))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AppealForm(PointFormMixin, forms.ModelForm):
    attachments = forms.FileField(
        label=_("Photos and documents"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
        help_text=_(
            "Up to 10 files, each up to 10 MB: JPEG, PNG or WebP photos and PDF documents. Location data is removed from photos."
        ),
    )
    pending = forms.CharField(widget=forms.HiddenInput, required=False)
    latitude, longitude = coordinate_fields()

    cabinet = forms.ModelChoiceField(
        label=_("Addressee"),
        queryset=staffed_cabinets(),
        required=False,
        empty_label=_("I don't know: let the portal route it"),
        help_text=_(
            "Choose the authority, or leave it to the portal: it routes by topic and place."
        ),
    )
    personal_data_consent = forms.BooleanField(
        label=_("I agree that my personal data is processed to consider this appeal."),
        required=True,
        error_messages={"required": _("Without this consent the appeal cannot be considered.")},
    )

    class Meta:
        model = Appeal
        field_classes = {"category": CategoryChoiceField}
        fields = [
            "kind",
            "cabinet",
            "category",
            "subject",
            "text",
            "place",
            "latitude",
            "longitude",
            "last_name",
            "first_name",
            "patronymic",
            "answer_channel",
            "email",
            "postal_address",
            "phone",
            *ORGANISATION_FIELDS,
            *RESPONDENT_FIELDS,
            "is_public",
            "show_author_name",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 10, "maxlength": MAX_TEXT}),
            "postal_address": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "is_public": _("Show the problem on the public map"),
            "show_author_name": _("Show my name next to it"),
        }
        help_texts = {
            "place": _("Street and house, or a landmark. You can also mark the place on the map."),
            "is_public": _(
                "Everyone will see the problem on the map, without your contacts or address."
            ),
            "show_author_name": _("If the problem is public, show your name next to it."),
            "email": _("The answer and notices are sent here."),
            "postal_address": _("Needed if you want the answer by post."),
        }

    def __init__(self, *args, user=None, pending=(), cabinet_code=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending_attachments = list(pending)
        if cabinet_code and not self.is_bound:
            # "?cabinet=<code>": the addressee chosen in advance (a link from the authority's
            # own website, integrations.widget); only a cabinet the form offers, else nothing.
            preselected = self.fields["cabinet"].queryset.filter(code=cabinet_code).first()
            if preselected is not None:
                self.initial["cabinet"] = preselected.pk
        if self.is_bound:
            self.data = self.data.copy()
            self.data["pending"] = ",".join(str(a.pk) for a in self.pending_attachments)
        self.profile = get_profile()
        self.fields["category"].queryset = Category.objects.filter(is_active=True).select_related(
            "parent"
        )
        self.fields["category"].empty_label = _("Choose a topic")
        self.fields["kind"].choices = Appeal.Kind.choices
        self.fields["kind"].help_text = kind_help_text(self.profile)
        self.fields["answer_channel"].choices = [
            (value, label)
            for value, label in Appeal.AnswerChannel.choices
            if value in offered_answer_channels(self.profile)
        ]
        self.fields["text"].max_length = MAX_TEXT
        organisation_labels(self.fields)
        respondent_labels(self.fields)  # R6
        self.fields["subject"].widget.attrs["maxlength"] = 255
        if user is not None and not self.is_bound:
            for name in (
                "last_name",
                "first_name",
                "patronymic",
                "email",
                "postal_address",
                "phone",
            ):
                self.initial.setdefault(name, getattr(user, name, ""))

    def clean_text(self):
        # Browsers send textarea line breaks as CR LF: count and store them as one character.
        text = self.cleaned_data["text"].replace("\r\n", "\n").strip()
        if len(text) > MAX_TEXT:
            raise forms.ValidationError(_("The text is longer than 20,000 characters."))
        return text

    def clean(self):
        data = super().clean()
        needed = required_fields(self.profile, data.get("kind"), data.get("answer_channel"))
        for name in needed:  # R3, R19, R17
            if name in self.fields and not data.get(name) and name not in self.errors:
                self.add_error(name, _("Needed to consider the appeal and send you the answer."))
        clean_organisation(self, data)  # 59-FZ Art. 1(4)
        clean_respondents(self, data)  # R6
        self.clean_point(data)
        if data.get("show_author_name") and not data.get("is_public"):
            data["show_author_name"] = False
        return data

    def service_fields(self):
        """What ``services.file_appeal`` takes."""
        data = dict(self.cleaned_data)
        for name in ("personal_data_consent", "attachments", "pending"):
            data.pop(name, None)
        data["attachments"] = self.pending_attachments
        return data


def parse_ids(value):
    return [int(part) for part in (value or "").split(",") if part.strip().isdigit()][:50]


# --- The author's actions after filing (appeals.views.citizen_action) ----------------------
# Lenient on purpose: the rules (1 to 5 stars, a reason to reopen) live in the services, whose
# refusals the citizen reads; the forms only turn the request into typed values.


class RateForm(forms.Form):
    stars = forms.IntegerField(label=_("Rating"), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, strip=False)

    def clean_stars(self):
        return self.cleaned_data["stars"] or 0


class ReopenRequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, strip=False)


class InviteForm(forms.Form):
    emails = forms.CharField(label=_("E-mail addresses"), required=False, strip=False)

    def clean_emails(self):
        """One address a line, or several separated by commas."""
        return self.cleaned_data["emails"].replace(",", "\n").splitlines()


class MaterialsForm(forms.Form):
    """The note of added materials; the files are checked and stored before (they may come
    back with the form), and arrive as ``attachments`` with their ``upload_errors``."""

    note = forms.CharField(label=_("Note"), required=False, strip=False)

    def __init__(self, *args, attachments, upload_errors, **kwargs):
        super().__init__(*args, **kwargs)
        self.attachments, self.upload_errors = attachments, upload_errors

    def clean(self):
        data = super().clean()
        if self.upload_errors:
            raise forms.ValidationError(" ".join(self.upload_errors))
        if not self.attachments:
            raise forms.ValidationError(_("Choose at least one file."))
        data["attachments"] = self.attachments
        return data
