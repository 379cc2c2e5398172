"""Moderation of public problems in the service cabinet (/service/problems/…): staff of the
cabinet that holds the appeal only; anyone else gets 404 so numbers do not leak."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from appeals.models import Attachment
from edem.accounts.mfa import service_cabinet_required

from . import selectors, services
from .models import Moderation


def _problem_for(user, pk):
    problem = selectors.public_problem_or_404(pk)
    if not services.can_moderate(user, problem.appeal):
        raise Http404
    return problem


@service_cabinet_required
def moderate(request, pk):
    problem = _problem_for(request.user, pk)
    errors = {}
    if request.method == "POST":
        action = request.POST.get("action")
        reason = request.POST.get("reason", "")
        try:
            if action in ("hide_photo", "show_photo"):
                attachment = Attachment.objects.filter(
                    appeal_id=problem.pk, pk=request.POST.get("attachment") or 0
                ).first()
                if attachment is None:
                    raise ValidationError(_("Choose a photo."))
                service = services.hide_photo if action == "hide_photo" else services.show_photo
                service(actor=request.user, problem=problem, attachment=attachment, reason=reason)
            elif action in ("redact", "unredact"):
                service = services.redact if action == "redact" else services.unredact
                service(
                    actor=request.user,
                    problem=problem,
                    passage=request.POST.get("passage", ""),
                    reason=reason,
                )
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            errors[action or "form"] = error.messages
        else:
            messages.success(request, _("The public version was changed; the case file was not."))
            return redirect("problems_service:moderate", pk=problem.pk)
    photos = Attachment.objects.filter(
        appeal_id=problem.pk,
        content_type__startswith="image/",
        stage__in=[Attachment.Stage.INITIAL, Attachment.Stage.SUPPLEMENT],
    )
    return render(
        request,
        "problems/service/moderate.html",
        {
            "problem": problem,
            "photos": photos,
            "hidden": set(problem.hidden_photos),
            "log": Moderation.objects.filter(appeal_id=problem.pk).select_related("actor"),
            "redact_errors": errors.get("redact") or errors.get("unredact") or errors.get("form"),
            "photo_errors": errors.get("hide_photo") or errors.get("show_photo"),
            "redact_passage": request.POST.get("passage", "") if "redact" in errors else "",
            "redact_reason": request.POST.get("reason", "") if "redact" in errors else "",
        },
        status=400 if errors else 200,
    )
