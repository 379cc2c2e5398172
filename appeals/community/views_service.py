"""The community part of the service cabinet (mounted at /service/problems/community/): the
"still not fixed" reports the head decides on, and the comments residents reported. Staff of
the cabinet holding the problem only; anyone else gets a 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edem.accounts.mfa import service_cabinet_required

from . import selectors, services
from .forms import HideForm, ReopenForm, ReplyForm
from .models import Comment, StillNotFixed

PAGE_SIZE = 25


def _held_report(user, pk):
    report = get_object_or_404(
        StillNotFixed.objects.select_related("appeal", "appeal__cabinet", "replied_by"), pk=pk
    )
    if not services.is_holding_staff(user, report.appeal):
        raise Http404
    return report


@service_cabinet_required
def still_list(request):
    status = request.GET.get("status", StillNotFixed.Status.OPEN)
    if status not in StillNotFixed.Status.values:
        status = ""
    page = Paginator(selectors.still_not_fixed_for_staff(request.user, status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/service/still_list.html",
        {
            "page": page,
            "status": status,
            "statuses": StillNotFixed.Status.choices,
            "query": f"status={status}",
        },
    )


def _still_detail(request, report, *, reply_form=None, reopen_form=None, status=200):
    head = services.is_head(request.user, report.appeal)
    return render(
        request,
        "community/service/still_detail.html",
        {
            "report": report,
            "appeal": report.appeal,
            "is_head": head,
            "can_reopen": head and services.can_reopen(),
            "reply_form": reply_form or ReplyForm(prefix="reply"),
            "reopen_form": reopen_form or ReopenForm(prefix="reopen"),
        },
        status=status,
    )


@service_cabinet_required
def still_detail(request, pk):
    return _still_detail(request, _held_report(request.user, pk))


@service_cabinet_required
@require_POST
def still_reply(request, pk):
    report = _held_report(request.user, pk)
    form = ReplyForm(request.POST, prefix="reply")
    if form.is_valid():
        try:
            services.reply_still_not_fixed(
                report=report, actor=request.user, reply=form.cleaned_data["reply"]
            )
        except services.CommunityRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your reply is published on the problem page."))
            return redirect("community_service:still_detail", pk=report.pk)
    return _still_detail(request, report, reply_form=form, status=400)


@service_cabinet_required
@require_POST
def still_reopen(request, pk):
    report = _held_report(request.user, pk)
    if not services.can_reopen():
        raise Http404
    form = ReopenForm(request.POST, prefix="reopen")
    if form.is_valid():
        try:
            services.reopen_still_not_fixed(
                report=report, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except services.CommunityRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The case is reopened with a new deadline."))
            return redirect("community_service:still_detail", pk=report.pk)
    return _still_detail(request, report, reopen_form=form, status=400)


@service_cabinet_required
def reported_comments(request):
    page = Paginator(selectors.reported_comments_for_staff(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "community/service/reported_comments.html", {"page": page})


@service_cabinet_required
def hide_comment(request, pk):
    """Staff of the holding cabinet hide a comment with a reason (shown in its place)."""
    comment = get_object_or_404(Comment.objects.select_related("appeal", "author"), pk=pk)
    if not services.is_holding_staff(request.user, comment.appeal):
        raise Http404
    form = HideForm()
    status = 200
    if request.method == "POST":
        form = HideForm(request.POST)
        if form.is_valid():
            try:
                services.hide_comment(
                    comment=comment, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except services.CommunityRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The comment is hidden; the reason is shown instead."))
                return redirect("community_service:reported_comments")
        status = 400
    return render(
        request,
        "community/service/hide_comment.html",
        {"comment": comment, "form": form, "reports": comment.reports.select_related("user")},
        status=status,
    )
