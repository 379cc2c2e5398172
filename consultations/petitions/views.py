"""Public and personal pages of petitions. Thin: selectors read, the workflow says what is
allowed, services act."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations.eligibility import refusal
from edem.core import idempotency
from edem.core.net import client_ip
from edem.core.workflow import TransitionNotAllowed

from . import selectors, services, signing, workflow
from .forms import PetitionForm, PublicFilterForm, SignForm
from .models import Petition, PetitionSettings
from .workflow import Status

PAGE_SIZE = 20
SIGNERS_PAGE_SIZE = 50


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def petition_list(request):
    form = PublicFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.public_list(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "petitions/list.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


def _detail_context(request, petition, sign_form=None):
    user = request.user
    signature = signing.signature_of(petition, user) if user.is_authenticated else None
    page = Paginator(selectors.signers(petition), SIGNERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {
        "petition": petition,
        "page": page,
        "query": "",
        "signature": signature,
        "sign_refusal": signing.sign_refusal(petition, user)
        if petition.status == Status.COLLECTING
        else None,
        "sign_form": sign_form or SignForm(),
        "actions": [a.name for a in workflow.available_actions(petition, user)],
        "events": petition.events.filter(is_public=True),
        "show_sign": petition.status == Status.COLLECTING,
    }


def petition_detail(request, pk):
    petition = selectors.public_petition(pk, request.user)
    return render(request, "petitions/detail.html", _detail_context(request, petition))


@login_required
@require_POST
def sign(request, pk):
    petition = selectors.public_petition(pk, request.user)
    form = SignForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    try:
        done = idempotency.once(
            token=idempotency.token_from(request.POST),
            scope="petitions.sign",
            user=request.user,
            create=lambda: signing.sign(
                petition=petition,
                user=request.user,
                ip=client_ip(request),
                show_name=not data.get("hide_name"),
                invite_to_appeal=bool(data.get("invite_to_appeal")),
            ),
        )
    except (TransitionNotAllowed, idempotency.TokenAlreadyUsed) as exc:
        context = _detail_context(request, petition, sign_form=form)
        context["sign_error"] = str(exc)
        return render(request, "petitions/detail.html", context, status=400)
    signature = done.result
    if done.repeated:  # the same form sent twice: the first send did it; nothing is re-sent
        return redirect("petitions:detail", pk=petition.pk)
    if signature.resent:
        messages.info(
            request,
            _("We sent the confirmation link to %(email)s again.") % {"email": request.user.email},
        )
    else:
        messages.success(
            request,
            _(
                "Almost done: follow the link we sent to %(email)s. Your signature counts once "
                "you confirm it."
            )
            % {"email": request.user.email},
        )
    return redirect("petitions:detail", pk=petition.pk)


@login_required
def withdraw(request, pk):
    """Withdrawing one's signature while the petition is collecting (R24). GET asks for
    confirmation; POST withdraws."""
    petition = selectors.public_petition(pk, request.user)
    signature = signing.signature_of(petition, request.user)
    error = signing.withdraw_refusal(petition, signature)
    if request.method == "POST" and error is None:
        try:
            signing.withdraw_signature(petition=petition, user=request.user)
        except TransitionNotAllowed as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("Your signature is withdrawn. You may sign again while collection lasts."),
            )
            return redirect("petitions:detail", pk=petition.pk)
    return render(
        request,
        "petitions/withdraw.html",
        {"petition": petition, "signature": signature, "error": error},
        status=400 if error and request.method == "POST" else 200,
    )


def confirm(request, token):
    """The link from the confirmation e-mail. GET shows a button (mail scanners that open
    links must not sign for people); POST confirms."""
    error = None
    if request.method == "POST":
        try:
            signature = signing.confirm_signature(token=token)
        except TransitionNotAllowed as exc:
            error = str(exc)
        else:
            messages.success(request, _("Thank you: your signature is confirmed and counted."))
            return redirect("petitions:detail", pk=signature.petition_id)
    return render(
        request,
        "petitions/confirm.html",
        {"token": token, "error": error},
        status=400 if error else 200,
    )


@login_required
def create(request):
    form = PetitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = idempotency.once(
                token=idempotency.token_from(request.POST),
                scope="petitions.create",
                user=request.user,
                create=lambda: services.create_draft(author=request.user, **form.service_fields()),
            )
        except (TransitionNotAllowed, idempotency.TokenAlreadyUsed) as exc:
            form.add_error(None, str(exc))
        else:
            if done.result is None:
                return redirect("petitions:my")
            if not done.repeated:
                messages.success(
                    request, _("The draft is saved. Check it and send it for moderation.")
                )
            return redirect("petitions:detail", pk=done.result.pk)
    return render(
        request,
        "petitions/form.html",
        {
            "form": form,
            "settings": PetitionSettings.load(),
            "author_refusal": _author_refusal(request.user),
        },
        status=400 if form.errors else 200,
    )


def _author_refusal(user):
    """Why the user could not send a petition for moderation yet (shown before they write)."""
    rules = Petition(eligible_verification=PetitionSettings.load().sign_verification)
    return refusal(user, rules)


@login_required
def edit(request, pk):
    petition = get_object_or_404(Petition, pk=pk, author=request.user)
    reason = workflow.refusal(petition, request.user, "edit")
    if reason:
        messages.error(request, reason)
        return redirect("petitions:detail", pk=petition.pk)
    form = PetitionForm(request.POST or None, instance=petition)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(petition=petition, actor=request.user, **form.service_fields())
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("petitions:detail", pk=petition.pk)
    return render(
        request,
        "petitions/form.html",
        {
            "form": form,
            "petition": petition,
            "settings": PetitionSettings.load(),
            "author_refusal": _author_refusal(request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def author_action(request, pk, action):
    """The author's buttons: send for moderation (R23), turn into an appeal (R26)."""
    petition = get_object_or_404(Petition, pk=pk, author=request.user)
    try:
        if action == "submit":
            services.submit(petition=petition, actor=request.user)
            messages.success(
                request,
                _("The petition is sent for moderation. You will get an e-mail with the result."),
            )
        elif action == "to_appeal":
            appeal = services.turn_into_appeal(petition=petition, actor=request.user)
            messages.success(request, _("Your petition is filed as an appeal."))
            return redirect(reverse("appeals:my_detail", args=[appeal.pk]))
        else:
            return redirect("petitions:detail", pk=petition.pk)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    return redirect("petitions:detail", pk=petition.pk)


@login_required
def my_petitions(request):
    authored = Paginator(selectors.my_petitions(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    signed = Paginator(selectors.my_signatures(request.user), PAGE_SIZE).get_page(
        request.GET.get("signed_page")
    )
    return render(
        request,
        "petitions/my.html",
        {"page": authored, "query": "", "signed": signed},
    )
