"""Forms of the service cabinet: the work-queue filter and one small form per action."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appeals.community.selectors import likely_duplicates
from cabinets.access import cabinets_where, roles_by_cabinet, staff_with
from cabinets.models import Cabinet, ExternalBody
from edem.core import widgets as quick
from edem.core.jurisdiction import get_profile
from edem.core.uploads import MAX_FILES, UploadRefused, clean_upload
from edem.geo.models import Territory

from . import card_reads
from .card_reads import card_lists, classifier_codes, staff_of
from .categories import CategoryChoiceField
from .choices import kept
from .forms import MultipleFileInput
from .models import Appeal, Attachment, Category, ClassifierCode, DeadlinePolicy
from .selectors import OPEN, Scope, earlier_answers, same_citizen
from .workflow import WORKING, Status


class QueueFilterForm(forms.Form):
    """The work queue's filter. Its widgets render without the template engine
    (``edem.core.widgets``): it is drawn on every visit of the queue."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200, widget=quick.TextInput)
    scope = forms.ChoiceField(
        label=_("Show"),
        required=False,
        widget=quick.Select,
        choices=[
            (Scope.HELD, _("Held by my cabinet")),
            (Scope.PASSED, _("Forwarded elsewhere (read-only)")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        widget=quick.Select,
        choices=[(OPEN, _("Open (in work)")), ("", _("All"))] + list(Status.choices),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        widget=quick.Select,
        choices=[("", _("All"))] + list(Appeal.Kind.choices),
    )
    category = CategoryChoiceField(
        Category.objects.all(),
        label=_("Topic"),
        required=False,
        empty_label=_("All"),
        whole_groups=True,
        widget=quick.Select,
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.defer("boundary"),
        required=False,
        widget=quick.Select,
        empty_label=_("All"),
    )
    executor = forms.ModelChoiceField(
        label=_("Executor"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Anyone"),
        widget=quick.Select,
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=quick.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=quick.DateInput(attrs={"type": "date"})
    )
    registered_from = forms.DateField(
        label=_("Registered from"), required=False, widget=quick.DateInput(attrs={"type": "date"})
    )
    registered_to = forms.DateField(
        label=_("Registered to"), required=False, widget=quick.DateInput(attrs={"type": "date"})
    )
    due_from = forms.DateField(
        label=_("Due from"), required=False, widget=quick.DateInput(attrs={"type": "date"})
    )
    due_to = forms.DateField(
        label=_("Due to"), required=False, widget=quick.DateInput(attrs={"type": "date"})
    )
    overdue = forms.BooleanField(
        label=_("Overdue only"), required=False, widget=quick.CheckboxInput
    )
    due_soon = forms.BooleanField(label=_("Due soon"), required=False, widget=quick.CheckboxInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        days = self.due_soon_days = DeadlinePolicy.current().due_soon_days
        self.fields["due_soon"].label = ngettext(
            "Due in %(days)d day or less", "Due in %(days)d days or less", days
        ) % {"days": days}
        self.fields["executor"].queryset = staff_with(
            "cabinets.answer_appeal", cabinets_where(user)
        )
        # The lists to choose from, built once per language, set of cabinets and version of
        # the data they come from; the querysets still check what is sent.
        cabinets = tuple(sorted(roles_by_cabinet(user)))
        for name, choices in kept(("queue", cabinets), self._build_choices).items():
            self.fields[name].choices = choices

    def _build_choices(self):
        return {name: [_plain(c) for c in self.fields[name].choices] for name in FROM_DATA}


def _plain(choice):
    """A choice as plain values (no model instance, no lazy text) to keep between requests;
    a group's choices too."""
    value, label = choice
    if isinstance(label, list | tuple):
        return (str(value), [_plain(item) for item in label])
    return (getattr(value, "value", value), str(label))


# The filter's fields whose choices come from the data: topics, territories, the executors of
# the user's cabinets.
FROM_DATA = ("category", "territory", "executor")


def _offer(field, choices):
    """Show ``choices`` (kept plain values, ``card_reads.card_lists``) in a model choice field, after
    its empty choice; its queryset still checks what is sent."""
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = [*empty, *choices]


def _offer_addressees(form, appeal, body_field):
    """The addressees a form sends the appeal or a request to: ``to_cabinet``, the active
    cabinets but the appeal's own, and ``body_field``, the active external bodies. A blank
    form shows the kept lists; the querysets that check what is sent are built for a posted
    form only."""
    if form.is_bound:
        to_cabinet = Cabinet.objects.active().exclude(pk=appeal.cabinet_id)
        form.fields["to_cabinet"].queryset = to_cabinet
        form.fields[body_field].queryset = ExternalBody.objects.active().order_by("name")
    lists = card_lists(appeal.cabinet_id)
    others = [(pk, name) for pk, name in lists["cabinets"] if pk != appeal.cabinet_id]
    _offer(form.fields["to_cabinet"], others)
    _offer(form.fields[body_field], lists["bodies"])


class CardForm(quick.QuickFormMixin, forms.Form):
    """An action form of the appeal card: drawn on every visit, so written without a template
    per field (``edem.core.widgets``)."""


class AssignForm(CardForm):
    executor = forms.ModelChoiceField(
        label=_("Executor"), queryset=get_user_model().objects.none(), widget=quick.Select
    )
    co_executors = forms.ModelMultipleChoiceField(
        label=_("Co-executors"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=quick.SelectMultiple,
    )

    def __init__(self, *args, appeal=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:  # the querysets check what is sent; a blank form shows kept lists
            staff = staff_of(appeal.cabinet_id)
            self.fields["executor"].queryset = staff
            self.fields["co_executors"].queryset = staff
        people = card_lists(appeal.cabinet_id)["staff"]
        _offer(self.fields["executor"], people)
        self.fields["co_executors"].choices = people

    def clean_co_executors(self):
        return list(self.cleaned_data["co_executors"])


class ExtendForm(CardForm):
    days = forms.IntegerField(
        label=_("Extend by (days)"), min_value=1, max_value=30, widget=quick.NumberInput
    )
    reason = forms.ChoiceField(
        label=_("Ground"),
        choices=[
            ("exceptional", _("Exceptional case")),
            ("external_request", _("Documents requested from another body")),
        ],
        widget=quick.Select,
    )
    note = forms.CharField(
        label=_("Explanation for the citizen"), widget=quick.Textarea(attrs={"rows": 2})
    )


class ForwardForm(CardForm):
    to_cabinet = forms.ModelChoiceField(
        label=_("To a cabinet on the portal"),
        queryset=Cabinet.objects.none(),
        required=False,
        widget=quick.Select,
    )
    to_body = forms.ModelChoiceField(
        label=_("Or to a body outside the portal (sent by e-mail)"),
        queryset=ExternalBody.objects.none(),
        required=False,
        widget=quick.Select,
    )
    reason = forms.CharField(label=_("Reason"), widget=quick.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, appeal=None, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_addressees(self, appeal, "to_body")

    def clean(self):
        data = super().clean()
        if bool(data.get("to_cabinet")) == bool(data.get("to_body")):
            raise forms.ValidationError(
                _("Choose either a cabinet on the portal or an external body, not both.")
            )
        return data


class RequestDocumentsForm(CardForm):
    """R7: a request for documents to another body: one addressee (a body of the directory,
    sent by e-mail; a cabinet of the portal; or a name and address for a letter by post), what
    is requested, the appeal's files to send with it, and the official's confirmation."""

    body = forms.ModelChoiceField(
        label=_("A body of the directory (sent by e-mail)"),
        queryset=ExternalBody.objects.none(),
        required=False,
        widget=quick.Select,
    )
    to_cabinet = forms.ModelChoiceField(
        label=_("Or a cabinet of the portal"),
        queryset=Cabinet.objects.none(),
        required=False,
        widget=quick.Select,
    )
    addressee = forms.CharField(
        label=_("Or the addressee of a letter by post"),
        help_text=_("The body's name; you print the letter from the card and post it yourself."),
        required=False,
        max_length=255,
        widget=quick.TextInput,
    )
    postal_address = forms.CharField(
        label=_("Postal address of the letter"),
        help_text=_("Printed on the letter under the addressee."),
        required=False,
        max_length=1000,
        widget=quick.Textarea(attrs={"rows": 3}),
    )
    subject = forms.CharField(label=_("What is requested"), max_length=500, widget=quick.TextInput)
    text = forms.CharField(
        label=_("Text of the request"),
        required=False,
        max_length=10000,
        widget=quick.Textarea(attrs={"rows": 4}),
    )
    files = forms.ModelMultipleChoiceField(
        label=_("Files of the appeal to send with it"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confirm = forms.BooleanField(
        label=_("Send the request now: it cannot be recalled"), widget=quick.CheckboxInput
    )

    def __init__(self, *args, appeal=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_addressees(self, appeal, "body")
        days = get_profile().external_request_days
        self.fields["confirm"].help_text = ngettext(
            "The reply is due %(days)d day after sending.",
            "The reply is due %(days)d days after sending.",
            days,
        ) % {"days": days}
        if case is not None:  # the card has read the files: no query of its own
            files = sorted(case.attachments, key=lambda item: item.pk)
            self.fields["files"].choices = [(item.pk, item.original_name) for item in files]
        else:
            self.fields["files"].queryset = appeal.attachments.order_by("pk")
            self.fields["files"].label_from_instance = lambda f: f.original_name
            files = self.fields["files"].queryset.exists()
        if not files:
            del self.fields["files"]

    def clean(self):
        data = super().clean()
        chosen = [name for name in ("body", "to_cabinet", "addressee") if data.get(name)]
        if not chosen and not self.has_error("body") and not self.has_error("to_cabinet"):
            self.add_error(
                "body", _("Choose a body or a cabinet, or write the addressee of a letter by post.")
            )
        for name in chosen[1:]:
            self.add_error(name, _("Choose one addressee only."))
        if data.get("postal_address") and not data.get("addressee"):
            self.add_error(
                "postal_address", _("A postal address goes with the addressee of a letter by post.")
            )
        data.pop("confirm", None)
        data["files"] = list(data.get("files") or [])
        return data


class RequestPostedForm(CardForm):
    """R7: the day the printed request for documents was posted."""

    posted_on = forms.DateField(
        label=_("Posted on"),
        widget=quick.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ExternalReplyForm(CardForm):
    """R7: a reply to a request for documents that came by post or through a cabinet of the
    portal, filed by an official: its text and its scans, checked like any upload (the files
    arrive as ``uploads``; a refused one is an error beside the field, with its reason)."""

    text = forms.CharField(
        label=_("Text of the reply"),
        required=False,
        max_length=20000,
        widget=quick.Textarea(attrs={"rows": 3}),
    )
    files = forms.FileField(
        label=_("Scans of the reply"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
        help_text=_("Up to 10 files, each up to 10 MB: PDF documents and images."),
    )

    def __init__(self, *args, uploads=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.uploads = list(uploads)

    def clean(self):
        data = super().clean()
        files = []
        if len(self.uploads) > MAX_FILES:
            self.add_error(
                "files", _("Up to 10 files, each up to 10 MB: PDF documents and images.")
            )
            self.uploads = []
        for upload in self.uploads:
            try:
                clean_upload(upload)
            except UploadRefused as exc:
                self.add_error("files", f"{upload.name}: {exc}")
                continue
            upload.seek(0)
            files.append((upload.name, upload.read()))
        data["files"] = files
        if not self.errors and not data.get("text", "").strip() and not files:
            self.add_error("text", _("Give the text of the reply or attach its scan."))
        return data


class ClassifierField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class DraftForm(CardForm):
    """The answer draft. For a request for information (R17) also the files of the
    information, or a ground of refusal from the profile (the text then gives the reasons);
    the files arrive checked and stored as ``attachments`` with their ``upload_errors``."""

    text = forms.CharField(label=_("Answer"), widget=quick.Textarea(attrs={"rows": 10}))
    result = forms.ChoiceField(
        label=_("Result of the consideration"),
        choices=[("", "—"), *[(r.value, r.label) for r in Appeal.MERITS_RESULTS]],
        help_text=_("Counted in the statutory reports."),
        widget=quick.Select,
    )
    classifier = ClassifierField(
        label=_("Question's code in the topic classifier"),
        queryset=ClassifierCode.objects.none(),
        required=False,
        empty_label=_("As registered"),
        help_text=_("The code the category gave at registration, unless you choose another."),
        widget=quick.Select,
    )

    def __init__(self, *args, appeal=None, case=None, attachments=(), upload_errors=(), **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound or appeal is None:  # checks what is sent; else the kept list below
            self.fields["classifier"].queryset = classifier_codes()
        if appeal is not None:
            _offer(self.fields["classifier"], card_lists(appeal.cabinet_id)["classifier"])
        self.attachments, self.upload_errors = list(attachments), list(upload_errors)
        rules = get_profile().information_requests
        if appeal is not None and appeal.is_information_request:
            # R16's result and code belong to appeals; a request for information has neither.
            del self.fields["result"], self.fields["classifier"]
        if appeal is not None and appeal.is_information_request and rules is not None:
            self.fields["refusal_ground"] = forms.ChoiceField(
                label=_("Refuse the information"),
                required=False,
                choices=[
                    ("", _("No: the answer provides the information")),
                    *rules.refusal_grounds,
                ],
                help_text=_("On refusal, the answer's text gives the reasons."),
            )
            self.fields["files"] = forms.FileField(
                label=_("Files of the information"),
                required=False,
                widget=MultipleFileInput(),
                help_text=_(
                    "Up to 10 files, each up to 10 MB: PDF documents and images. They go to the requester with the signed answer."
                ),
            )
            if case is not None:  # the card has read the answers and the files
                draft = case.draft
                has_files = draft is not None and bool(case.files_of(draft))
            else:
                draft = appeal.answers.filter(signed_at__isnull=True).first()
                has_files = draft is not None and draft.files.exists()
            if has_files:
                self.fields["remove_files"] = forms.ModelMultipleChoiceField(
                    label=_("Remove from the answer"),
                    queryset=draft.files.order_by("pk"),
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
                self.fields["remove_files"].label_from_instance = lambda f: f.original_name
            self.fields["pending"] = forms.CharField(widget=quick.HiddenInput, required=False)
            if self.is_bound:
                self.data = self.data.copy()
                self.data[self.add_prefix("pending")] = ",".join(
                    str(a.pk) for a in self.attachments
                )

    def clean_text(self):
        # No CR in the signed text: its hash on the letter must match what is verified (R12).
        return self.cleaned_data["text"].replace("\r\n", "\n")

    def clean(self):
        data = super().clean()
        for message in self.upload_errors:
            self.add_error("files" if "files" in self.fields else None, message)
        data.pop("pending", None)
        if "files" in self.fields:
            data["files"] = self.attachments
        if "remove_files" in data:
            data["remove_files"] = list(data["remove_files"])
        return data


class DeferForm(CardForm):
    """R17: the deferral of the answer to a request for information, with its ground and the
    reason the requester is told."""

    days = forms.IntegerField(label=_("Defer by"), min_value=1, widget=quick.NumberInput)
    ground = forms.ChoiceField(label=_("Ground"), widget=quick.Select)
    note = forms.CharField(
        label=_("Reason for the requester"), widget=quick.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = get_profile().information_requests
        if rules is not None:
            self.fields["ground"].choices = rules.deferral_grounds
            self.fields["days"].widget.attrs["max"] = rules.max_deferral_days
            self.fields["days"].label = (
                _("Defer by (working days)") if rules.working_days else _("Defer by (days)")
            )


class SignForm(CardForm):
    otp_code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=10,
        widget=quick.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _earlier_appeal_label(obj):
    # Status(...).label, not get_status_display(): Django builds the whole choices dict again
    # on each call, and a citizen with a long history offers a hundred options on the card.
    return f"{obj.number} — {obj.subject} ({Status(obj.status).label})"


class EarlierAppealField(forms.ModelChoiceField):
    widget = quick.Select

    def label_from_instance(self, obj):
        return _earlier_appeal_label(obj)


class EarlierAppealMultipleField(forms.ModelMultipleChoiceField):
    widget = quick.SelectMultiple

    def label_from_instance(self, obj):
        return _earlier_appeal_label(obj)


class NoMeritsForm(CardForm):
    ground = forms.ChoiceField(
        label=_("Ground (59-FZ Art. 11)"),
        choices=Appeal.NoMeritsGround.choices,
        widget=quick.Select,
    )
    note = forms.CharField(label=_("Explanation"), widget=quick.Textarea(attrs={"rows": 2}))
    earlier = EarlierAppealMultipleField(
        label=_("Earlier answers on the merits to this citizen (part 5)"),
        queryset=Appeal.objects.none(),
        required=False,
    )
    published_url = forms.URLField(
        label=_("Address of the published answer (part 5.1)"),
        required=False,
        assume_scheme="https",
        widget=quick.URLInput,
    )
    law_enforcement = forms.CharField(
        label=_("Law enforcement body the offence report is sent to (part 1)"),
        required=False,
        max_length=255,
        widget=quick.TextInput,
    )
    law_enforcement_body = forms.ModelChoiceField(
        label=_("Or send it by e-mail to a law enforcement body (part 1)"),
        queryset=ExternalBody.objects.filter(kind=ExternalBody.Kind.LAW_ENFORCEMENT).active(),
        required=False,
        widget=quick.Select,
    )

    def __init__(self, *args, appeal=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if appeal is not None:
            _offer(self.fields["law_enforcement_body"], card_lists(appeal.cabinet_id)["law_bodies"])
        field = self.fields["earlier"]
        if case is not None and case.citizen_appeals is not None:
            # The card's blank form: the options from what the card has read; the queryset
            # that checks a choice is built for a posted form only.
            field.choices = [
                (other.pk, field.label_from_instance(other))
                for other in card_reads.earlier_answers(case.citizen_appeals)
            ]
        elif appeal is not None:
            field.queryset = earlier_answers(appeal).order_by("-received_at")

    def clean(self):
        data = super().clean()
        data["earlier"] = list(data.get("earlier") or [])
        return data


class ReturnForm(CardForm):
    note = forms.CharField(
        label=_("Explanation for the citizen"),
        help_text=_("For a complaint, the letter also explains the right to go to court."),
        widget=quick.Textarea(attrs={"rows": 3}),
    )


class MergeForm(CardForm):
    into = EarlierAppealField(
        label=_("Earlier appeal: of the same citizen, or the same public problem"), queryset=None
    )
    note = forms.CharField(
        label=_("Explanation for the citizen"),
        required=False,
        widget=quick.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, appeal=None, user=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = None  # [(pk, label)] once read (``actions._has_earlier_appeal``)
        if case is not None and case.citizen_appeals is not None:
            # The card's blank form: the options from what the card has read; the queryset
            # that checks a choice is built for a posted form only.
            field = self.fields["into"]
            self.candidates = [
                (other.pk, field.label_from_instance(other))
                for other in card_reads.merge_candidates(case.citizen_appeals)
            ]
            field.choices = [("", field.empty_label), *self.candidates]
            return
        candidates = same_citizen(appeal) or Q(pk__in=[])
        if appeal.is_public and user is not None:
            # Duplicates of a public problem reported by others (issue #4).
            duplicates = [other.pk for other, *_rest in likely_duplicates(user, appeal)]
            candidates |= Q(pk__in=duplicates, is_public=True)
        self.fields["into"].queryset = (
            Appeal.objects.filter(candidates, cabinet_id=appeal.cabinet_id)
            .exclude(pk=appeal.pk)
            .exclude(number="")
            .filter(status__in=[*WORKING, Status.ANSWERED])
            .order_by("-received_at")
        )


class ReopenForm(CardForm):
    reason = forms.CharField(
        label=_("Why the case is reopened (the citizen will read it)"),
        widget=quick.Textarea(attrs={"rows": 2}),
    )


class EmptyForm(CardForm):
    pass


class MailCabinetForm(forms.Form):
    """Which cabinet's outgoing mail to show (R12), for a registrar of several."""

    cabinet = forms.ModelChoiceField(
        label=_("Cabinet"), queryset=Cabinet.objects.none(), to_field_name="code"
    )

    def __init__(self, *args, cabinets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cabinet"].queryset = cabinets


class MailBatchSentForm(forms.Form):
    """The date the post office took the letters of a batch (R12); the service checks it."""

    sent_on = forms.DateField(
        label=_("Date handed to the post office"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    confirm = forms.BooleanField(
        label=_("The post office took every letter listed in the register"), required=True
    )
