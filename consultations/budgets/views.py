"""Public and personal pages of participatory budgeting (mounted at /budgets/). Thin: the
selectors say what may be seen, the workflow what may be done, the services do it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations.eligibility import refusal as eligibility_refusal
from edem.core import idempotency
from edem.core.workflow import TransitionNotAllowed

from . import selectors, services, voting, workflow
from .forms import (
    AppealForm,
    CostLineFormSet,
    CycleFilterForm,
    ProjectFilterForm,
    ProjectForm,
    VoteForm,
    cost_lines_initial,
    parse_ids,
)
from .models import Photo
from .workflow import Phase

PAGE_SIZE = 20


def _query(request, *drop):
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


def phase_timeline(cycle, today):
    """[(phase, start, end, state)] for the cycle page: state is past/current/future."""
    current = cycle.phase(today)
    rows = []
    for phase in workflow.PHASE_ORDER[1:]:
        if phase == Phase.SUPPORT and not cycle.has_support_phase:
            continue
        start, end = cycle.window(phase)
        if phase == Phase.COUNT:
            start = cycle.starts().get(Phase.COUNT)
        elif phase in (Phase.WINNERS_PUBLISHED, Phase.IMPLEMENTATION):
            start = cycle.starts().get(phase)
        index, now = workflow.phase_index(phase), workflow.phase_index(current)
        if phase == Phase.WINNERS_PUBLISHED and cycle.results_published_at:
            start = timezone.localdate(cycle.results_published_at)
        elif phase == current == Phase.IMPLEMENTATION and start is None:
            start = timezone.localdate(cycle.status_changed_at)
        state = "current" if index == now else ("past" if index < now else "future")
        rows.append((phase, start, end, state))
    return rows


def cycle_list(request):
    form = CycleFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.public_cycles(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "budgets/cycle_list.html",
        {"form": form, "page": page, "query": _query(request)},
    )


def cycle_detail(request, pk):
    cycle = selectors.public_cycle(pk)
    today = timezone.localdate()
    return render(
        request,
        "budgets/cycle_detail.html",
        {
            "cycle": cycle,
            "phase": Phase(cycle.phase(today)),
            "timeline": phase_timeline(cycle, today),
            "categories": cycle.categories.all(),
            "counts": selectors.phase_counts(cycle),
            "submission_open": cycle.is_open(Phase.SUBMISSION, today),
            "voting_open": cycle.is_open(Phase.VOTING, today),
            "refusal": eligibility_refusal(request.user, cycle, today),
        },
    )


def project_list(request, pk):
    cycle = selectors.public_cycle(pk)
    form = ProjectFilterForm(request.GET or None, cycle=cycle)
    filters = form.cleaned_data if form.is_valid() else {}
    projects = selectors.public_projects(cycle, filters)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "budgets/project_list.html",
        {
            "cycle": cycle,
            "form": form,
            "page": page,
            "query": _query(request),
            "has_categories": "category" in form.fields,
        },
    )


def project_detail(request, pk):
    project = selectors.public_project(pk)
    cycle = project.cycle
    today = timezone.localdate()
    actions = workflow.available_actions(cycle, request.user, project, today)
    return render(
        request,
        "budgets/project_detail.html",
        {
            "project": project,
            "cycle": cycle,
            "lines": project.cost_lines.all(),
            "photos": project.photos.all(),
            "events": selectors.public_events(project),
            "updates": project.updates.prefetch_related("photos"),
            "actions": actions,
            "supporters": project.supports.count() if cycle.has_support_phase else None,
            "appeal_form": AppealForm(),
            "can_appeal": "appeal" in actions and project.appealed_at is None,
            "cap": cycle.cap_for(project.category),
        },
    )


def collect_photos(request, field="photos"):
    """Photos kept from an earlier try (minus removed ones) plus this request's, each checked;
    returns (photos, error messages)."""
    removed = set(parse_ids(",".join(request.POST.getlist("remove_pending"))))
    pending = [
        p
        for p in services.pending_photos(request.user, parse_ids(request.POST.get("pending")))
        if p.pk not in removed
    ]
    errors = []
    for upload in request.FILES.getlist(field):
        if len(pending) >= services.MAX_PHOTOS:
            errors.append(
                _("At most 10 photos can be attached; “%(name)s” was not.") % {"name": upload.name}
            )
            continue
        try:
            pending.append(services.store_photo(upload=upload, actor=request.user))
        except services.UploadRefused as exc:
            errors.append(str(exc))
    return pending, errors


def _project_form(request, cycle, template, *, project=None):
    """The submission form and the author's edit form: a project form and a formset of cost
    lines; on error both come back with everything typed, photos kept."""
    today = timezone.localdate()
    context = {"cycle": cycle, "project": project}
    if request.method != "POST":
        initial_lines = cost_lines_initial(project) if project else None
        context["form"] = ProjectForm(instance=project, cycle=cycle)
        context["lines"] = CostLineFormSet(prefix="lines", initial=initial_lines)
        return render(request, template, context)
    pending, upload_errors = collect_photos(request)
    form = ProjectForm(request.POST, instance=project, cycle=cycle, pending=pending)
    lines = CostLineFormSet(request.POST, prefix="lines")
    context.update(form=form, lines=lines)
    if form.is_valid() and lines.is_valid():
        for message in upload_errors:
            form.add_error("photos", message)
    if form.is_valid() and lines.is_valid() and not form.errors:
        try:
            if project is None:
                done = idempotency.once(
                    token=idempotency.token_from(request.POST),
                    scope="budgets.project",
                    user=request.user,
                    create=lambda: services.submit_project(
                        cycle=cycle,
                        author=request.user,
                        cost_lines=lines.lines(),
                        photos=pending,
                        today=today,
                        **form.service_fields(),
                    ),
                )
                project = done.result
                if project is None:  # sent twice, and the first one's project is gone
                    return redirect("budgets:my")
                if not done.repeated:
                    messages.success(request, _("Your project is submitted."))
            else:
                project = services.edit_project(
                    project=project,
                    actor=request.user,
                    cost_lines=lines.lines(),
                    photos=pending,
                    remove_photos=parse_ids(",".join(request.POST.getlist("remove_photo"))),
                    today=today,
                    **form.service_fields(),
                )
                messages.success(request, _("Your changes are saved."))
        except (TransitionNotAllowed, idempotency.TokenAlreadyUsed) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("budgets:project", pk=project.pk)
    return render(request, template, context, status=400)


@login_required
def submit(request, pk):
    cycle = selectors.public_cycle(pk)
    today = timezone.localdate()
    reason = None
    if not cycle.is_open(Phase.SUBMISSION, today):
        reason = _("Projects are not accepted now.")
    else:
        reason = eligibility_refusal(request.user, cycle, today)  # R33
    if reason:
        return render(
            request, "budgets/refused.html", {"cycle": cycle, "reason": reason}, status=403
        )
    return _project_form(request, cycle, "budgets/project_form.html")


@login_required
def edit(request, pk):
    project = get_object_or_404(selectors.my_projects(request.user).select_related("cycle"), pk=pk)
    actions = workflow.available_actions(project.cycle, request.user, project)
    if "edit" not in actions and "revise" not in actions:
        messages.error(request, _("The project cannot be changed now."))
        return redirect("budgets:project", pk=project.pk)
    return _project_form(request, project.cycle, "budgets/project_form.html", project=project)


@login_required
@require_POST
def appeal(request, pk):
    project = get_object_or_404(selectors.my_projects(request.user), pk=pk)
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Explain why the decision should be changed."))
        return redirect("budgets:project", pk=project.pk)
    try:
        services.appeal_rejection(
            project=project, actor=request.user, text=form.cleaned_data["text"]
        )
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your appeal is sent to the reviewers."))
    return redirect("budgets:project", pk=project.pk)


@login_required
@require_POST
def support(request, pk):
    project = selectors.public_project(pk)
    try:
        services.support(project=project, user=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Thank you: your support is counted."))
    return redirect("budgets:project", pk=project.pk)


def vote(request, pk):
    """The ballot (R35): choose up to K accepted projects; shows the votes left, and the reason
    when the person may not vote."""
    cycle = selectors.public_cycle(pk)
    today = timezone.localdate()
    voted = selectors.my_votes_in(cycle, request.user)
    voted_ids = {v.project_id for v in voted}
    queryset = selectors.ballot_projects(cycle)
    reason = voting.vote_refusal(cycle, request.user, today)  # R35
    form = VoteForm(
        request.POST if request.method == "POST" else None,
        queryset=queryset.exclude(pk__in=voted_ids),
    )
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        token = idempotency.token_from(request.POST)
        try:
            if idempotency.earlier(token=token, scope="budgets.vote", user=request.user):
                return redirect("budgets:vote", pk=cycle.pk)  # sent again: already counted
        except idempotency.TokenAlreadyUsed as exc:
            reason = str(exc)
        if reason:
            form.add_error(None, reason)
        elif form.is_valid():
            try:
                done = idempotency.once(
                    token=token,
                    scope="budgets.vote",
                    user=request.user,
                    create=lambda: voting.cast_votes(
                        cycle=cycle, user=request.user, projects=form.cleaned_data["projects"]
                    ),
                )
            except (TransitionNotAllowed, idempotency.TokenAlreadyUsed) as exc:
                form.add_error(None, str(exc))
            else:
                if not done.repeated:
                    messages.success(request, _("Your votes are counted. Thank you!"))
                return redirect("budgets:vote", pk=cycle.pk)
        status = 400
    return render(
        request,
        "budgets/vote.html",
        {
            "cycle": cycle,
            "form": form,
            "voted": voted,
            "remaining": voting.votes_left(cycle, voted),
            "reason": reason,
            "ballot": queryset,
        },
        status=status,
    )


def results(request, pk):
    cycle = selectors.public_cycle(pk)
    return render(
        request,
        "budgets/results.html",
        {"cycle": cycle, "groups": selectors.results(cycle)},
    )


@login_required
def my(request):
    """The resident's projects and votes ("my votes" of the personal cabinet)."""
    projects = Paginator(selectors.my_projects(request.user), PAGE_SIZE).get_page(
        request.GET.get("projects_page")
    )
    votes = Paginator(selectors.my_votes(request.user), PAGE_SIZE).get_page(
        request.GET.get("votes_page")
    )
    return render(request, "budgets/my.html", {"projects": projects, "votes": votes})


def photo(request, pk, thumb=False):
    """A project's or update's photo, public with its project; a pending photo only to its
    uploader."""
    item = get_object_or_404(
        Photo.objects.select_related("project__cycle", "update__project__cycle"), pk=pk
    )
    if item.is_pending:
        if item.uploaded_by_id != request.user.pk:
            raise Http404
    else:
        project = item.project or item.update.project
        if project.cycle.parameters_approved_at is None:
            raise Http404
    field = item.thumbnail if thumb and item.thumbnail else item.file
    content_type = "image/jpeg" if field is item.thumbnail else item.content_type
    return FileResponse(field.open("rb"), content_type=content_type)
