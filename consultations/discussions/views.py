"""Public and personal pages of discussions of draft acts. Thin: selectors say what is shown,
the workflow and the eligibility check what a person may do, services do it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations.eligibility import NotEligible
from edem.core import idempotency
from edem.core.workflow import TransitionNotAllowed
from edem.documents.pdf import render_pdf

from . import diff as diffing
from . import selectors, services, workflow
from .forms import CommentForm, FilterForm, ProposalForm
from .models import Comment, Decision, Paragraph
from .workflow import Status

PAGE_SIZE = 20


def discussion_list(request):
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.public_discussions(filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "discussions/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _detail(request, discussion, *, bound=None, status=200):
    """The discussion page: the text by sections with per-paragraph comments and a form per
    paragraph (``bound`` = (paragraph pk, form with errors) keeps what was typed)."""
    number = request.GET.get("version")
    current = discussion.current_version()
    version = selectors.version_of(discussion, int(number) if number and number.isdigit() else None)
    can_take_part = version.pk == current.pk and discussion.status == Status.ACTIVE
    reason = workflow.refusal(discussion, request.user, "comment") if can_take_part else None
    sections = selectors.text_of(version)
    for section in sections:
        for paragraph in section.items:
            if bound and bound[0] == paragraph.pk:
                paragraph.form = bound[1]
            elif can_take_part and reason is None:
                paragraph.form = CommentForm(prefix=f"p{paragraph.pk}")
            else:
                paragraph.form = None
    return render(
        request,
        "discussions/detail.html",
        {
            "discussion": discussion,
            "version": version,
            "current": current,
            "versions": list(discussion.versions.order_by("number")),
            "sections": sections,
            "can_take_part": can_take_part,
            "refusal": reason,
            "supported": set(
                discussion.comments.filter(supports__user=request.user).values_list("pk", flat=True)
            )
            if request.user.is_authenticated
            else set(),
        },
        status=status,
    )


def detail(request, pk):
    return _detail(request, selectors.public_discussion(pk))


@require_POST
def comment(request, pk, paragraph_pk):
    discussion = selectors.public_discussion(pk)
    paragraph = get_object_or_404(
        Paragraph.objects.select_related("version"), pk=paragraph_pk, version__discussion=discussion
    )
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={discussion.get_absolute_url()}")
    form = CommentForm(request.POST, prefix=f"p{paragraph.pk}")
    if form.is_valid():
        try:
            done = idempotency.once(
                token=idempotency.token_from(request.POST),
                scope="discussions.comment",
                user=request.user,
                create=lambda: services.add_comment(
                    paragraph=paragraph,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                    show_name=form.cleaned_data["show_name"],
                ),
            )
        except NotEligible as exc:
            form.add_error(None, str(exc.reason))
            return _detail(request, discussion, bound=(paragraph.pk, form), status=403)
        except (TransitionNotAllowed, idempotency.TokenAlreadyUsed) as exc:
            form.add_error(None, str(exc))
        else:
            if not done.repeated:
                messages.success(request, _("Thank you: your comment is published."))
            return redirect(f"{discussion.get_absolute_url()}#paragraph-{paragraph.pk}")
    return _detail(request, discussion, bound=(paragraph.pk, form), status=400)


@login_required
@require_POST
def support(request, comment_pk):
    comment = get_object_or_404(
        Comment.objects.select_related("discussion"),
        pk=comment_pk,
        discussion__status__in=workflow.PUBLIC_STATES,
    )
    try:
        services.support(comment=comment, actor=request.user)
    except NotEligible as exc:
        messages.error(request, exc.reason)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You support this proposal."))
    return redirect(f"{comment.discussion.get_absolute_url()}#comment-{comment.pk}")


def version_diff(request, pk, number):
    """What changed in version ``number`` since the one before."""
    discussion = selectors.public_discussion(pk)
    new = selectors.version_of(discussion, number)
    old = discussion.versions.filter(number=number - 1).first()
    if old is None:
        raise Http404
    rows = diffing.compare(selectors.paragraph_rows(old), selectors.paragraph_rows(new))
    show_all = request.GET.get("all") == "1"
    return render(
        request,
        "discussions/diff.html",
        {
            "discussion": discussion,
            "old": old,
            "new": new,
            "rows": rows if show_all else [r for r in rows if r.status != "unchanged"],
            "counts": diffing.summary(rows),
            "show_all": show_all,
        },
    )


def _published(pk):
    discussion = selectors.public_discussion(pk)
    if discussion.status != Status.RESULTS_PUBLISHED:
        raise Http404
    return discussion


def _outcome_context(discussion):
    rows = selectors.outcome_rows(discussion)
    counts = selectors.outcome_counts(rows)
    return {
        "discussion": discussion,
        "rows": rows,
        "summary": [(outcome, counts.get(outcome.value, 0)) for outcome in Decision.Outcome],
    }


def outcome(request, pk):
    """The published outcome (R31): every comment and proposal with its decision and reason."""
    return render(request, "discussions/outcome.html", _outcome_context(_published(pk)))


def outcome_pdf(request, pk):
    discussion = _published(pk)
    data = render_pdf("discussions/outcome_pdf.html", _outcome_context(discussion))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="discussion-{discussion.pk}-outcome.pdf"'
    return response


def final_text(request, pk):
    discussion = selectors.public_discussion(pk)
    if not discussion.final_text:
        raise Http404
    return FileResponse(
        discussion.final_text.open("rb"),
        content_type="application/pdf",
        filename=discussion.final_text_name or f"discussion-{discussion.pk}.pdf",
    )


@login_required
def my(request):
    """My proposals: the comments and wordings I wrote, with the decisions, and the
    discussions I proposed."""
    page = Paginator(selectors.my_comments(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "discussions/my.html",
        {"page": page, "proposed": selectors.my_discussions(request.user)},
    )


@login_required
def propose(request):
    """A resident proposes a discussion of a draft act (R28), subject to moderation."""
    reason = services.initiation_refusal(request.user)
    if reason:
        return render(request, "discussions/propose.html", {"refusal": reason}, status=403)
    form = ProposalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = idempotency.once(
                token=idempotency.token_from(request.POST),
                scope="discussions.propose",
                user=request.user,
                create=lambda: services.propose_discussion(
                    actor=request.user,
                    cabinet=form.cleaned_data["cabinet"],
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                    markdown=form.cleaned_data["markdown"],
                    upload=form.cleaned_data["document"],
                ),
            )
        except NotEligible as exc:
            form.add_error(None, str(exc.reason))
        except (TransitionNotAllowed, idempotency.TokenAlreadyUsed) as exc:
            form.add_error(None, str(exc))
        else:
            if not done.repeated:
                messages.success(
                    request,
                    _("Your proposal is sent to the authority's moderation. We will write to you."),
                )
            return redirect("discussions:my")
    status = 400 if form.errors else 200
    return render(request, "discussions/propose.html", {"form": form}, status=status)
