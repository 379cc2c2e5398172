"""The polls part of the electronic service cabinet (mounted at /service/polls/): the list of
the cabinet's polls and proposals, the poll card with its actions, questions, moderation of
free texts, and the results as CSV and PDF. Members of the responsible cabinet only; others get
a 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cabinets.access import cabinets_where
from cabinets.models import Cabinet
from edem.accounts.mfa import service_cabinet_required
from edem.core.workflow import TransitionNotAllowed

from . import exports, selectors, services, workflow
from .forms import ACTION_FORMS, FilterForm, PollForm, QuestionForm
from .models import Answer
from .workflow import Status

PAGE_SIZE = 25


def _managed_cabinets(user):
    return cabinets_where(user, workflow.STAFF)


@service_cabinet_required
def poll_list(request):
    form = FilterForm(request.GET or None, statuses=frozenset(Status))
    form.fields["cabinet"].queryset = Cabinet.objects.filter(
        pk__in=selectors.staff_cabinet_ids(request.user)
    )
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.staff_polls(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.staff_status_counts(request.user)
    return render(
        request,
        "polls/service/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "counts": [(status, counts.get(status.value, 0)) for status in Status],
            "can_create": _managed_cabinets(request.user).exists(),
        },
    )


@service_cabinet_required
def poll_new(request):
    cabinets = _managed_cabinets(request.user)
    if not cabinets.exists():
        raise Http404
    form = PollForm(request.POST or None, cabinets=cabinets)
    if request.method == "POST":
        if form.is_valid():
            try:
                poll = services.create_poll(
                    actor=request.user,
                    cabinet=form.cleaned_data["cabinet"],
                    **form.service_fields(),
                )
            except TransitionNotAllowed as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The poll is created. Now add its questions."))
                return redirect("polls_service:card", pk=poll.pk)
        return render(request, "polls/service/poll_form.html", {"form": form}, status=400)
    return render(request, "polls/service/poll_form.html", {"form": form})


def _card(request, poll, forms=None, status=200):
    actions = workflow.available_actions(poll, request.user)
    names = {a.name for a in actions}
    forms = forms or {}
    action_forms = [
        (action, forms.get(action.name) or ACTION_FORMS[action.name](prefix=action.name))
        for action in actions
        if action.name in ACTION_FORMS
    ]
    return render(
        request,
        "polls/service/card.html",
        {
            "poll": poll,
            "questions": poll.questions.prefetch_related("options"),
            "events": poll.events.select_related("actor"),
            "action_forms": action_forms,
            "can_edit": "edit" in names,
            "can_moderate": "moderate_texts" in names,
            "pending_texts": selectors.pending_text_count(poll),
            "results_available": selectors.can_see_results(poll, staff=True),
            "ballots": poll.ballots.count(),
        },
        status=status,
    )


@service_cabinet_required
def card(request, pk):
    return _card(request, selectors.poll_for_staff(request.user, pk))


@service_cabinet_required
def poll_edit(request, pk):
    poll = selectors.poll_for_staff(request.user, pk)
    refusal = workflow.refusal(poll, request.user, "edit")
    if refusal:  # R29: frozen once voting opened
        messages.error(request, refusal)
        return redirect("polls_service:card", pk=poll.pk)
    form = PollForm(request.POST or None, instance=poll)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_poll(poll=poll, actor=request.user, **form.service_fields())
            except TransitionNotAllowed as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The poll is saved."))
                return redirect("polls_service:card", pk=poll.pk)
        poll.refresh_from_db()
        return render(
            request, "polls/service/poll_form.html", {"form": form, "poll": poll}, status=400
        )
    return render(request, "polls/service/poll_form.html", {"form": form, "poll": poll})


@service_cabinet_required
def question_edit(request, pk, question_pk=None):
    poll = selectors.poll_for_staff(request.user, pk)
    question = get_object_or_404(poll.questions, pk=question_pk) if question_pk else None
    refusal = workflow.refusal(poll, request.user, "edit")
    if refusal:  # R29
        messages.error(request, refusal)
        return redirect("polls_service:card", pk=poll.pk)
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.save_question(
                    poll=poll, actor=request.user, question=question, **form.service_fields()
                )
            except TransitionNotAllowed as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The question is saved."))
                return redirect("polls_service:card", pk=poll.pk)
        status = 400
    else:
        form = QuestionForm(initial=QuestionForm.initial_for(question) if question else None)
        status = 200
    return render(
        request,
        "polls/service/question_form.html",
        {"form": form, "poll": poll, "question": question},
        status=status,
    )


@service_cabinet_required
@require_POST
def question_delete(request, pk, question_pk):
    poll = selectors.poll_for_staff(request.user, pk)
    question = get_object_or_404(poll.questions, pk=question_pk)
    try:
        services.delete_question(question=question, actor=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The question is deleted."))
    return redirect("polls_service:card", pk=poll.pk)


# Each action of the card: the service that performs it and the fields of its form it takes.
PERFORMERS = {
    "schedule": (services.schedule, ()),
    "approve": (services.approve, ("note",)),
    "refuse": (services.refuse, ("reason",)),
    "terminate": (services.terminate, ("reason", "note")),
    "publish_results": (services.publish_results, ("decision",)),
}


def _run(action, poll, user, data):
    if action not in PERFORMERS:
        raise Http404
    service, fields = PERFORMERS[action]
    return service(poll=poll, actor=user, **{name: data[name] for name in fields})


@service_cabinet_required
@require_POST
def act(request, pk, action):
    poll = selectors.poll_for_staff(request.user, pk)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        try:
            translated = {n: form.by_language(n) for n in getattr(form, "translated_fields", ())}
            _run(action, poll, request.user, form.cleaned_data | translated)
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Done: %(action)s.") % {"action": workflow.ACTIONS[action].label}
            )
            return redirect("polls_service:card", pk=poll.pk)
    poll.refresh_from_db()
    return _card(request, poll, forms={action: form}, status=400)


@service_cabinet_required
def texts(request, pk):
    """Moderation of free-text answers (R31): approved ones appear in the results."""
    poll = selectors.poll_for_staff(request.user, pk)
    refusal = workflow.refusal(poll, request.user, "moderate_texts")
    if refusal:
        messages.error(request, refusal)
        return redirect("polls_service:card", pk=poll.pk)
    if request.method == "POST":
        answer_id = request.POST.get("answer", "")
        if not answer_id.isdigit():
            raise Http404
        answer = get_object_or_404(Answer, pk=answer_id, question__poll=poll)
        decision = request.POST.get("decision")
        if decision not in ("approve", "reject"):
            raise Http404
        try:
            services.moderate_text(
                answer=answer,
                actor=request.user,
                approve=decision == "approve",
                note=request.POST.get("note", ""),
            )
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("The answer is approved.")
                if decision == "approve"
                else _("The answer is rejected."),
            )
        return redirect(request.get_full_path())
    shown = request.GET.get("status") or Answer.TextStatus.PENDING
    if shown not in (
        Answer.TextStatus.PENDING,
        Answer.TextStatus.APPROVED,
        Answer.TextStatus.REJECTED,
    ):
        shown = Answer.TextStatus.PENDING
    page = Paginator(selectors.texts_to_moderate(poll, shown), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "polls/service/texts.html",
        {
            "poll": poll,
            "page": page,
            "shown": shown,
            "statuses": [
                (s, s.label)
                for s in (
                    Answer.TextStatus.PENDING,
                    Answer.TextStatus.APPROVED,
                    Answer.TextStatus.REJECTED,
                )
            ],
            "query": f"status={shown}",
        },
    )


def _results_or_404(request, pk):
    poll = selectors.poll_for_staff(request.user, pk)
    if not selectors.can_see_results(poll, staff=True):
        raise Http404
    return poll, selectors.results(poll)


@service_cabinet_required
def results_csv(request, pk):
    poll, results = _results_or_404(request, pk)
    return exports.results_csv(poll, results)


@service_cabinet_required
def results_pdf(request, pk):
    poll, results = _results_or_404(request, pk)
    return exports.pdf_response(poll, results)


@service_cabinet_required
def results(request, pk):
    poll, results = _results_or_404(request, pk)
    return render(
        request,
        "polls/service/results.html",
        {"poll": poll, "results": results, "visible": True, "staff": True},
    )
