"""Use cases that change a discussion of a draft act. Each runs in a transaction, checks the
workflow (``workflow.check``), writes an immutable ``DiscussionEvent`` and queues notifications
through the outbox (``edem.notifications.services.notify``), delivered after commit.
"""

import os
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinets.access import can, staff_with
from consultations.eligibility import NotEligible, ensure_eligible, refusal, voter_key
from edem.core.uploads import UploadRefused, clean_upload
from edem.core.workflow import TransitionNotAllowed
from edem.notifications.services import notify

from . import importers, workflow
from .models import (
    Comment,
    Decision,
    Discussion,
    DiscussionEvent,
    DraftVersion,
    Paragraph,
    Section,
    Support,
)
from .workflow import Status, TerminationReason

MAX_COMMENT_CHARS = 5000


def default_days():
    """R29: no statutory minimum was found; the default period is 14–30 days (a setting)."""
    return getattr(settings, "EDEM_DISCUSSION_DEFAULT_DAYS", 21)


@dataclass(frozen=True)
class InitiatorRules:
    """R28: who may propose a discussion, read by the shared eligibility check. Set by
    ``EDEM_DISCUSSION_INITIATOR_VERIFICATION`` (default: a verified resident) and
    ``EDEM_DISCUSSION_INITIATOR_MIN_AGE`` (default: none)."""

    eligible_verification: str
    eligible_territory = None
    eligible_territory_id = None
    min_age: int | None = None


def initiator_rules():
    return InitiatorRules(
        eligible_verification=getattr(
            settings, "EDEM_DISCUSSION_INITIATOR_VERIFICATION", "resident"
        ),
        min_age=getattr(settings, "EDEM_DISCUSSION_INITIATOR_MIN_AGE", None),
    )


def initiation_refusal(user):
    """Why ``user`` may not propose a discussion (R28), or None."""
    return refusal(user, initiator_rules())


def _event(discussion, *, actor, action, from_status="", note="", **data):
    return DiscussionEvent.objects.create(
        discussion=discussion,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=discussion.status,
        note=note,
        data=data,
    )


def _locked(discussion):
    """Reload under a row lock: two officials (or an official and the beat) never both win."""
    return Discussion.objects.select_for_update().select_related("cabinet").get(pk=discussion.pk)


def _move(discussion, actor, name, note="", **data):
    action = workflow.check(discussion, actor, name)
    previous = discussion.status
    discussion.status = action.target
    discussion.save()
    _event(discussion, actor=actor, action=name, from_status=previous, note=note, **data)
    return discussion


def _check_dates(starts_at, ends_at):
    if not starts_at or not ends_at:
        raise TransitionNotAllowed(_("Give the dates when the discussion opens and closes."))
    if ends_at <= starts_at:
        raise TransitionNotAllowed(_("The discussion must close after it opens."))


# Notifications -----------------------------------------------------------------------------


def _context(discussion, event, **extra):
    return {
        "event": event,
        "title": discussion.title,
        "cabinet": discussion.cabinet.name,
        "path": reverse("discussions:detail", args=[discussion.pk]),
        **extra,
    }


def participants(discussion):
    """Everyone who commented, proposed a wording or supported one."""
    from edem.accounts.models import User

    authors = Comment.objects.filter(discussion=discussion).values("author_id")
    supporters = Support.objects.filter(comment__discussion=discussion).values("user_id")
    return User.objects.filter(Q(pk__in=authors) | Q(pk__in=supporters), is_active=True).order_by(
        "pk"
    )


def _staff(discussion, perm):
    return list(staff_with(perm, discussion.cabinet_id).order_by("pk"))


def _send(discussion, event, people, **extra):
    for person in people:
        notify(
            template="discussions/status",
            recipient=person,
            context=_context(discussion, event, **extra),
            key=f"discussions:{discussion.pk}:{event}:{person.pk}",
        )


# Creating and shaping a discussion (R28, R29) ---------------------------------------------


def _add_version(discussion, actor, *, markdown="", upload=None, note=""):
    if upload is not None:
        name, data = importers.read_upload(upload)
        parsed = importers.parse_docx(data, name)
        source, source_name = DraftVersion.Source.DOCX, name
    elif (markdown or "").strip():
        parsed = importers.parse_markdown(markdown)
        source, source_name = DraftVersion.Source.MARKDOWN, ""
    else:
        raise TransitionNotAllowed(_("Paste the text of the draft or choose a .docx file."))
    previous = discussion.current_version()
    number = (previous.number + 1) if previous else 1
    version = DraftVersion.objects.create(
        discussion=discussion,
        number=number,
        source=source,
        source_name=source_name,
        note=(note or "").strip()[:500],
        created_by=actor,
    )
    # Stable keys: what v2 keeps of v1 keeps v1's keys.
    all_paragraphs = Paragraph.objects.filter(version__discussion=discussion)
    all_sections = Section.objects.filter(version__discussion=discussion)
    old_paragraphs = (
        list(previous.paragraphs.order_by("order").values_list("key", "text")) if previous else []
    )
    old_sections = (
        list(previous.sections.order_by("order").values_list("key", "title")) if previous else []
    )
    next_p = 1 + max(
        [importers.key_number(k) for k in all_paragraphs.values_list("key", flat=True)] or [0]
    )
    next_s = 1 + max(
        [importers.key_number(k) for k in all_sections.values_list("key", flat=True)] or [0]
    )
    texts = [text for section in parsed for text in section.paragraphs]
    p_keys, _n = importers.match_keys(old_paragraphs, texts, next_p, prefix="p")
    s_keys, _n = importers.match_keys(
        old_sections, [s.title for s in parsed], next_s, prefix="s", threshold=0.6
    )
    order = 0
    paragraphs = []
    for s_order, (parsed_section, s_key) in enumerate(zip(parsed, s_keys, strict=True), start=1):
        section = Section.objects.create(
            version=version,
            key=s_key,
            order=s_order,
            title=parsed_section.title,
            level=parsed_section.level,
        )
        for text in parsed_section.paragraphs:
            order += 1
            paragraphs.append(
                Paragraph(
                    version=version, section=section, key=p_keys[order - 1], order=order, text=text
                )
            )
    Paragraph.objects.bulk_create(paragraphs)
    _event(
        discussion,
        actor=actor,
        action="version",
        from_status=discussion.status,
        note=version.note,
        number=number,
        source=source,
        paragraphs=len(paragraphs),
    )
    return version


def _import(discussion, actor, markdown, upload, note):
    try:
        return _add_version(discussion, actor, markdown=markdown, upload=upload, note=note)
    except importers.ImportRefused as exc:
        raise TransitionNotAllowed(str(exc)) from exc


@transaction.atomic
def create_discussion(
    *,
    actor,
    cabinet,
    title,
    starts_at,
    ends_at,
    summary="",
    territory=None,
    eligible_verification="resident",
    eligible_territory=None,
    min_age=None,
    markdown="",
    upload=None,
    note="",
):
    """A cabinet puts a draft act up for discussion (R27, R28): created as a draft with its
    first version of the text."""
    if not can(actor, "cabinets.publish", cabinet):
        raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))
    _check_dates(starts_at, ends_at)
    discussion = Discussion.objects.create(
        cabinet=cabinet,
        title=title.strip(),
        summary=(summary or "").strip(),
        territory=territory,
        starts_at=starts_at,
        ends_at=ends_at,
        eligible_verification=eligible_verification,
        eligible_territory=eligible_territory,
        min_age=min_age,
        initiator=actor,
    )
    _event(discussion, actor=actor, action="create")
    _import(discussion, actor, markdown, upload, note)
    return discussion


@transaction.atomic
def propose_discussion(*, actor, cabinet, title, summary="", markdown="", upload=None):
    """A resident proposes a discussion of a draft (R28): it goes straight to the responsible
    cabinet's moderation; the cabinet sets the dates and who may take part."""
    reason = initiation_refusal(actor)
    if reason:
        raise NotEligible(reason)
    if not cabinet.is_active:
        raise TransitionNotAllowed(_("This cabinet does not take proposals."))
    starts_at = timezone.now() + timedelta(days=7)
    discussion = Discussion.objects.create(
        cabinet=cabinet,
        title=title.strip(),
        summary=(summary or "").strip(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=default_days()),
        initiator=actor,
        proposed_by_resident=True,
    )
    _event(discussion, actor=actor, action="propose")
    _import(discussion, actor, markdown, upload, "")
    _move(discussion, actor, "submit")
    _send(discussion, "proposed", _staff(discussion, "cabinets.publish"))
    return discussion


EDITABLE_FIELDS = (
    "title",
    "summary",
    "territory",
    "starts_at",
    "ends_at",
    "eligible_verification",
    "eligible_territory",
    "min_age",
)


@transaction.atomic
def update_discussion(*, discussion, actor, **fields):
    """Change the title, summary, dates or who may take part: only before the discussion
    opens (R29: frozen once ACTIVE)."""
    discussion = _locked(discussion)
    workflow.check(discussion, actor, "edit")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    _check_dates(
        fields.get("starts_at", discussion.starts_at), fields.get("ends_at", discussion.ends_at)
    )
    changed = {}
    for name, value in fields.items():
        if getattr(discussion, name) != value:
            changed[name] = str(value) if value is not None else ""
            setattr(discussion, name, value)
    if changed:
        discussion.save()
        _event(discussion, actor=actor, action="edit", from_status=discussion.status, **changed)
    return discussion


@transaction.atomic
def add_version(*, discussion, actor, markdown="", upload=None, note=""):
    """A new version of the text (R29: never while the discussion is open)."""
    discussion = _locked(discussion)
    workflow.check(discussion, actor, "upload_version")
    return _import(discussion, actor, markdown, upload, note)


@transaction.atomic
def submit(*, discussion, actor):
    discussion = _locked(discussion)
    if not discussion.versions.exists():
        raise TransitionNotAllowed(_("Add the text of the draft first."))
    _move(discussion, actor, "submit")
    if discussion.proposed_by_resident:
        _send(discussion, "proposed", _staff(discussion, "cabinets.publish"))
    return discussion


@transaction.atomic
def approve(*, discussion, actor, note=""):
    """Moderation passed: the discussion is scheduled and opens by the calendar (R28, R29)."""
    discussion = _locked(discussion)
    workflow.check(discussion, actor, "approve")
    if not discussion.versions.exists():
        raise TransitionNotAllowed(_("Add the text of the draft first."))
    if discussion.ends_at <= timezone.now():
        raise TransitionNotAllowed(_("The closing date has passed: set new dates first."))
    discussion.moderation_note = (note or "").strip()
    _move(discussion, actor, "approve", note=discussion.moderation_note)
    if discussion.proposed_by_resident:
        _send(discussion, "approved", [discussion.initiator], note=discussion.moderation_note)
    return discussion


@transaction.atomic
def reject(*, discussion, actor, note):
    """Moderation refused the proposal; the initiator is told why (R28)."""
    discussion = _locked(discussion)
    workflow.check(discussion, actor, "reject")
    note = (note or "").strip()
    if not note:
        raise TransitionNotAllowed(_("Explain the refusal: the initiator will read it."))
    discussion.moderation_note = note
    _move(discussion, actor, "reject", note=note)
    _send(discussion, "rejected", [discussion.initiator], note=note)
    return discussion


@transaction.atomic
def terminate(*, discussion, actor, reason, note):
    """End the discussion early with a reason (R29); participants are told."""
    discussion = _locked(discussion)
    workflow.check(discussion, actor, "terminate")
    if reason not in TerminationReason.values:
        raise TransitionNotAllowed(_("Choose the reason for the early termination."))
    note = (note or "").strip()
    if not note:
        raise TransitionNotAllowed(_("Explain the early termination: residents will read it."))
    discussion.termination_reason, discussion.termination_note = reason, note
    _move(discussion, actor, "terminate", note=note, reason=reason)
    people = {p.pk: p for p in participants(discussion)}
    if discussion.proposed_by_resident:
        people.setdefault(discussion.initiator_id, discussion.initiator)
    _send(discussion, "terminated", people.values(), reason=reason, note=note)
    return discussion


# The calendar (beat) -------------------------------------------------------------------------


def _claim(discussion_id, source, target):
    """Conditional update: of two runs at once, only one moves the row (idempotent)."""
    return Discussion.objects.filter(pk=discussion_id, status=source).update(
        status=target, updated_at=timezone.now()
    )


def start(discussion_id):
    with transaction.atomic():
        if not _claim(discussion_id, Status.SCHEDULED, Status.ACTIVE):
            return False
        discussion = Discussion.objects.select_related("cabinet", "initiator").get(pk=discussion_id)
        _event(discussion, actor=None, action="start", from_status=Status.SCHEDULED)
        if discussion.proposed_by_resident:
            _send(discussion, "started", [discussion.initiator])
    return True


def complete(discussion_id):
    with transaction.atomic():
        if not _claim(discussion_id, Status.ACTIVE, Status.COMPLETED):
            return False
        discussion = Discussion.objects.select_related("cabinet", "initiator").get(pk=discussion_id)
        _event(discussion, actor=None, action="complete", from_status=Status.ACTIVE)
        people = {p.pk: p for p in participants(discussion)}
        if discussion.proposed_by_resident:
            people.setdefault(discussion.initiator_id, discussion.initiator)
        _send(discussion, "completed", people.values())
        _send(discussion, "to_decide", _staff(discussion, "cabinets.answer_appeal"))
    return True


def run_calendar(now=None):
    """R29: phase changes by date. SCHEDULED → ACTIVE once ``starts_at`` has come, ACTIVE →
    COMPLETED once ``ends_at`` has come. Safe to run twice: each row is claimed by a
    conditional update. Returns (started, completed)."""
    now = now or timezone.now()
    due_start = Discussion.objects.filter(status=Status.SCHEDULED, starts_at__lte=now)
    started = sum(start(pk) for pk in due_start.values_list("pk", flat=True))
    due_end = Discussion.objects.filter(status=Status.ACTIVE, ends_at__lte=now)
    completed = sum(complete(pk) for pk in due_end.values_list("pk", flat=True))
    return started, completed


# Taking part (R27, R30) ----------------------------------------------------------------------


def _ensure_open(discussion, actor, name):
    """The discussion is open and ``actor`` may take part (R30: the shared eligibility check,
    through the workflow); an ineligible person gets ``NotEligible`` with the reason."""
    reason = workflow.refusal(discussion, actor, name)
    if reason:
        if discussion.status == Status.ACTIVE:  # the state allows it: the person may not
            raise NotEligible(reason)
        raise TransitionNotAllowed(reason)
    if timezone.now() >= discussion.ends_at:
        raise TransitionNotAllowed(_("The discussion period has ended."))


@transaction.atomic
def add_comment(*, paragraph, actor, kind, text, show_name=False):
    """A resident comments on a paragraph or proposes a new wording of it (R27)."""
    discussion = Discussion.objects.select_related("cabinet", "eligible_territory").get(
        pk=paragraph.version.discussion_id
    )
    _ensure_open(discussion, actor, "comment")
    current = discussion.current_version()
    if paragraph.version_id != current.pk:
        raise TransitionNotAllowed(_("Comment on the current version of the text."))
    if kind not in Comment.Kind.values:
        raise TransitionNotAllowed(_("Choose a comment or a proposed wording."))
    text = (text or "").strip()
    if not text:
        raise TransitionNotAllowed(_("Write your comment."))
    if len(text) > MAX_COMMENT_CHARS:
        raise TransitionNotAllowed(
            _("At most %(n)d characters, please.") % {"n": MAX_COMMENT_CHARS}
        )
    comment = Comment.objects.create(
        discussion=discussion,
        paragraph=paragraph,
        kind=kind,
        text=text,
        author=actor,
        show_name=bool(show_name),
    )
    return comment


def support(*, comment, actor):
    """Support a proposed wording: one support per person, a database constraint (R30)."""
    discussion = Discussion.objects.select_related("eligible_territory").get(
        pk=comment.discussion_id
    )
    _ensure_open(discussion, actor, "support")
    if comment.kind != Comment.Kind.WORDING or comment.is_hidden:
        raise TransitionNotAllowed(_("Only a proposed wording can be supported."))
    if comment.author_id == actor.pk:
        raise TransitionNotAllowed(_("You cannot support your own proposal."))
    try:
        with transaction.atomic():
            ensure_eligible(actor, discussion)  # R30
            return comment.supports.create(user=actor, voter_key=voter_key(actor))
    except IntegrityError as exc:
        raise TransitionNotAllowed(_("You have already supported this proposal.")) from exc


# Moderation and the outcome (R31) ------------------------------------------------------------


@transaction.atomic
def hide_comment(*, comment, actor, reason, note=""):
    """R31: a comment with obscenity, hate, ads (or others' personal data) is hidden, with the
    reason shown in its place."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    discussion = Discussion.objects.select_related("cabinet").get(pk=comment.discussion_id)
    workflow.check(discussion, actor, "moderate")
    if reason not in Comment.HiddenReason.values:
        raise TransitionNotAllowed(_("Choose why the comment is hidden."))
    if comment.is_hidden:
        raise TransitionNotAllowed(_("This comment is already hidden."))
    if discussion.status == Status.RESULTS_PUBLISHED and hasattr(comment, "decision"):
        raise TransitionNotAllowed(_("The outcome is published: this comment is part of it."))
    comment.is_hidden, comment.hidden_reason = True, reason
    comment.hidden_note = (note or "").strip()[:500]
    comment.hidden_by, comment.hidden_at = actor, timezone.now()
    comment.save()
    _event(
        discussion,
        actor=actor,
        action="hide_comment",
        from_status=discussion.status,
        note=comment.hidden_note,
        comment=comment.pk,
        reason=reason,
    )
    return comment


@transaction.atomic
def restore_comment(*, comment, actor):
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    discussion = Discussion.objects.select_related("cabinet").get(pk=comment.discussion_id)
    workflow.check(discussion, actor, "moderate")
    if not comment.is_hidden:
        raise TransitionNotAllowed(_("This comment is not hidden."))
    comment.is_hidden, comment.hidden_reason, comment.hidden_note = False, "", ""
    comment.hidden_by, comment.hidden_at = None, None
    comment.save()
    _event(
        discussion,
        actor=actor,
        action="restore_comment",
        from_status=discussion.status,
        comment=comment.pk,
    )
    return comment


@transaction.atomic
def decide(*, comment, actor, outcome, reason):
    """The official's decision on one comment or proposal, with its reason (R31). It may be
    revised until the outcome is published."""
    discussion = _locked(Discussion(pk=comment.discussion_id))
    workflow.check(discussion, actor, "decide")
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.is_hidden:
        raise TransitionNotAllowed(_("A hidden comment is not decided on."))
    if outcome not in Decision.Outcome.values:
        raise TransitionNotAllowed(_("Choose the decision."))
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Give the reason for the decision: it is published."))
    decision, _created = Decision.objects.update_or_create(
        comment=comment,
        defaults={
            "outcome": outcome,
            "reason": reason,
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    _event(
        discussion,
        actor=actor,
        action="decide",
        from_status=discussion.status,
        comment=comment.pk,
        outcome=outcome,
    )
    return decision


def undecided(discussion):
    """Visible comments and proposals still without a decision (R31)."""
    return discussion.comments.visible().filter(decision__isnull=True)


@transaction.atomic
def publish_results(*, discussion, actor):
    """Publish the outcome table (R31): refused while any comment or proposal lacks a decision.
    Participants are told."""
    discussion = _locked(discussion)
    workflow.check(discussion, actor, "publish_results")
    missing = undecided(discussion).count()
    if missing:
        raise TransitionNotAllowed(
            _(
                "Every comment and proposal must be considered first: %(n)d still without a "
                "decision."
            )
            % {"n": missing}
        )  # R31
    discussion.results_published_at = timezone.now()
    _move(discussion, actor, "publish_results")
    _send(
        discussion,
        "results",
        participants(discussion),
        path=reverse("discussions:outcome", args=[discussion.pk]),
    )
    return discussion


@transaction.atomic
def attach_final_text(*, discussion, actor, upload):
    """Attach the adopted act as a PDF (checked by content, as for appeals)."""
    discussion = _locked(discussion)
    workflow.check(discussion, actor, "attach_final")
    magic = upload.read(5)
    upload.seek(0)
    if magic != b"%PDF-":  # judged by content, never by name
        raise TransitionNotAllowed(
            _("“%(name)s” is not a PDF document.") % {"name": os.path.basename(upload.name or "")}
        )
    try:
        clean = clean_upload(upload)  # size, completeness (appeals' checks)
    except UploadRefused as exc:
        raise TransitionNotAllowed(str(exc)) from exc
    discussion.final_text.save(clean.name, ContentFile(clean.content), save=False)
    discussion.final_text_name = os.path.basename(upload.name or "act.pdf")[:200]
    discussion.save()
    _event(
        discussion,
        actor=actor,
        action="attach_final",
        from_status=discussion.status,
        sha256=clean.sha256,
    )
    return discussion
