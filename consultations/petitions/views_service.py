"""The petitions part of the service cabinet: the moderation and consideration queue, the
petition card with its actions (publish / refuse, announce, answer, bulk invalidation).
Every view needs the service cabinet (MFA) and membership of the petition's cabinet; anyone
else gets a 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edem.accounts.mfa import service_cabinet_required
from edem.core.workflow import TransitionNotAllowed

from . import selectors, services, signing, workflow
from .forms import ACTION_FORMS, QueueFilterForm
from .workflow import SERVICE_ACTIONS, Status

PAGE_SIZE = 25


@service_cabinet_required
def queue(request):
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = Status.MODERATION  # the moderation queue first
    form = QueueFilterForm(data, cabinet_ids=selectors.staff_cabinet_ids(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    petitions = selectors.work_queue(request.user, filters)
    page = Paginator(petitions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    counts = selectors.status_counts(request.user, filters)
    return render(
        request,
        "petitions/service/queue.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "counts": [
                (status, counts.get(status.value, 0)) for status in Status if status != Status.DRAFT
            ],
        },
    )


def _card(request, petition, forms=None, status=200):
    forms = forms or {}
    action_forms = []
    for action in workflow.available_actions(petition, request.user, SERVICE_ACTIONS):
        form = forms.get(action.name) or ACTION_FORMS[action.name](prefix=action.name)
        action_forms.append((action, form))
    ips, domains = selectors.signature_sources(petition)
    return render(
        request,
        "petitions/service/card.html",
        {
            "petition": petition,
            "events": petition.events.select_related("actor"),
            "action_forms": action_forms,
            "ips": ips,
            "domains": domains,
            "today": timezone.localdate(),
        },
        status=status,
    )


@service_cabinet_required
def card(request, pk):
    return _card(request, selectors.petition_for_staff(request.user, pk))


def _invalidate(*, petition, actor, reason, ip, email_domain, signed_from, signed_to):
    return signing.invalidate_signatures(
        petition=petition,
        actor=actor,
        reason=reason,
        ip=ip or None,
        email_domain=email_domain or None,
        signed_from=signed_from,
        signed_to=signed_to,
    )


# Each action of the card: the service that performs it and the fields of its form it takes.
PERFORMERS = {
    "publish": (services.publish, ()),
    "refuse": (services.refuse, ("ground", "note")),
    "start_consideration": (services.start_consideration, ("note",)),
    "answer": (services.answer, ("result", "text")),
    "invalidate": (
        _invalidate,
        ("reason", "ip", "email_domain", "signed_from", "signed_to"),
    ),
}


def _run(action, petition, user, data):
    if action not in PERFORMERS:
        raise Http404
    service, fields = PERFORMERS[action]
    return service(petition=petition, actor=user, **{name: data.get(name) for name in fields})


@service_cabinet_required
@require_POST
def act(request, pk, action):
    petition = selectors.petition_for_staff(request.user, pk)
    if action not in SERVICE_ACTIONS:
        raise Http404
    form = ACTION_FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        try:
            result = _run(action, petition, request.user, form.cleaned_data)
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            if action == "invalidate":
                messages.success(request, _("Signatures invalidated: %(n)d.") % {"n": result})
            else:
                messages.success(
                    request, _("Done: %(action)s.") % {"action": workflow.ACTIONS[action].label}
                )
            return redirect("petitions_service:card", pk=petition.pk)
    return _card(request, petition, forms={action: form}, status=400)
