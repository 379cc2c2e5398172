"""The life of a discussion: creating and shaping it (R28, R29), versions of the text, moderation
of the proposal, the calendar, and the outcome (R31)."""

import os
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinets.access import can, staff_with
from consultations.eligibility import NotEligible
from edem.core.i18n import in_columns
from edem.core.locking import locked
from edem.core.uploads import UploadRefused, clean_upload
from edem.core.workflow import TransitionNotAllowed

from .. import importers, workflow
from ..models import (
    Discussion,
    DraftVersion,
    Paragraph,
    Section,
)
from ..workflow import Status, TerminationReason
from .common import (
    initiation_refusal,
    move,
    participants,
    record,
    send,
)
from .participation import undecided


def _default_days():
    """R29: no statutory minimum was found; the default period is 14–30 days (a setting)."""
    return getattr(settings, "EDEM_DISCUSSION_DEFAULT_DAYS", 21)


def _check_dates(starts_at, ends_at):
    if not starts_at or not ends_at:
        raise TransitionNotAllowed(_("Give the dates when the discussion opens and closes."))
    if ends_at <= starts_at:
        raise TransitionNotAllowed(_("The discussion must close after it opens."))


def store_version(discussion, actor, *, markdown="", upload=None, note=""):
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
        **{column: text[:500] for column, text in in_columns("note", note).items()},
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
    record(
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


def _import_version(discussion, actor, markdown, upload, note):
    try:
        return store_version(discussion, actor, markdown=markdown, upload=upload, note=note)
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
    first version of the text. The title, the summary and the version's note are strings (the
    default language's) or ``{"ru": ..., "uk": ..., "en": ...}``."""
    if not can(actor, "cabinets.publish", cabinet):
        raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))
    _check_dates(starts_at, ends_at)
    discussion = Discussion.objects.create(
        cabinet=cabinet,
        **in_columns("title", title),
        **in_columns("summary", summary),
        territory=territory,
        starts_at=starts_at,
        ends_at=ends_at,
        eligible_verification=eligible_verification,
        eligible_territory=eligible_territory,
        min_age=min_age,
        initiator=actor,
    )
    record(discussion, actor=actor, action="create")
    _import_version(discussion, actor, markdown, upload, note)
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
        ends_at=starts_at + timedelta(days=_default_days()),
        initiator=actor,
        proposed_by_resident=True,
    )
    record(discussion, actor=actor, action="propose")
    _import_version(discussion, actor, markdown, upload, "")
    move(discussion, actor, "submit")
    send(discussion, "proposed", staff_with("cabinets.publish", discussion.cabinet_id))
    return discussion


TRANSLATED = {"title", "summary"}
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
    discussion = locked(discussion)
    workflow.check(discussion, actor, "edit")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name in TRANSLATED & set(fields):  # by column: a string is the default language's
        fields.update(in_columns(name, fields.pop(name)))
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
        record(discussion, actor=actor, action="edit", from_status=discussion.status, **changed)
    return discussion


@transaction.atomic
def add_version(*, discussion, actor, markdown="", upload=None, note=""):
    """A new version of the text (R29: never while the discussion is open)."""
    discussion = locked(discussion)
    workflow.check(discussion, actor, "upload_version")
    return _import_version(discussion, actor, markdown, upload, note)


@transaction.atomic
def submit(*, discussion, actor):
    discussion = locked(discussion)
    if not discussion.versions.exists():
        raise TransitionNotAllowed(_("Add the text of the draft first."))
    move(discussion, actor, "submit")
    if discussion.proposed_by_resident:
        send(discussion, "proposed", staff_with("cabinets.publish", discussion.cabinet_id))
    return discussion


@transaction.atomic
def approve(*, discussion, actor, note=""):
    """Moderation passed: the discussion is scheduled and opens by the calendar (R28, R29)."""
    discussion = locked(discussion)
    workflow.check(discussion, actor, "approve")
    if not discussion.versions.exists():
        raise TransitionNotAllowed(_("Add the text of the draft first."))
    if discussion.ends_at <= timezone.now():
        raise TransitionNotAllowed(_("The closing date has passed: set new dates first."))
    discussion.moderation_note = (note or "").strip()
    move(discussion, actor, "approve", note=discussion.moderation_note)
    if discussion.proposed_by_resident:
        send(discussion, "approved", [discussion.initiator], note=discussion.moderation_note)
    return discussion


@transaction.atomic
def reject(*, discussion, actor, note):
    """Moderation refused the proposal; the initiator is told why (R28)."""
    discussion = locked(discussion)
    workflow.check(discussion, actor, "reject")
    note = (note or "").strip()
    if not note:
        raise TransitionNotAllowed(_("Explain the refusal: the initiator will read it."))
    discussion.moderation_note = note
    move(discussion, actor, "reject", note=note)
    send(discussion, "rejected", [discussion.initiator], note=note)
    return discussion


@transaction.atomic
def terminate(*, discussion, actor, reason, note):
    """End the discussion early with a reason (R29); participants are told."""
    discussion = locked(discussion)
    workflow.check(discussion, actor, "terminate")
    if reason not in TerminationReason.values:
        raise TransitionNotAllowed(_("Choose the reason for the early termination."))
    note = (note or "").strip()
    if not note:
        raise TransitionNotAllowed(_("Explain the early termination: residents will read it."))
    discussion.termination_reason, discussion.termination_note = reason, note
    move(discussion, actor, "terminate", note=note, reason=reason)
    people = {p.pk: p for p in participants(discussion)}
    if discussion.proposed_by_resident:
        people.setdefault(discussion.initiator_id, discussion.initiator)
    send(discussion, "terminated", people.values(), reason=reason, note=note)
    return discussion


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
        record(discussion, actor=None, action="start", from_status=Status.SCHEDULED)
        if discussion.proposed_by_resident:
            send(discussion, "started", [discussion.initiator])
    return True


def complete(discussion_id):
    with transaction.atomic():
        if not _claim(discussion_id, Status.ACTIVE, Status.COMPLETED):
            return False
        discussion = Discussion.objects.select_related("cabinet", "initiator").get(pk=discussion_id)
        record(discussion, actor=None, action="complete", from_status=Status.ACTIVE)
        people = {p.pk: p for p in participants(discussion)}
        if discussion.proposed_by_resident:
            people.setdefault(discussion.initiator_id, discussion.initiator)
        send(discussion, "completed", people.values())
        send(discussion, "to_decide", staff_with("cabinets.answer_appeal", discussion.cabinet_id))
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


@transaction.atomic
def publish_results(*, discussion, actor):
    """Publish the outcome table (R31): refused while any comment or proposal lacks a decision.
    Participants are told."""
    discussion = locked(discussion)
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
    move(discussion, actor, "publish_results")
    send(
        discussion,
        "results",
        participants(discussion),
        path=reverse("discussions:outcome", args=[discussion.pk]),
    )
    return discussion


@transaction.atomic
def attach_final_text(*, discussion, actor, upload):
    """Attach the adopted act as a PDF (checked by content, as for appeals)."""
    discussion = locked(discussion)
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
    record(
        discussion,
        actor=actor,
        action="attach_final",
        from_status=discussion.status,
        sha256=clean.sha256,
    )
    return discussion
