"""Use cases that change a participatory budget (R32–R36). Each runs in a transaction, checks
the workflow table (``workflow.check``), writes a ``BudgetEvent`` and queues notifications
through ``edem.notifications.services.notify`` (sent after commit)."""

import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinets.access import roles_in
from consultations.eligibility import NotEligible, ensure_eligible, voter_key
from edem.core.i18n import in_every_language
from edem.core.locking import locked
from edem.core.markup import render_markdown
from edem.core.uploads import UploadRefused, clean_upload, store
from edem.core.workflow import TransitionNotAllowed
from edem.notifications.services import notify

from . import workflow
from .history import record_event
from .models import (
    BudgetCycle,
    CostLine,
    ImplementationUpdate,
    Photo,
    Project,
    Support,
    money,
)
from .results import compute_results
from .workflow import Phase, ProjectStatus

MAX_PHOTOS = 10


def _project_path(project):
    return reverse("budgets:project", args=[project.pk])


# --- Cycles (R32) -----------------------------------------------------------------------------


@transaction.atomic
def save_cycle(*, actor, cycle, categories=(), deleted_categories=()):
    """Create or change a cycle and its categories while its parameters are open (R32).
    ``cycle`` is a validated instance (``full_clean`` done by the form); ``categories`` are
    validated ``BudgetCategory`` instances (unsaved or changed)."""
    is_new = cycle.pk is None
    if is_new:
        if not roles_in(actor, cycle.cabinet_id) & workflow.MANAGERS:
            raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))
        cycle.status = Phase.PARAMETERS
    else:
        stored = locked(cycle)
        workflow.check(stored, actor, "edit_cycle")
        if not roles_in(actor, cycle.cabinet_id) & workflow.MANAGERS:
            raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))
    cycle.render_description()
    cycle.save()
    for category in deleted_categories:
        if category.pk and category.projects.exists():
            raise TransitionNotAllowed(
                _("The category “%(name)s” has projects and cannot be removed.")
                % {"name": category.name}
            )
        if category.pk:
            category.delete()
    for category in categories:
        category.cycle = cycle
        category.save()
    total = sum((c.fund for c in cycle.categories.all()), Decimal("0"))
    if total > cycle.total_fund:  # R32: the categories share the total fund
        raise TransitionNotAllowed(
            _("The categories' funds (%(sum)s) exceed the total fund (%(total)s).")
            % {"sum": total, "total": cycle.total_fund}
        )
    record_event(cycle, action="create" if is_new else "edit", actor=actor, is_public=False)
    return cycle


@transaction.atomic
def approve_parameters(*, cycle, actor):
    """Fix the parameters (R32): from now on the cycle is public and runs by its dates."""
    cycle = locked(cycle)
    workflow.check(cycle, actor, "approve_parameters")
    if cycle.is_announced:
        raise TransitionNotAllowed(_("The parameters are already approved."))
    cycle.full_clean()
    cycle.parameters_approved_at = timezone.now()
    cycle.save(update_fields=["parameters_approved_at", "updated_at"])
    record_event(cycle, action="approve_parameters", actor=actor)
    return cycle


@transaction.atomic
def advance(*, cycle, today=None):
    """Move the cycle through every phase its dates have reached (R32), one transition at a
    time, with each transition's side effects. Idempotent: the cycle row is locked and each
    step starts from the stored phase, so a second run (or a parallel one) does nothing."""
    today = today or timezone.localdate()
    cycle = locked(cycle)
    moved = []
    while True:
        target = workflow.next_phase(cycle)
        if target is None or not _due(cycle, target, today):
            break
        source = cycle.status
        _on_leave(cycle, Phase(source), Phase(target))
        cycle.status = target
        cycle.status_changed_at = timezone.now()
        cycle.save(update_fields=["status", "status_changed_at", "updated_at"])
        record_event(cycle, action="phase", from_state=source, to_state=target)
        _on_enter(cycle, Phase(target))
        moved.append(target)
    return moved


def _due(cycle, target, today):
    if target == Phase.SUBMISSION and not cycle.is_announced:
        return False
    start = cycle.starts().get(target)
    return start is not None and start <= today


def _on_leave(cycle, source, target):
    if source == Phase.SUPPORT:  # R32: under the threshold, no review
        weak = (
            cycle.projects.filter(status=ProjectStatus.SUBMITTED)
            .annotate(n=Count("supports"))
            .filter(n__lt=cycle.support_threshold)
        )
        for project in weak:
            project.status = ProjectStatus.NOT_SUPPORTED
            project.save(update_fields=["status", "updated_at"])
            record_event(
                cycle,
                action="not_supported",
                project=project,
                from_state=ProjectStatus.SUBMITTED,
                to_state=ProjectStatus.NOT_SUPPORTED,
                supporters=project.n,
            )
            _notify_author(project, "not_supported", supporters=project.n)
    if source == Phase.REVIEW:
        _draw_numbers(cycle)  # R34
    if source == Phase.VOTING:  # R35: the ballot is locked at close
        cycle.ballots.filter(locked_at__isnull=True).update(locked_at=timezone.now())


def _on_enter(cycle, target):
    if target == Phase.REVIEW:
        for project in cycle.projects.filter(status=ProjectStatus.SUBMITTED):
            _notify_author(project, "review_started")
    elif target == Phase.VOTING:
        for project in cycle.projects.filter(status=ProjectStatus.ACCEPTED):
            _notify_author(project, "voting_started")
    elif target == Phase.WINNERS_PUBLISHED:
        compute_results(cycle)


def _draw_numbers(cycle):
    """R34: the admitted projects get their ballot numbers by lot (``secrets.SystemRandom``),
    once; the order is stored and published."""
    if cycle.lots_drawn_at is not None:
        return
    admitted = list(cycle.projects.filter(status=ProjectStatus.ACCEPTED).order_by("pk"))
    secrets.SystemRandom().shuffle(admitted)
    for number, project in enumerate(admitted, start=1):
        project.number = number
        project.save(update_fields=["number", "updated_at"])
    cycle.lots_drawn_at = timezone.now()
    cycle.save(update_fields=["lots_drawn_at", "updated_at"])
    record_event(cycle, action="draw_numbers", order=[p.pk for p in admitted])


def _notify_author(project, event, **extra):
    notify(
        template="budgets/phase",
        recipient=project.author,
        context={
            "event": event,
            "title": project.title,
            "number": project.number,
            "cycle": in_every_language(project.cycle, "title"),
            "path": _project_path(project),
            **extra,
        },
        key=f"budgets:{event}:{project.pk}",
    )


# --- Photos --------------------------------------------------------------------------------


def store_photo(*, upload, actor):
    """Check an uploaded photo with the appeals' checks (content, size, pixel bomb; metadata
    stripped by re-encoding) and keep it as a pending photo of ``actor``."""
    clean = clean_upload(upload)
    if not clean.content_type.startswith("image/"):
        raise UploadRefused(
            _("“%(name)s” is not a JPEG, PNG or WebP image.") % {"name": upload.name}
        )
    return store(Photo(uploaded_by=actor), clean, upload.name)


def pending_photos(actor, ids):
    return list(
        Photo.objects.filter(
            pk__in=ids, uploaded_by=actor, project__isnull=True, update__isnull=True
        ).order_by("pk")
    )


# --- Projects (R33, R34) -------------------------------------------------------------------


def _check_cost(cycle, category, lines):
    """R33: an itemised estimate of at least one line, exact in Decimal, within the cap."""
    if not lines:
        raise TransitionNotAllowed(_("Add at least one line to the cost estimate."))
    total = sum((money(line.quantity * line.unit_price) for line in lines), Decimal("0"))
    cap = cycle.cap_for(category)
    if cap is not None and total > cap:
        raise TransitionNotAllowed(
            _("The project costs %(total)s %(currency)s; the limit is %(cap)s %(currency)s.")
            % {"total": total, "cap": cap, "currency": cycle.currency}
        )
    return total


def _check_category(cycle, category):
    if category is not None and category.cycle_id != cycle.pk:
        raise TransitionNotAllowed(_("Choose a category of this budget."))
    if category is None and cycle.categories.exists():
        raise TransitionNotAllowed(_("Choose a category."))


def _save_lines(project, lines):
    project.cost_lines.all().delete()
    for position, line in enumerate(lines):
        CostLine.objects.create(
            project=project,
            position=position,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
        )


def _attach(project, photos, actor):
    ids = [p.pk for p in photos]
    if project.photos.exclude(pk__in=ids).count() + len(ids) > MAX_PHOTOS:
        raise TransitionNotAllowed(_("At most 10 photos can be attached."))
    Photo.objects.filter(
        pk__in=ids, uploaded_by=actor, project__isnull=True, update__isnull=True
    ).update(project=project)


PROJECT_FIELDS = (
    "category",
    "title",
    "problem",
    "description",
    "beneficiaries",
    "address",
    "latitude",
    "longitude",
)


@transaction.atomic
def submit_project(*, cycle, author, cost_lines, photos=(), today=None, **fields):
    """A resident submits a project (R33): eligible, during the submission window, within the
    category's cap, with an itemised estimate."""
    cycle = BudgetCycle.objects.get(pk=cycle.pk)
    if not cycle.is_open(Phase.SUBMISSION, today):
        raise TransitionNotAllowed(_("Projects are not accepted now."))
    try:
        ensure_eligible(author, cycle, today)  # R33: by an eligible resident
    except NotEligible as exc:
        raise TransitionNotAllowed(exc.reason) from exc
    category = fields.get("category")
    _check_category(cycle, category)
    total = _check_cost(cycle, category, cost_lines)  # R33
    project = Project(cycle=cycle, author=author, cost=total, **fields)
    project.description_html = render_markdown(project.description)
    project.save()
    _save_lines(project, cost_lines)
    _attach(project, photos, author)
    record_event(cycle, action="submit", actor=author, project=project, to_state=project.status)
    return project


@transaction.atomic
def edit_project(*, project, actor, cost_lines, photos=(), remove_photos=(), today=None, **fields):
    """The author changes the project during submission, or after it was returned for changes
    (R34), which submits it again."""
    project = locked(project, "cycle")
    cycle = project.cycle
    phase = cycle.phase(today)
    workflow.check(cycle, actor, "revise" if phase == Phase.REVIEW else "edit", project, today)
    if not cycle.is_open(phase, today):
        raise TransitionNotAllowed(_("The project can no longer be changed."))
    category = fields.get("category", project.category)
    _check_category(cycle, category)
    total = _check_cost(cycle, category, cost_lines)
    for name, value in fields.items():
        setattr(project, name, value)
    project.cost = total
    project.description_html = render_markdown(project.description)
    previous = project.status
    project.status = ProjectStatus.SUBMITTED
    project.save()
    _save_lines(project, cost_lines)
    project.photos.filter(pk__in=[int(pk) for pk in remove_photos]).delete()
    _attach(project, photos, actor)
    record_event(
        cycle,
        action="resubmit" if previous == ProjectStatus.RETURNED else "edit",
        actor=actor,
        project=project,
        from_state=previous,
        to_state=project.status,
    )
    return project


@transaction.atomic
def support(*, project, user, today=None):
    """An eligible resident supports a project during the SUPPORT phase (R32): one support
    per person, a database constraint on (project, voter_key)."""
    project = Project.objects.select_related("cycle").get(pk=project.pk)
    cycle = project.cycle
    workflow.check(cycle, user, "support", project, today)
    if not cycle.is_open(Phase.SUPPORT, today):
        raise TransitionNotAllowed(_("Support is not collected now."))
    try:
        ensure_eligible(user, cycle, today)
    except NotEligible as exc:
        raise TransitionNotAllowed(exc.reason) from exc
    try:
        with transaction.atomic():
            Support.objects.create(project=project, voter_key=voter_key(user), user=user)
    except IntegrityError as exc:
        raise TransitionNotAllowed(_("You have already supported this project.")) from exc
    return project.supports.count()


DECISIONS = {
    "accept": ProjectStatus.ACCEPTED,
    "return": ProjectStatus.RETURNED,
    "reject": ProjectStatus.REJECTED,
}


@transaction.atomic
def review(*, project, actor, decision, reason="", approved_cost=None, today=None):
    """Officials decide (R34): admitted to the vote, returned for changes or rejected, with a
    reason that is published (required unless admitted), and may adjust the cost within the
    cap (R33)."""
    project = locked(project, "cycle")
    cycle = project.cycle
    if decision not in DECISIONS:
        raise TransitionNotAllowed(_("Unknown action."))
    workflow.check(cycle, actor, decision, project, today)
    if not cycle.is_open(Phase.REVIEW, today):
        raise TransitionNotAllowed(_("The review period is over."))
    reason = (reason or "").strip()
    if decision != "accept" and not reason:
        raise TransitionNotAllowed(_("Give the reason: it is published with the decision."))
    if approved_cost is not None:
        approved_cost = money(approved_cost)
        cap = cycle.cap_for(project.category)
        if approved_cost <= 0:
            raise TransitionNotAllowed(_("The cost must be more than zero."))
        if cap is not None and approved_cost > cap:
            raise TransitionNotAllowed(
                _("The cost exceeds the limit of %(cap)s %(currency)s: reject the project instead.")
                % {"cap": cap, "currency": cycle.currency}
            )
        project.approved_cost = approved_cost
    previous = project.status
    project.status = DECISIONS[decision]
    project.review_reason = reason
    project.reviewed_at = timezone.now()
    project.reviewed_by = actor
    project.save()
    record_event(
        cycle,
        action=decision,
        actor=actor,
        project=project,
        from_state=previous,
        to_state=project.status,
        note=reason,
        approved_cost=str(project.approved_cost) if project.approved_cost is not None else None,
    )
    notify(
        template="budgets/review",
        recipient=project.author,
        context={
            "decision": decision,
            "title": project.title,
            "reason": reason,
            "cost": str(project.effective_cost),
            "currency": cycle.currency,
            "path": _project_path(project),
        },
    )
    return project


@transaction.atomic
def appeal_rejection(*, project, actor, text, today=None):
    """The author appeals a rejection once (R34); the reviewers decide again."""
    project = locked(project, "cycle")
    cycle = project.cycle
    workflow.check(cycle, actor, "appeal", project, today)
    if project.appealed_at is not None:
        raise TransitionNotAllowed(_("A rejection can be appealed only once."))
    if not cycle.is_open(Phase.REVIEW, today):
        raise TransitionNotAllowed(_("The review period is over."))
    text = (text or "").strip()
    if not text:
        raise TransitionNotAllowed(_("Explain why the decision should be changed."))
    project.status = ProjectStatus.APPEALED
    project.appeal_text = text[:5000]
    project.appealed_at = timezone.now()
    project.save()
    record_event(
        cycle,
        action="appeal",
        actor=actor,
        project=project,
        from_state=ProjectStatus.REJECTED,
        to_state=ProjectStatus.APPEALED,
        note=project.appeal_text,
    )
    return project


# --- Implementation ---------------------------------------------------------------------


@transaction.atomic
def post_update(*, project, actor, status, text, happened_on=None, photos=(), today=None):
    """A public step in the implementation of a winning project, with photos."""
    project = locked(project, "cycle")
    cycle = project.cycle
    workflow.check(cycle, actor, "post_update", project, today)
    text = (text or "").strip()
    if not text:
        raise TransitionNotAllowed(_("Describe what has been done."))
    if len(photos) > MAX_PHOTOS:
        raise TransitionNotAllowed(_("At most 10 photos can be attached."))
    update = ImplementationUpdate.objects.create(
        project=project,
        author=actor,
        status=status,
        text=text,
        text_html=render_markdown(text),
        happened_on=happened_on or timezone.localdate(),
    )
    Photo.objects.filter(
        pk__in=[p.pk for p in photos], uploaded_by=actor, project__isnull=True, update__isnull=True
    ).update(update=update)
    project.implementation_status = status
    project.save(update_fields=["implementation_status", "updated_at"])
    if cycle.status == Phase.WINNERS_PUBLISHED:  # the first step starts the implementation
        BudgetCycle.objects.filter(pk=cycle.pk, status=Phase.WINNERS_PUBLISHED).update(
            status=Phase.IMPLEMENTATION, status_changed_at=timezone.now()
        )
        record_event(
            cycle,
            action="phase",
            actor=actor,
            from_state=Phase.WINNERS_PUBLISHED,
            to_state=Phase.IMPLEMENTATION,
        )
    record_event(cycle, action="update", actor=actor, project=project, to_state=status)
    notify(
        template="budgets/update",
        recipient=project.author,
        context={"title": project.title, "status": status, "path": _project_path(project)},
    )
    return update


def advance_all(today=None):
    """Beat entry: advance every announced cycle that is not finished (idempotent)."""
    moved = 0
    ids = list(
        BudgetCycle.objects.filter(parameters_approved_at__isnull=False)
        .filter(~Q(status=Phase.IMPLEMENTATION))
        .values_list("pk", flat=True)
    )
    for pk in ids:
        moved += len(advance(cycle=BudgetCycle(pk=pk), today=today))
    return moved
