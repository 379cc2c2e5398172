"""Public pages of civic initiatives (mounted at /initiatives/). Thin: forms validate,
services act; actions are POST-only with CSRF and redirect back with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from edem.core.markup import render_markdown

from . import selectors, services
from .forms import FilterForm, InitiativeForm, UpdateForm
from .models import Initiative

PER_PAGE = 20


def initiative_list(request):
    form = FilterForm(request.GET or None)
    qs = selectors.public_initiatives(**form.filters())
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "initiatives/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "counts": selectors.counts()},
    )


def _readable_or_404(request, pk):
    initiative = get_object_or_404(
        Initiative.objects.select_related("territory", "category", "initiator"), pk=pk
    )
    if not selectors.readable(initiative, request.user):
        raise Http404
    return initiative


def initiative_detail(request, pk):
    initiative = _readable_or_404(request, pk)
    is_initiator = request.user.is_authenticated and request.user.pk == initiative.initiator_id
    return render(
        request,
        "initiatives/detail.html",
        {
            "initiative": initiative,
            "summary_html": render_markdown(initiative.summary),
            "updates": initiative.updates.all()[:50],
            "is_member": services.is_member(initiative, request.user),
            "is_initiator": is_initiator,
            "update_form": UpdateForm() if is_initiator else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative_new(request):
    form = InitiativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            initiative = services.propose(user=request.user, **form.cleaned_data)
        except services.InitiativeRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your initiative is published. Invite others to join."))
            return redirect(initiative)
    return render(request, "initiatives/form.html", {"form": form})


@login_required
@require_POST
def membership(request, pk):
    initiative = _readable_or_404(request, pk)
    try:
        if request.POST.get("action") == "leave":
            services.leave(initiative=initiative, user=request.user)
            messages.success(request, _("You left the initiative."))
        else:
            services.join(initiative=initiative, user=request.user)
            messages.success(
                request, _("You joined: the initiator's updates will reach you by mail.")
            )
    except services.InitiativeRefused as exc:
        messages.error(request, str(exc))
    return redirect(initiative)


@login_required
@require_POST
def post_update(request, pk):
    initiative = _readable_or_404(request, pk)
    form = UpdateForm(request.POST)
    if form.is_valid():
        try:
            services.post_update(
                initiative=initiative, actor=request.user, text=form.cleaned_data["text"]
            )
        except services.InitiativeRefused as exc:
            form.add_error("text", str(exc))
        else:
            messages.success(request, _("The update is posted and sent to those who joined."))
            return redirect(initiative)
    return render(
        request,
        "initiatives/detail.html",
        {
            "initiative": initiative,
            "summary_html": render_markdown(initiative.summary),
            "updates": initiative.updates.all()[:50],
            "is_member": True,
            "is_initiator": request.user.pk == initiative.initiator_id,
            "update_form": form,
        },
        status=400,
    )


@login_required
@require_POST
def close(request, pk):
    initiative = _readable_or_404(request, pk)
    try:
        services.close(initiative=initiative, actor=request.user)
        messages.success(request, _("The initiative is closed."))
    except services.InitiativeRefused as exc:
        messages.error(request, str(exc))
    return redirect(initiative)
