"""Public and personal pages of polls (mounted at /polls/). Thin: selectors say what may be
seen, services do what is asked, forms keep what was typed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cabinets.models import Cabinet
from edem.core import idempotency
from edem.core.workflow import TransitionNotAllowed

from . import exports, selectors, services
from .forms import BallotForm, FilterForm, ProposalForm
from .models import InitiatorKind, Poll
from .workflow import CLOSED_STATES, PUBLIC_STATES

PAGE_SIZE = 20


def _listing(request, queryset_for, template, statuses, extra=None):
    form = FilterForm(request.GET or None, statuses=statuses)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(queryset_for(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {"form": form, "page": page, "query": query.urlencode(), **(extra or {})},
    )


def poll_list(request):
    return _listing(request, selectors.public_polls, "polls/list.html", PUBLIC_STATES)


def archive(request):
    """Closed polls with their results (R31)."""
    return _listing(
        request, selectors.archive, "polls/list.html", CLOSED_STATES, {"is_archive": True}
    )


def detail(request, pk):
    """The poll and, while voting is open, the ballot on the same page (works without JS). A
    refused voter sees the reason (R30); a ballot with errors comes back as typed."""
    poll = selectors.public_poll(pk)
    questions = list(poll.questions.prefetch_related("options"))
    ballot = services.ballot_of(poll, request.user)
    refusal = services.ballot_refusal(poll, request.user) if poll.status == "active" else None
    if ballot is not None and not poll.ballots_changeable:
        refusal = None  # already voted: the page says so instead
    may_vote = (
        poll.status == "active" and refusal is None and (ballot is None or poll.ballots_changeable)
    )
    form = BallotForm(questions=questions, ballot=ballot) if may_vote else None
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = BallotForm(request.POST, questions=questions, ballot=ballot)
        if form.is_valid():
            try:
                done = idempotency.once(
                    token=idempotency.token_from(request.POST),
                    scope="polls.ballot",
                    user=request.user,
                    create=lambda: services.cast_ballot(
                        poll=poll, voter=request.user, answers=form.answers()
                    ),
                )
            except idempotency.TokenAlreadyUsed as exc:
                form.add_error(None, str(exc))
                status = 400
            except services.NotEligible as exc:  # R30: the reason, never a bare "forbidden"
                refusal, status, form = exc.reason, 403, None
            except services.BallotInvalid as exc:
                form.add_question_errors(exc.errors)
                status = 400
            except TransitionNotAllowed as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                if not done.repeated:  # a double submit lands on the first one's ballot
                    messages.success(
                        request,
                        _("Your ballot is changed.")
                        if done.result.was_changed
                        else _("Thank you: your ballot is counted."),
                    )
                return redirect("polls:detail", pk=poll.pk)
        else:
            status = 400
    return render(
        request,
        "polls/detail.html",
        {
            "poll": poll,
            "questions": questions,
            "ballot": ballot,
            "form": form,
            "refusal": refusal,
            "events": poll.events.filter(
                action__in=[
                    "schedule",
                    "approve",
                    "start",
                    "complete",
                    "terminate",
                    "publish_results",
                ]
            ),
        },
        status=status,
    )


def results(request, pk):
    poll = selectors.public_poll(pk)
    visible = selectors.can_see_results(poll)
    return render(
        request,
        "polls/results.html",
        {
            "poll": poll,
            "visible": visible,
            "results": selectors.results(poll) if visible else None,
        },
    )


def results_pdf(request, pk):
    poll = selectors.public_poll(pk)
    if not selectors.can_see_results(poll):
        raise Http404
    return exports.pdf_response(poll, selectors.results(poll))


@login_required
def my_votes(request):
    page = Paginator(selectors.my_ballots(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    proposals = (
        Poll.objects.filter(initiator=request.user)
        .exclude(initiator_kind=InitiatorKind.CABINET)
        .select_related("cabinet")
        .order_by("-created_at")
    )
    return render(request, "polls/my.html", {"page": page, "proposals": proposals})


@login_required
def propose(request):
    """A resident (or an NGO, an advisory body) proposes a poll; it goes to the responsible
    cabinet's moderation (R28)."""
    if not request.user.is_verified_resident:
        return render(
            request,
            "polls/verify_first.html",
            {"verify_next": reverse("polls:propose")},
            status=403,
        )
    form = ProposalForm(request.POST or None)
    form.fields["cabinet"].queryset = Cabinet.objects.active()
    if request.method == "POST":
        if form.is_valid():
            data = form.service_fields()
            try:
                done = idempotency.once(
                    token=idempotency.token_from(request.POST),
                    scope="polls.propose",
                    user=request.user,
                    create=lambda: services.propose_poll(actor=request.user, **data),
                )
            except (TransitionNotAllowed, idempotency.TokenAlreadyUsed) as exc:
                form.add_error(None, str(exc))
            else:
                if not done.repeated:
                    messages.success(
                        request,
                        _("Your proposal is sent to %(cabinet)s for moderation.")
                        % {"cabinet": done.result.cabinet.name},
                    )
                return redirect("polls:my_votes")
        return render(request, "polls/propose.html", {"form": form}, status=400)
    return render(request, "polls/propose.html", {"form": form})
