"""Public pages and actions around a problem (mounted at /problems/). Thin: every page and
action reaches the problem through ``public_problem_or_404`` (a non-public appeal is a 404),
forms validate, services act. Actions are POST-only with CSRF and work without JavaScript:
they redirect back with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from appeals.problems.selectors import public_problem_or_404
from edem.core import idempotency

from . import selectors, services
from .forms import CommentForm, DuplicateQuery, ReportForm, StillNotFixedForm, SubscriptionForm
from .models import AreaSubscription, Comment, Follow, StillNotFixed

COMMENTS_PER_PAGE = 20


def _back(request, problem, anchor=""):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(services.problem_path(problem.pk) + anchor)


@login_required
@require_POST
def support(request, pk):
    problem = public_problem_or_404(pk)
    appeal = problem.appeal
    try:
        if request.POST.get("action") == "withdraw":
            services.withdraw_support(appeal=appeal, user=request.user)
            messages.success(request, _("Your support is withdrawn."))
        else:
            services.support(appeal=appeal, user=request.user)
            messages.success(
                request, _("Thank you: your support is counted and you follow the problem.")
            )
    except services.CommunityRefused as exc:
        messages.error(request, str(exc))
    return _back(request, problem, "#community-actions")


@login_required
@require_POST
def follow(request, pk):
    problem = public_problem_or_404(pk)
    if request.POST.get("action") == "unfollow":
        services.unfollow(appeal=problem.appeal, user=request.user)
        messages.success(request, _("You no longer follow this problem."))
    else:
        services.follow(appeal=problem.appeal, user=request.user)
        messages.success(request, _("You follow this problem: we will write on each change."))
    return _back(request, problem, "#community-actions")


def comments(request, pk):
    """All comments of a problem, paginated; the comment form posts here and comes back with
    what was typed and the error beside it."""
    problem = public_problem_or_404(pk)
    form = CommentForm()
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                done = idempotency.once(
                    token=idempotency.token_from(request.POST),
                    scope="community.comment",
                    user=request.user,
                    create=lambda: services.add_comment(
                        appeal=problem.appeal, user=request.user, text=form.cleaned_data["text"]
                    ),
                )
            except (services.CommunityRefused, idempotency.TokenAlreadyUsed) as exc:
                form.add_error("text", str(exc))
            else:
                if not done.repeated:  # a double submit lands on the same comment, said once
                    messages.success(request, _("Your comment is published."))
                return redirect(services.problem_path(problem.pk) + "#comments")
        status = 400
    page = Paginator(selectors.comments_of(problem.appeal), COMMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/comments.html",
        {
            "problem": problem,
            "problem_url": services.problem_path(problem.pk),
            "appeal": problem.appeal,
            "page": page,
            "comment_form": form,
            "is_staff": services.is_holding_staff(request.user, problem.appeal),
        },
        status=status,
    )


@login_required
@require_POST
def report_comment(request, comment_pk):
    comment = get_object_or_404(Comment, pk=comment_pk)
    problem = public_problem_or_404(comment.appeal_id)
    form = ReportForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        new = services.report_comment(comment=comment, user=request.user, reason=reason)
    except services.CommunityRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Thank you: the moderators will look at the comment.")
            if new
            else _("You have already reported this comment."),
        )
    return _back(request, problem, f"#comment-{comment.pk}")


@login_required
def still_not_fixed(request, pk):
    """A follower reports that a problem answered as resolved is still not fixed."""
    problem = public_problem_or_404(pk)
    appeal = problem.appeal
    refusal = services.still_not_fixed_refusal(appeal, request.user)
    form = StillNotFixedForm()
    status = 200
    if request.method == "POST":
        form = StillNotFixedForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.report_still_not_fixed(
                    appeal=appeal,
                    user=request.user,
                    text=form.cleaned_data["text"],
                    photo=form.cleaned_data["photo"],
                )
            except services.CommunityRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Your report is published and sent to the head of the cabinet."),
                )
                return redirect(services.problem_path(problem.pk) + "#still-not-fixed")
        status = 400
    return render(
        request,
        "community/still_not_fixed_form.html",
        {
            "problem": problem,
            "problem_url": services.problem_path(problem.pk),
            "appeal": appeal,
            "form": form,
            "refusal": refusal,
        },
        status=403 if refusal and request.method != "POST" else status,
    )


def still_photo(request, pk, report_pk, thumb=False):
    """The photo of a "still not fixed" report, only while the problem is public."""
    problem = public_problem_or_404(pk)
    report = get_object_or_404(StillNotFixed, pk=report_pk, appeal_id=problem.pk)
    field = report.photo_thumbnail if thumb and report.photo_thumbnail else report.photo
    if not field:
        raise Http404
    content_type = "image/jpeg" if field is report.photo_thumbnail else report.photo_type
    return FileResponse(field.open("rb"), content_type=content_type)


@login_required
def alerts(request):
    """The user's follows and area subscriptions, and the form to add a subscription."""
    form = SubscriptionForm()
    status = 200
    if request.method == "POST":
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.subscribe_area(
                    user=request.user,
                    categories=data["categories"],
                    territory=data["territory"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    radius_m=data["radius_m"],
                )
            except services.CommunityRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("Subscribed: new problems there come in a daily digest.")
                )
                return redirect("community:alerts")
        status = 400
    follows = Paginator(
        Follow.objects.filter(user=request.user)
        .select_related("appeal__public_problem")
        .order_by("-created_at"),
        20,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "community/alerts.html",
        {
            "form": form,
            "follows": follows,
            "subscriptions": AreaSubscription.objects.filter(user=request.user)
            .select_related("territory")
            .prefetch_related("categories"),
        },
        status=status,
    )


@login_required
@require_POST
def unfollow_from_alerts(request, appeal_pk):
    row = get_object_or_404(Follow, user=request.user, appeal_id=appeal_pk)
    services.unfollow(appeal=row.appeal, user=request.user)
    messages.success(request, _("You no longer follow this problem."))
    return redirect("community:alerts")


@login_required
@require_POST
def delete_subscription(request, pk):
    get_object_or_404(AreaSubscription, pk=pk, user=request.user).delete()
    messages.success(request, _("The subscription is removed."))
    return redirect("community:alerts")


def unsubscribe(request, token):
    """One click from a mail, no sign-in: the signed token says what to stop; the page confirms.
    A tampered token changes nothing."""
    parsed = services.unsubscribe(token)
    if parsed is None:
        return render(request, "community/unsubscribe.html", {"invalid": True}, status=400)
    kind, user_id, object_id = parsed
    problem = None
    if kind == "follow" and object_id:
        problem = services.public_problem_of(object_id)
    return render(
        request,
        "community/unsubscribe.html",
        {
            "kind": kind,
            "problem": problem,
            "all_token": services.unsubscribe_token("all", user_id, None),
        },
    )


@require_GET
def duplicates(request):
    """Public problems of the same category within 150 m opened in the last 90 days with a
    similar subject (for the filing form). Bad input: 400 with the reason."""
    form = DuplicateQuery(request.GET)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse({"error": _("Bad query."), "fields": errors}, status=400)
    data = form.cleaned_data
    found = selectors.duplicates(
        lat=data["lat"], lon=data["lon"], category_id=data["category"], subject=data["subject"]
    )
    return JsonResponse(
        {
            "results": [
                {
                    "id": problem.pk,
                    "subject": problem.subject,
                    "category": str(problem.category) if problem.category_id else "",
                    "distance_m": distance,
                    "supporters": problem.support_count,
                    "received": problem.received_at.date().isoformat(),
                    "url": services.problem_path(problem.pk),
                    "support_url": reverse("community:support", args=[problem.pk]),
                }
                for problem, distance, _shared in found
            ]
        }
    )
