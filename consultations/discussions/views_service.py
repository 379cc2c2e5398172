"""Discussions in the electronic service cabinet: the responsible cabinet creates a discussion,
imports its text, moderates residents' proposals and comments, decides on every comment and
proposal and publishes the outcome. Outsiders get a 404 (selectors.discussion_for_staff)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cabinets.access import cabinets_where
from edem.accounts.mfa import service_cabinet_required
from edem.core.workflow import TransitionNotAllowed

from . import selectors, services, workflow
from .forms import (
    ACTION_FORMS,
    CommentFilterForm,
    DecisionForm,
    DiscussionCreateForm,
    DiscussionForm,
    FinalTextForm,
    HideForm,
    VersionForm,
)
from .models import Comment
from .workflow import Status

PAGE_SIZE = 25


@service_cabinet_required
def index(request):
    status = request.GET.get("status", "")
    filters = {"status": status} if status in Status.values else {}
    page = Paginator(selectors.staff_discussions(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "discussions/service/index.html",
        {
            "page": page,
            "status": filters.get("status", ""),
            "statuses": list(Status),
            "query": f"status={filters['status']}" if filters else "",
            "moderation": selectors.moderation_queue(request.user),
            "can_create": cabinets_where(request.user, "cabinets.publish").exists(),
        },
    )


@service_cabinet_required
def create(request):
    form = DiscussionCreateForm(request.POST or None, request.FILES or None, user=request.user)
    if not form.fields["cabinet"].queryset.exists():
        raise Http404  # no cabinet where this person may publish
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            discussion = services.create_discussion(
                actor=request.user,
                cabinet=data["cabinet"],
                title=form.by_language("title"),
                summary=form.by_language("summary"),
                territory=data["territory"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                eligible_verification=data["eligible_verification"],
                eligible_territory=data["eligible_territory"],
                min_age=data["min_age"],
                markdown=data["markdown"],
                upload=data["document"],
                note=form.by_language("note"),
            )
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The discussion is created as a draft."))
            return redirect("discussions_service:card", pk=discussion.pk)
    return render(
        request,
        "discussions/service/form.html",
        {"form": form, "creating": True},
        status=400 if form.errors else 200,
    )


def _events(discussion):
    events = list(discussion.events.select_related("actor"))
    for event in events:
        event.label = workflow.event_label(event.action)
        event.from_label = workflow.status_label(event.from_status) if event.from_status else ""
        event.to_label = workflow.status_label(event.to_status)
    return events


def _card(request, discussion, forms=None, status=200):
    forms = forms or {}
    action_forms = []
    for action in workflow.available_actions(
        discussion, request.user, names=workflow.STAFF_TRANSITIONS
    ):
        form = forms.get(action.name) or ACTION_FORMS[action.name](prefix=action.name)
        action_forms.append((action, form))
    can = {
        name: workflow.refusal(discussion, request.user, name) is None
        for name in ("edit", "upload_version", "moderate", "decide", "attach_final")
    }
    version = discussion.current_version()
    return render(
        request,
        "discussions/service/card.html",
        {
            "discussion": discussion,
            "version": version,
            "sections": selectors.text_of(version) if version else [],
            "versions": discussion.versions.select_related("created_by").order_by("number"),
            "events": _events(discussion),
            "action_forms": action_forms,
            "can": can,
            "final_form": forms.get("final") or FinalTextForm(prefix="final"),
            "n_comments": discussion.comments.visible().count(),
            "n_undecided": services.undecided(discussion).count(),
            "n_hidden": discussion.comments.filter(is_hidden=True).count(),
        },
        status=status,
    )


@service_cabinet_required
def card(request, pk):
    return _card(request, selectors.discussion_for_staff(request.user, pk))


@service_cabinet_required
def edit(request, pk):
    discussion = selectors.discussion_for_staff(request.user, pk)
    reason = workflow.refusal(discussion, request.user, "edit")
    if reason:
        messages.error(request, reason)
        return redirect("discussions_service:card", pk=discussion.pk)
    form = DiscussionForm(request.POST or None, instance=discussion, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {
            name: form.by_language(name)
            if name in form.translated_fields
            else form.cleaned_data[name]
            for name in services.EDITABLE_FIELDS
            if name in form.translated_fields or name in form.cleaned_data
        }
        discussion.refresh_from_db()  # the form wrote into the instance; the service decides
        try:
            services.update_discussion(discussion=discussion, actor=request.user, **fields)
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The discussion is saved."))
            return redirect("discussions_service:card", pk=discussion.pk)
    return render(
        request,
        "discussions/service/form.html",
        {"form": form, "discussion": discussion},
        status=400 if form.errors else 200,
    )


@service_cabinet_required
def new_version(request, pk):
    discussion = selectors.discussion_for_staff(request.user, pk)
    reason = workflow.refusal(discussion, request.user, "upload_version")
    if reason:
        messages.error(request, reason)
        return redirect("discussions_service:card", pk=discussion.pk)
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.add_version(
                discussion=discussion,
                actor=request.user,
                markdown=form.cleaned_data["markdown"],
                upload=form.cleaned_data["document"],
                note=form.by_language("note"),
            )
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Version %(n)d of the text is saved.") % {"n": version.number}
            )
            return redirect("discussions_service:card", pk=discussion.pk)
    return render(
        request,
        "discussions/service/version_form.html",
        {"form": form, "discussion": discussion},
        status=400 if form.errors else 200,
    )


# Each action of the card: the service that performs it and the fields of its form it takes.
PERFORMERS = {
    "submit": (services.submit, ()),
    "approve": (services.approve, ("note",)),
    "reject": (services.reject, ("note",)),
    "publish_results": (services.publish_results, ()),
    "terminate": (services.terminate, ("reason", "note")),
}


def _run(action, discussion, user, data):
    if action not in PERFORMERS:
        raise Http404
    service, fields = PERFORMERS[action]
    return service(discussion=discussion, actor=user, **{name: data[name] for name in fields})


@service_cabinet_required
@require_POST
def act(request, pk, action):
    discussion = selectors.discussion_for_staff(request.user, pk)
    if action not in ACTION_FORMS:
        raise Http404
    form = ACTION_FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        try:
            _run(action, discussion, request.user, form.cleaned_data)
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Done: %(action)s.") % {"action": workflow.ACTIONS[action].label}
            )
            return redirect("discussions_service:card", pk=discussion.pk)
    return _card(request, discussion, forms={action: form}, status=400)


@service_cabinet_required
@require_POST
def attach_final(request, pk):
    discussion = selectors.discussion_for_staff(request.user, pk)
    form = FinalTextForm(request.POST, request.FILES, prefix="final")
    if form.is_valid():
        try:
            services.attach_final_text(
                discussion=discussion, actor=request.user, upload=form.cleaned_data["file"]
            )
        except TransitionNotAllowed as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("The adopted text is attached."))
            return redirect("discussions_service:card", pk=discussion.pk)
    return _card(request, discussion, forms={"final": form}, status=400)


def _comments(request, discussion, bound=None, status=200):
    filter_form = CommentFilterForm(request.GET or None)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    page = Paginator(selectors.staff_comments(discussion, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    can_decide = workflow.refusal(discussion, request.user, "decide") is None
    can_moderate = workflow.refusal(discussion, request.user, "moderate") is None
    for comment in page.object_list:
        decision = getattr(comment, "decision", None)
        if bound and bound[0] == comment.pk and bound[1] == "decide":
            comment.decision_form = bound[2]
        elif can_decide and comment.owed_a_decision:
            initial = {"outcome": decision.outcome, "reason": decision.reason} if decision else {}
            comment.decision_form = DecisionForm(prefix=f"c{comment.pk}", initial=initial)
        else:
            comment.decision_form = None
        if bound and bound[0] == comment.pk and bound[1] == "hide":
            comment.hide_form = bound[2]
        elif can_moderate and not comment.is_hidden:
            comment.hide_form = HideForm(prefix=f"h{comment.pk}")
        else:
            comment.hide_form = None
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "discussions/service/comments.html",
        {
            "discussion": discussion,
            "page": page,
            "filter_form": filter_form,
            "query": query.urlencode(),
            "can_moderate": can_moderate,
            "can_decide": can_decide,
            "n_undecided": services.undecided(discussion).count(),
        },
        status=status,
    )


@service_cabinet_required
def comments(request, pk):
    return _comments(request, selectors.discussion_for_staff(request.user, pk))


def _staff_comment(request, comment_pk):
    comment = get_object_or_404(Comment, pk=comment_pk)
    discussion = selectors.discussion_for_staff(request.user, comment.discussion_id)
    return comment, discussion


@service_cabinet_required
@require_POST
def decide(request, comment_pk):
    comment, discussion = _staff_comment(request, comment_pk)
    form = DecisionForm(request.POST, prefix=f"c{comment.pk}")
    if form.is_valid():
        try:
            services.decide(
                comment=comment,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The decision is saved."))
            return redirect(_back(request, discussion, comment))
    return _comments(request, discussion, bound=(comment.pk, "decide", form), status=400)


def _back(request, discussion, comment):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("discussions_service:comments", args=[discussion.pk])
    return f"{target}#comment-{comment.pk}"


@service_cabinet_required
@require_POST
def hide(request, comment_pk):
    comment, discussion = _staff_comment(request, comment_pk)
    form = HideForm(request.POST, prefix=f"h{comment.pk}")
    if form.is_valid():
        try:
            services.hide_comment(
                comment=comment,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The comment is hidden."))
            return redirect(_back(request, discussion, comment))
    return _comments(request, discussion, bound=(comment.pk, "hide", form), status=400)


@service_cabinet_required
@require_POST
def restore(request, comment_pk):
    comment, discussion = _staff_comment(request, comment_pk)
    try:
        services.restore_comment(comment=comment, actor=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The comment is shown again."))
    return redirect(_back(request, discussion, comment))
