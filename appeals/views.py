from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edem.core import idempotency
from edem.core.jurisdiction import get_profile
from edem.core.pagecache import signed_in_page
from edem.core.workflow import TransitionNotAllowed

from . import photo_place, selectors, services, workflow
from .actions import CITIZEN_ACTIONS
from .form_uploads import collect_uploads
from .forms import AppealForm
from .models import Answer, Appeal, CoSigner, Rating


def verify_letter(request, code):
    """Public page that confirms a signed answer letter: number, date, signer, text hash (R12).
    It shows nothing of the citizen."""
    answer = get_object_or_404(
        Answer.objects.select_related("appeal", "appeal__cabinet").filter(signed_at__isnull=False),
        verification_code=code.strip().upper(),
    )
    return render(
        request, "appeals/verify_letter.html", {"answer": answer, "appeal": answer.appeal}
    )


@login_required
def file_appeal(request):
    """The filing form (R1–R3). Works without JavaScript; the map only fills two hidden
    fields. A form with errors comes back with everything typed. A photo that says where it
    was taken, sent without a place, is offered as the place before filing (photo_place)."""
    if not get_profile().verification_sufficient(request.user.verification_level):  # R2
        return render(
            request,
            "appeals/citizen/verify_first.html",
            {"verify_next": request.get_full_path()},
            status=403,
        )
    if request.method != "POST":
        form = AppealForm(user=request.user, cabinet_code=request.GET.get("cabinet"))
        return render(request, "appeals/citizen/form.html", {"form": form})
    token, refusal = idempotency.token_from(request.POST), None
    try:
        done = idempotency.earlier(token=token, scope="appeals.file", user=request.user)
    except idempotency.TokenAlreadyUsed as exc:  # someone else's form: nothing of theirs shown
        done, token, refusal = None, "", str(exc)
    if done is not None:  # the same form sent again: land on what the first send filed
        return _filed(request, done.result)
    pending, upload_errors = collect_uploads(
        request, field="attachments", remove_field="remove_attachment"
    )
    offer = photo_place.offer_for(request.POST, pending)
    form = AppealForm(photo_place.with_answer(request.POST), user=request.user, pending=pending)
    if form.is_valid():
        for message in upload_errors:
            form.add_error("attachments", message)
    if refusal:
        form.add_error(None, refusal)
    if not form.errors and offer is not None:  # ask once before filing without a place
        return render(request, "appeals/citizen/form.html", {"form": form, "photo_place": offer})
    if not form.errors:
        try:
            done = idempotency.once(
                token=token,
                scope="appeals.file",
                user=request.user,
                create=lambda: services.file_appeal(author=request.user, **form.service_fields()),
            )
        except (TransitionNotAllowed, idempotency.TokenAlreadyUsed) as exc:
            form.add_error(None, str(exc))
        else:
            return _filed(request, done.result)
    return render(
        request,
        "appeals/citizen/form.html",
        {"form": form, "photo_place": offer},
        status=400 if form.errors else 200,
    )


def _filed(request, appeal):
    if appeal is None:
        return redirect("appeals:my_list")
    messages.success(request, _("Your appeal is received. We sent the details to your e-mail."))
    return redirect("appeals:my_detail", pk=appeal.pk)


def _own(request, pk):
    """The author's own appeal; anyone else gets a 404 so that numbers do not leak (R14)."""
    return get_object_or_404(
        Appeal.objects.select_related("cabinet", "category", "territory"),
        pk=pk,
        author=request.user,
    )


@login_required
def my_list(request):
    appeals = (
        Appeal.objects.filter(author=request.user)
        .select_related("cabinet")
        .order_by("-received_at")
    )
    page = Paginator(appeals, 20).get_page(request.GET.get("page"))
    return render(request, "appeals/citizen/list.html", {"page": page})


@login_required
@signed_in_page
def my_detail(request, pk):
    appeal = _own(request, pk)
    return render(
        request,
        "appeals/citizen/detail.html",
        {
            "appeal": appeal,
            "events": appeal.events.filter(is_public=True).select_related("actor"),
            "answer": appeal.answers.filter(signed_at__isnull=False).first(),
            "attachments": appeal.attachments.filter(answer__isnull=True),
            "appeal_rating": Rating.objects.filter(appeal=appeal).first(),
            "appeal_is_open": workflow.Status(appeal.status).is_open,
            "cosigners": appeal.cosigners.all(),
            "actions": [a.name for a in workflow.available_actions(appeal, request.user)],
            "next_step": selectors.next_step_for_author(appeal),
        },
    )


@login_required
@require_POST
def withdraw(request, pk):
    appeal = _own(request, pk)
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick “Yes, withdraw it” to confirm."))
        return redirect("appeals:my_detail", pk=appeal.pk)
    try:
        services.withdraw(
            appeal=appeal, actor=request.user, note=request.POST.get("note", "")[:2000]
        )
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your appeal is withdrawn. Its consideration has stopped."))
    return redirect("appeals:my_detail", pk=appeal.pk)


@login_required
def my_letter(request, pk):
    appeal = _own(request, pk)
    answer = appeal.answers.filter(signed_at__isnull=False).exclude(letter="").first()
    if answer is None:
        raise Http404
    return FileResponse(
        answer.letter.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{appeal.number or appeal.pk}-answer.pdf".replace("/", "-"),
    )


@login_required
def my_attachment(request, pk, attachment_pk, thumb=False):
    """An attachment of the author's own appeal (never a public URL: R14)."""
    appeal = _own(request, pk)
    attachment = get_object_or_404(selectors.citizen_files(appeal), pk=attachment_pk)
    field = attachment.thumbnail if thumb and attachment.thumbnail else attachment.file
    content_type = "image/jpeg" if field is attachment.thumbnail else attachment.content_type
    return FileResponse(
        field.open("rb"), content_type=content_type, filename=attachment.original_name
    )


@login_required
@require_POST
def citizen_action(request, pk, action):
    """The author's actions after filing: rate the answer, ask to reopen, add materials."""
    appeal = _own(request, pk)
    citizen_action = CITIZEN_ACTIONS.get(action)
    if citizen_action is None:
        raise Http404
    kwargs = {}
    if citizen_action.takes_uploads:
        kwargs["attachments"], kwargs["upload_errors"] = collect_uploads(
            request, field="attachments", remove_field="remove_attachment"
        )
    form = citizen_action.form_class(request.POST, **kwargs)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect("appeals:my_detail", pk=appeal.pk)
    try:
        result = citizen_action.service(appeal=appeal, actor=request.user, **form.cleaned_data)
    except (TransitionNotAllowed, ValueError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, citizen_action.done(result))
    return redirect("appeals:my_detail", pk=appeal.pk)


@login_required
def cosign(request, token):
    """A co-signer opens the invitation and confirms with their own account (R1)."""
    cosigner = get_object_or_404(CoSigner.objects.select_related("appeal"), token=token)
    if (
        cosigner.email.lower() != request.user.email.lower()
        and cosigner.appeal.author_id != request.user.pk
    ):
        # R14/R18: the author's name and text are shown to the invited person only; a link
        # that reached someone else reveals nothing, not even that the appeal exists.
        raise Http404
    error = None
    if request.method == "POST":
        try:
            services.confirm_cosign(token=token, actor=request.user)
        except TransitionNotAllowed as exc:
            error = str(exc)
        else:
            messages.success(
                request, _("You have co-signed the appeal. The answer will come to you too.")
            )
            return redirect("accounts:cabinet")
    return render(
        request,
        "appeals/citizen/cosign.html",
        {"cosigner": cosigner, "appeal": cosigner.appeal, "error": error},
        status=400 if error else 200,
    )
