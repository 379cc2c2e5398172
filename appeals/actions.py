"""The actions on an appeal as data: for each action an official performs on the card, and
each the author performs on their appeal's page, the form that takes its input and the service
that performs it. The views look an action up here; they never branch on its name. A form's
cleaned data are its service's keyword arguments."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _

from . import services
from .card_reads import first_template
from .forms import InviteForm, MaterialsForm, RateForm, ReopenRequestForm
from .forms_service import (
    AssignForm,
    DeferForm,
    DraftForm,
    EmptyForm,
    ExtendForm,
    ForwardForm,
    MergeForm,
    NoMeritsForm,
    ReopenForm,
    RequestDocumentsForm,
    ReturnForm,
    SignForm,
)


def _draft_initial(appeal, case=None):
    """The draft answer's text, else the first answer template of the appeal's topic (from
    the answers the card has read, and the templates kept per topic)."""
    r16 = {"result": appeal.result, "classifier": appeal.classifier_id}
    if case is not None:
        draft = case.draft
    else:
        draft = appeal.answers.filter(signed_at__isnull=True).first()
    if draft:
        return {"text": draft.text, "refusal_ground": draft.refusal_ground, **r16}
    template = first_template(appeal)
    return {"text": template.render(appeal) if template else "", **r16}


def _has_earlier_appeal(form):
    """Whether there is an earlier appeal to merge into; the list read for this question is
    the one the form shows (one query, not two; none when the card has read it)."""
    field = form.fields["into"]
    if form.candidates is None:
        form.candidates = [(item.pk, field.label_from_instance(item)) for item in field.queryset]
        field.choices = [("", field.empty_label), *form.candidates]
    return bool(form.candidates)


@dataclass(frozen=True)
class CardAction:
    form_class: type[forms.Form]
    service: Callable  # service(appeal=..., actor=..., **form.cleaned_data)
    # Of "appeal", "user", "case": what the form is built with ("case": the card's
    # ``card_reads.CaseFile``, None when a posted form is checked).
    form_needs: frozenset = frozenset()
    initial: Callable | None = None  # initial(appeal, case) -> the blank form's initial data
    offered: Callable | None = None  # offered(form) -> whether the blank form is worth showing
    # The form takes files: the view checks and stores them (``form_uploads.collect_uploads``
    # on the input ``<name>-files``) and builds the form with ``attachments``/``upload_errors``.
    takes_uploads: bool = False

    def form(self, name, data=None, *, appeal, user, uploads=None, case=None):
        context = {"appeal": appeal, "user": user, "case": case}
        kwargs = {need: context[need] for need in sorted(self.form_needs)}
        if uploads is not None:
            kwargs["attachments"], kwargs["upload_errors"] = uploads
        if data is None and self.initial is not None:
            kwargs["initial"] = self.initial(appeal, case)
        return self.form_class(data, prefix=name, **kwargs)

    def is_offered(self, form):
        return self.offered is None or self.offered(form)

    def perform(self, *, appeal, actor, form):
        return self.service(appeal=appeal, actor=actor, **form.cleaned_data)


CARD_ACTIONS = {
    "register": CardAction(EmptyForm, services.register),
    "assign": CardAction(AssignForm, services.assign, frozenset({"appeal"})),
    "extend": CardAction(ExtendForm, services.extend),
    "forward": CardAction(ForwardForm, services.forward, frozenset({"appeal"})),
    "request_documents": CardAction(  # R7
        RequestDocumentsForm, services.send_external_request, frozenset({"appeal", "case"})
    ),
    "defer": CardAction(DeferForm, services.defer_information),  # R17
    "draft_answer": CardAction(
        DraftForm,
        services.draft_answer,
        frozenset({"appeal", "case"}),
        initial=_draft_initial,
        takes_uploads=True,  # R17: the files of the information
    ),
    "sign_answer": CardAction(SignForm, services.sign_answer),
    "close_no_merits": CardAction(
        NoMeritsForm, services.close_no_merits, frozenset({"appeal", "case"})
    ),
    "return": CardAction(ReturnForm, services.return_with_explanation),
    "merge": CardAction(
        MergeForm,
        services.merge,
        frozenset({"appeal", "user", "case"}),
        offered=_has_earlier_appeal,
    ),
    "reopen_by_head": CardAction(ReopenForm, services.reopen_by_head),
}


@dataclass(frozen=True)
class CitizenAction:
    form_class: type[forms.Form]
    service: Callable  # service(appeal=..., actor=..., **form.cleaned_data)
    done: Callable  # done(result) -> the message that confirms it
    takes_uploads: bool = False  # the form is built with the request's checked uploads


def _invited(cosigners):
    return _("Invitations sent: %(n)d.") % {"n": len(cosigners)}


CITIZEN_ACTIONS = {
    "rate": CitizenAction(
        RateForm, services.rate_answer, lambda _result: _("Thank you for rating the answer.")
    ),
    "reopen": CitizenAction(
        ReopenRequestForm,
        services.reopen,
        lambda _result: _("Your request is sent to the head of the cabinet."),
    ),
    "invite": CitizenAction(InviteForm, services.invite_cosigners, _invited),
    "add_materials": CitizenAction(
        MaterialsForm,
        services.add_materials,
        lambda _result: _("The materials are added to your appeal."),
        takes_uploads=True,
    ),
}
