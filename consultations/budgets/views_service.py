"""The budgets part of the service cabinet (mounted at /service/budgets/): cycles and
categories, the review queue, paper ballots, results and implementation. Only staff of the
cycle's cabinet see a cycle; everyone else gets a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edem.accounts.mfa import service_cabinet_required
from edem.core.workflow import TransitionNotAllowed

from . import selectors, services, voting, workflow
from .forms_service import (
    CategoryFormSet,
    CycleForm,
    PaperBallotForm,
    ReviewFilterForm,
    ReviewForm,
    UpdateForm,
)
from .models import BudgetCategory
from .views import collect_photos, phase_timeline
from .workflow import Phase, ProjectStatus

PAGE_SIZE = 25


@service_cabinet_required
def home(request):
    cycles = selectors.staff_cycles(request.user)
    page = Paginator(cycles, PAGE_SIZE).get_page(request.GET.get("page"))
    can_create = CycleForm(user=request.user).fields["cabinet"].queryset.exists()
    return render(request, "budgets/service/home.html", {"page": page, "can_create": can_create})


@service_cabinet_required
def cycle_edit(request, pk=None):
    cycle = selectors.staff_cycle(request.user, pk) if pk else None
    if cycle is not None and "edit_cycle" not in workflow.available_actions(cycle, request.user):
        messages.error(request, _("The parameters can be changed only before they are approved."))
        return redirect("budgets_service:cycle", pk=cycle.pk)
    form = CycleForm(request.POST or None, instance=cycle, user=request.user)
    if cycle is None and not form.fields["cabinet"].queryset.exists():
        raise Http404
    categories = CategoryFormSet(
        request.POST or None,
        queryset=cycle.categories.all() if cycle else BudgetCategory.objects.none(),
        prefix="categories",
    )
    if request.method == "POST":
        if form.is_valid() and categories.is_valid():
            try:
                saved = services.save_cycle(
                    actor=request.user,
                    cycle=form.save(commit=False),
                    categories=categories.kept(),
                    deleted_categories=categories.removed(),
                )
            except TransitionNotAllowed as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The budget cycle is saved."))
                return redirect("budgets_service:cycle", pk=saved.pk)
        return render(
            request,
            "budgets/service/cycle_form.html",
            {"form": form, "categories": categories, "cycle": cycle},
            status=400,
        )
    return render(
        request,
        "budgets/service/cycle_form.html",
        {"form": form, "categories": categories, "cycle": cycle},
    )


@service_cabinet_required
def cycle_card(request, pk):
    cycle = selectors.staff_cycle(request.user, pk)
    today = timezone.localdate()
    counts = selectors.phase_counts(cycle)
    return render(
        request,
        "budgets/service/cycle.html",
        {
            "cycle": cycle,
            "phase": Phase(cycle.phase(today)),
            "timeline": phase_timeline(cycle, today),
            "categories": cycle.categories.all(),
            "counts": [(s, counts.get(s.value, 0)) for s in ProjectStatus],
            "actions": workflow.available_actions(cycle, request.user, today=today),
            "ballots": cycle.ballots.count(),
            "winners": cycle.projects.filter(status=ProjectStatus.SELECTED).order_by("rank"),
        },
    )


@service_cabinet_required
@require_POST
def cycle_action(request, pk, action):
    cycle = selectors.staff_cycle(request.user, pk)
    try:
        if action == "approve":
            services.approve_parameters(cycle=cycle, actor=request.user)
            services.advance(cycle=cycle)
            messages.success(request, _("The parameters are approved; the cycle is public."))
        elif action == "publish":
            voting.publish_results(cycle=cycle, actor=request.user)
            messages.success(request, _("The results are published."))
        else:
            raise Http404
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:  # R32: dates out of order
        messages.error(request, " ".join(exc.messages))
    return redirect("budgets_service:cycle", pk=cycle.pk)


@service_cabinet_required
def review_queue(request, pk):
    cycle = selectors.staff_cycle(request.user, pk)
    form = ReviewFilterForm(request.GET or None)
    status = form.cleaned_data.get("status") if form.is_valid() else None
    page = Paginator(selectors.review_queue(cycle, status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "budgets/service/queue.html",
        {
            "cycle": cycle,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "review_open": cycle.is_open(Phase.REVIEW),
        },
    )


@service_cabinet_required
def review_project(request, pk):
    project = selectors.staff_project(request.user, pk)
    cycle = project.cycle
    form = ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.review(
                    project=project,
                    actor=request.user,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    approved_cost=form.cleaned_data["approved_cost"],
                )
            except TransitionNotAllowed as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The decision is recorded and published."))
                return redirect("budgets_service:queue", pk=cycle.pk)
        status = 400
    actions = workflow.available_actions(cycle, request.user, project)
    return render(
        request,
        "budgets/service/review.html",
        {
            "project": project,
            "cycle": cycle,
            "form": form,
            "lines": project.cost_lines.all(),
            "photos": project.photos.all(),
            "events": project.events.select_related("actor"),
            "can_review": any(a in actions for a in services.DECISIONS),
            "can_update": "post_update" in actions,
            "cap": cycle.cap_for(project.category),
        },
        status=status,
    )


@service_cabinet_required
def paper_ballot(request, pk):
    cycle = selectors.staff_cycle(request.user, pk)
    reason = workflow.refusal(cycle, request.user, "enter_paper_votes")
    if reason is None and not cycle.is_open(Phase.VOTING):
        reason = _("Voting is not open.")
    form = PaperBallotForm(request.POST or None, queryset=selectors.ballot_projects(cycle))
    status = 200
    if request.method == "POST":
        if reason:
            form.add_error(None, reason)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                voting.enter_paper_ballot(
                    cycle=cycle,
                    actor=request.user,
                    projects=data["projects"],
                    voter=data["voter"],
                    document_kind=data["document_kind"],
                    document_number=data["document_number"],
                    eligibility_confirmed=data["eligibility_confirmed"],
                )
            except TransitionNotAllowed as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The paper ballot is entered."))
                return redirect("budgets_service:paper", pk=cycle.pk)
        status = 400
    return render(
        request,
        "budgets/service/paper.html",
        {"cycle": cycle, "form": form, "reason": reason},
        status=status,
    )


@service_cabinet_required
def post_update(request, pk):
    project = selectors.staff_project(request.user, pk)
    cycle = project.cycle
    reason = workflow.refusal(cycle, request.user, "post_update", project)
    if request.method != "POST":
        form = UpdateForm(initial={"happened_on": timezone.localdate()})
        return render(
            request,
            "budgets/service/update.html",
            {"project": project, "cycle": cycle, "form": form, "reason": reason},
        )
    pending, upload_errors = collect_photos(request)
    form = UpdateForm(request.POST, pending=pending)
    if form.is_valid():
        for message in upload_errors:
            form.add_error("photos", message)
    if form.is_valid() and not form.errors:
        try:
            services.post_update(
                project=project,
                actor=request.user,
                status=form.cleaned_data["status"],
                text=form.cleaned_data["text"],
                happened_on=form.cleaned_data["happened_on"],
                photos=pending,
            )
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The update is published."))
            return redirect("budgets:project", pk=project.pk)
    return render(
        request,
        "budgets/service/update.html",
        {"project": project, "cycle": cycle, "form": form, "reason": reason},
        status=400,
    )
