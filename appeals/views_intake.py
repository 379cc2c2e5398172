"""The registrar's entry of an appeal received on paper, by post or as a scan by e-mail (R4).
Thin: the form checks what was typed, ``services.enter_paper_appeal`` decides."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cabinets.access import cabinets_where
from edem.accounts.mfa import service_cabinet_required
from edem.core import idempotency
from edem.core.workflow import TransitionNotAllowed

from . import services
from .form_uploads import collect_uploads
from .forms_intake import PaperAppealForm, find_citizens

SCOPE = "appeals.enter_paper"
TEMPLATE = "appeals/service/enter.html"


@service_cabinet_required
def enter(request):
    """R4: the entry form; a "Find" press looks up the citizen's account and shows the form
    again with everything typed; a send enters the appeal once and opens its card."""
    if not cabinets_where(request.user, "cabinets.register_appeal").exists():
        raise Http404
    if request.method != "POST":
        form = PaperAppealForm(user=request.user)
        return render(request, TEMPLATE, {"form": form})
    pending, upload_errors = collect_uploads(
        request, field="scans", remove_field="remove_scan", content_types=services.SCAN_TYPES
    )
    if "find" in request.POST:
        found = find_citizens(request.POST.get("citizen_query"))
        form = PaperAppealForm(request.POST, user=request.user, pending=pending, found=found)
        return render(request, TEMPLATE, {"form": form, "searched": True, "found": form.found})
    token, refusal = idempotency.token_from(request.POST), None
    try:
        done = idempotency.earlier(token=token, scope=SCOPE, user=request.user)
    except idempotency.TokenAlreadyUsed as exc:
        done, token, refusal = None, "", str(exc)
    if done is not None:  # the same form sent again: land on what the first send entered
        return _entered(request, done.result)
    form = PaperAppealForm(request.POST, user=request.user, pending=pending)
    if form.is_valid():
        for message in upload_errors:
            form.add_error("scans", message)
    if refusal:
        form.add_error(None, refusal)
    if not form.errors:
        try:
            done = idempotency.once(
                token=token,
                scope=SCOPE,
                user=request.user,
                create=lambda: services.enter_paper_appeal(
                    actor=request.user, **form.service_fields()
                ),
            )
        except (TransitionNotAllowed, idempotency.TokenAlreadyUsed) as exc:
            form.add_error(None, str(exc))
        else:
            return _entered(request, done.result)
    return render(request, TEMPLATE, {"form": form}, status=400)


def _entered(request, appeal):
    if appeal is None:
        return redirect("appeals_service:queue")
    if appeal.number:
        messages.success(
            request,
            _("The appeal is entered and registered under No. %(number)s.")
            % {"number": appeal.number},
        )
    else:
        messages.success(request, _("The appeal is entered; register it within the term."))
    return redirect("appeals_service:card", pk=appeal.pk)
