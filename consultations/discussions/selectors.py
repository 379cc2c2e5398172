"""Reads of discussions: the public list and page, the outcome table, the resident's own
comments, and what officials of the responsible cabinet may see."""

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from cabinets.access import cabinets_where
from consultations._shared import staff_cabinet_ids

from .models import Comment, Discussion, Paragraph
from .workflow import PUBLIC_STATES, Status


def public_discussions(filters=None):
    """Published discussions (R29: not drafts or proposals on moderation), newest first."""
    filters = filters or {}
    qs = Discussion.objects.filter(status__in=PUBLIC_STATES)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("cabinet"):
        qs = qs.filter(cabinet=filters["cabinet"])
    if filters.get("territory"):
        qs = qs.filter(territory=filters["territory"])
    if filters.get("q"):
        qs = qs.filter(Q(title__icontains=filters["q"]) | Q(summary__icontains=filters["q"]))
    return (
        qs.select_related("cabinet", "territory")
        .annotate(n_comments=Count("comments", filter=Q(comments__is_hidden=False)))
        .order_by("-starts_at", "-pk")
    )


def public_discussion(pk):
    discussion = (
        Discussion.objects.filter(status__in=PUBLIC_STATES)
        .select_related("cabinet", "territory", "eligible_territory")
        .filter(pk=pk)
        .first()
    )
    if discussion is None:
        raise Http404
    return discussion


def version_of(discussion, number=None):
    qs = discussion.versions.all()
    version = qs.filter(number=number).first() if number else qs.order_by("-number").first()
    if version is None:
        raise Http404
    return version


def comments_qs():
    return (
        Comment.objects.select_related("author", "decision", "paragraph", "paragraph__version")
        .annotate(n_supports=Count("supports"))
        .order_by("created_at", "pk")
    )


def text_of(version):
    """The version's sections, each with its paragraphs, each with its comments (hidden ones
    stay in place with the moderator's reason) and the visible count."""
    paragraphs = (
        Paragraph.objects.filter(version=version)
        .annotate(n_comments=Count("comments", filter=Q(comments__is_hidden=False)))
        .prefetch_related(Prefetch("comments", queryset=comments_qs(), to_attr="all_comments"))
        .order_by("order")
    )
    by_section = {}
    for paragraph in paragraphs:
        by_section.setdefault(paragraph.section_id, []).append(paragraph)
    sections = list(version.sections.order_by("order"))
    for section in sections:
        section.items = by_section.get(section.pk, [])
    return sections


def paragraph_rows(version):
    """[(key, number, section title, text)] for the diff."""
    return [
        (p.key, p.order, p.section.title, p.text)
        for p in version.paragraphs.select_related("section").order_by("order")
    ]


def outcome_rows(discussion):
    """The outcome table (R31): every comment and proposal owed a decision (the visible ones
    and the proposals hidden by moderation, whose text is replaced by the moderation reason),
    and any hidden comment that was decided on, with its paragraph, the author as they chose
    to be shown, the decision and its reason."""
    return list(
        comments_qs()
        .filter(discussion=discussion)
        .filter(Q(is_hidden=False) | Q(kind=Comment.Kind.WORDING) | Q(decision__isnull=False))
        .order_by("paragraph__version__number", "paragraph__order", "created_at", "pk")
    )


def outcome_counts(rows):
    counts = {}
    for comment in rows:
        decision = getattr(comment, "decision", None)
        if decision is not None:
            counts[decision.outcome] = counts.get(decision.outcome, 0) + 1
    return counts


def my_comments(user):
    return (
        comments_qs()
        .filter(author=user)
        .select_related("discussion", "discussion__cabinet")
        .order_by("-created_at", "-pk")
    )


def my_discussions(user):
    return (
        Discussion.objects.filter(initiator=user, proposed_by_resident=True)
        .select_related("cabinet")
        .order_by("-created_at")
    )


# The service cabinet ---------------------------------------------------------------------


def staff_discussions(user, filters=None):
    """The discussions of the cabinets where the user works."""
    filters = filters or {}
    qs = Discussion.objects.filter(cabinet_id__in=staff_cabinet_ids(user))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("cabinet"):
        qs = qs.filter(cabinet=filters["cabinet"])
    return (
        qs.select_related("cabinet", "initiator")
        .annotate(
            n_comments=Count("comments", filter=Q(comments__is_hidden=False), distinct=True),
            n_undecided=Count(
                "comments",
                filter=(Q(comments__is_hidden=False) | Q(comments__kind=Comment.Kind.WORDING))
                & Q(comments__decision__isnull=True),
                distinct=True,
            ),
        )
        .order_by("-created_at", "-pk")
    )


def moderation_queue(user):
    """Proposals of discussions waiting for the user's cabinets' moderation (R28)."""
    rows = list(staff_discussions(user, {"status": Status.MODERATION}))
    if not rows:
        return []
    may = set(cabinets_where(user, "cabinets.publish").values_list("pk", flat=True))
    return [d for d in rows if d.cabinet_id in may]


def discussion_for_staff(user, pk):
    """The discussion if the user works in its cabinet; otherwise 404, never 403."""
    discussion = (
        Discussion.objects.filter(cabinet_id__in=staff_cabinet_ids(user), pk=pk)
        .select_related("cabinet", "initiator", "territory", "eligible_territory")
        .first()
    )
    if discussion is None:
        raise Http404
    return discussion


def staff_comments(discussion, filters=None):
    filters = filters or {}
    qs = comments_qs().filter(discussion=discussion)
    if filters.get("state") == "undecided":
        qs = qs.owed_a_decision().filter(decision__isnull=True)
    elif filters.get("state") == "hidden":
        qs = qs.filter(is_hidden=True)
    elif filters.get("state") == "decided":
        qs = qs.filter(decision__isnull=False)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    return qs.order_by("paragraph__version__number", "paragraph__order", "created_at", "pk")
