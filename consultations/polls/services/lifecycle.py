"""The life of a poll: creating and proposing it (R28), its questions, moderation, scheduling,
termination, the calendar and the results (R29)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinets.access import can
from edem.core.i18n import columns, default_text, in_columns, in_every_language
from edem.core.locking import locked
from edem.core.workflow import TransitionNotAllowed
from edem.notifications.services import notify

from .. import workflow
from ..models import (
    InitiatorKind,
    Option,
    Poll,
    Question,
    TerminationReason,
)
from ..workflow import Status
from .common import MAX_OPTIONS, max_days, min_days, participants, record

# The poll's own text, in every language: a value is a plain string (the default language's)
# or {"ru": ..., "uk": ..., "en": ...} (edem.core.i18n.in_columns).
TRANSLATED = ("title", "description")
POLL_FIELDS = (
    *TRANSLATED,
    "starts_at",
    "ends_at",
    "results_visibility",
    "ballots_changeable",
    "eligible_verification",
    "eligible_territory",
    "min_age",
)


def _notify_about(poll, event, *, users=(), emails=(), **context):
    """Queue the mail about ``event`` for each user (in their language) and each bare address.
    Keyed, so a task that runs twice sends nothing twice."""
    payload = {
        "event": event,
        "title": in_every_language(poll, "title"),
        "cabinet": in_every_language(poll.cabinet, "name"),
        "path": f"/polls/{poll.pk}/",
        **context,
    }
    for user in users:
        if user is None or not user.email:
            continue
        notify(
            template="polls/status",
            recipient=user,
            context=payload,
            key=f"poll:{poll.pk}:{event}:u{user.pk}",
        )
    for email in emails:
        if email:
            notify(
                template="polls/status",
                email=email,
                context=payload,
                key=f"poll:{poll.pk}:{event}:{email}",
            )


def _check_dates(starts_at, ends_at):
    """R29: the poll ends after it starts and lasts within the configured bounds."""
    if starts_at is None or ends_at is None:
        raise TransitionNotAllowed(_("Give the dates when voting opens and closes."))
    if ends_at <= starts_at:
        raise TransitionNotAllowed(_("Voting must close after it opens."))
    length = ends_at - starts_at
    if length < timedelta(days=min_days()) or length > timedelta(days=max_days()):
        raise TransitionNotAllowed(
            _("Voting lasts from %(min)d to %(max)d days.") % {"min": min_days(), "max": max_days()}
        )


def _columns(fields):
    """The poll's fields by column: each translated field becomes its languages' columns."""
    result = {}
    for name, value in fields.items():
        if name in TRANSLATED:
            result.update(in_columns(name, value))
        elif name in POLL_FIELDS:
            result[name] = value
    return result


def _check_ready(poll):
    """Before scheduling: the dates are right and every question can be answered."""
    _check_dates(poll.starts_at, poll.ends_at)
    questions = list(poll.questions.prefetch_related("options"))
    if not questions:
        raise TransitionNotAllowed(_("Add at least one question."))
    for question in questions:
        _check_question(question.kind, len(question.options.all()), question)


def _check_question(kind, n_options, question):
    if kind in Question.CHOICE_KINDS and n_options < 2:
        raise TransitionNotAllowed(
            _("The question “%(q)s” needs at least two options.") % {"q": question.text}
        )
    if kind == Question.Kind.MULTIPLE:
        low, high = question.min_choices, question.max_choices
        if (low is not None and low > n_options) or (high is not None and high > n_options):
            raise TransitionNotAllowed(
                _("The question “%(q)s” asks for more choices than it has options.")
                % {"q": question.text}
            )
        if low is not None and high is not None and low > high:
            raise TransitionNotAllowed(_("The least number of choices is larger than the largest."))
        if high == 0:
            raise TransitionNotAllowed(_("At most zero choices leaves nothing to choose."))


@transaction.atomic
def create_poll(*, actor, cabinet, **fields):
    """Cabinet staff create a poll of their own (R28): a DRAFT that skips moderation."""
    if not can(actor, workflow.STAFF, cabinet):
        raise TransitionNotAllowed(_("Only the staff of the responsible cabinet may do this."))
    fields = _columns(fields)
    _check_dates(fields.get("starts_at"), fields.get("ends_at"))
    poll = Poll.objects.create(
        cabinet=cabinet,
        initiator_kind=InitiatorKind.CABINET,
        initiator=actor,
        status=Status.DRAFT,
        **fields,
    )
    record(poll, actor=actor, action="create")
    return poll


@transaction.atomic
def propose_poll(
    *,
    actor,
    cabinet,
    initiator_kind,
    organisation_name="",
    question_text,
    question_kind=Question.Kind.SINGLE,
    options=(),
    **fields,
):
    """A resident, an NGO or self-organisation body, or an advisory body proposes a poll
    (R28): it goes to the responsible cabinet's moderation with its first question."""
    if initiator_kind not in (
        InitiatorKind.RESIDENT,
        InitiatorKind.NGO,
        InitiatorKind.ADVISORY_BODY,
    ):
        raise TransitionNotAllowed(_("Choose who proposes the poll."))
    if not actor.is_authenticated or not actor.is_verified_resident:
        raise TransitionNotAllowed(
            _("Confirm your identity as a resident before proposing a poll.")
        )
    organisation_name = organisation_name.strip()
    if initiator_kind != InitiatorKind.RESIDENT and not organisation_name:
        raise TransitionNotAllowed(_("Name the organisation that proposes the poll."))
    if not cabinet.is_active:
        raise TransitionNotAllowed(_("This authority does not accept proposals."))
    fields = _columns(fields)
    _check_dates(fields.get("starts_at"), fields.get("ends_at"))
    poll = Poll.objects.create(
        cabinet=cabinet,
        initiator_kind=initiator_kind,
        initiator=actor,
        organisation_name=organisation_name if initiator_kind != InitiatorKind.RESIDENT else "",
        status=Status.MODERATION,
        **fields,
    )
    _save_question(poll, None, text=question_text, kind=question_kind, options=options)
    record(poll, actor=actor, action="propose", from_status=Status.DRAFT)
    _notify_about(
        poll,
        "proposed",
        emails=[poll.cabinet.email],
        users=[] if poll.cabinet.email else [poll.cabinet.head],
        path=f"/service/polls/{poll.pk}/",
    )
    return poll


@transaction.atomic
def update_poll(*, poll, actor, **fields):
    """Change the poll's text, dates or settings: only before voting opens (R29)."""
    poll = locked(poll)
    workflow.check(poll, actor, "edit")
    changed = []
    for name, value in _columns(fields).items():
        if getattr(poll, name) != value:
            setattr(poll, name, value)
            changed.append(name)
    if poll.status == Status.SCHEDULED or {"starts_at", "ends_at"} & set(changed):
        _check_dates(poll.starts_at, poll.ends_at)
    poll.save()
    record(poll, actor=actor, action="edit", from_status=poll.status, fields=changed)
    return poll


def _clean_options(options):
    """The options as ``{column: text}``, each given as a string or by language; an option
    without its default-language text is left out, and so is a repeated one."""
    cleaned, seen = [], set()
    for option in options:
        texts = {
            column: " ".join(text.split())[:300]
            for column, text in in_columns("text", option).items()
        }
        key = texts.get(columns("text")[0], "")
        if key and key not in seen:
            seen.add(key)
            cleaned.append(texts)
    if len(cleaned) > MAX_OPTIONS:
        raise TransitionNotAllowed(_("A question has at most 30 options."))
    return cleaned


def _save_question(poll, question, *, text, kind, options=(), **fields):
    """``text``, ``help_text`` and each option: a string (the default language's) or a
    mapping by language (edem.core.i18n.in_columns)."""
    texts = {c: " ".join(t.split())[:500] for c, t in in_columns("text", text).items()}
    if not default_text(text):
        raise TransitionNotAllowed(_("Write the question."))
    if kind not in Question.Kind.values:
        raise TransitionNotAllowed(_("Choose the kind of question."))
    options = _clean_options(options) if kind in Question.CHOICE_KINDS else []
    if question is None:
        last = poll.questions.order_by("-order").values_list("order", flat=True).first()
        question = Question(poll=poll, order=(last or 0) + 1)
    for column, value in texts.items():
        setattr(question, column, value)
    question.kind = kind
    if fields.get("help_text") is not None:
        for column, value in in_columns("help_text", fields["help_text"]).items():
            setattr(question, column, value[:500])
    for name in ("required", "min_choices", "max_choices", "order"):
        if name in fields and fields[name] is not None:
            setattr(question, name, fields[name])
    if kind != Question.Kind.MULTIPLE:
        question.min_choices = question.max_choices = None
    for name in ("min_choices", "max_choices"):
        if name in fields and fields[name] is None:
            setattr(question, name, None)
    _check_question(kind, len(options), question)
    question.save()
    question.options.all().delete()
    Option.objects.bulk_create(
        [Option(question=question, order=i, **t) for i, t in enumerate(options, 1)]
    )
    return question


@transaction.atomic
def save_question(*, poll, actor, question=None, text, kind, options=(), **fields):
    """Add a question or change one (with its options): only before voting opens (R29)."""
    poll = locked(poll)
    workflow.check(poll, actor, "edit")
    if question is not None and question.poll_id != poll.pk:
        raise TransitionNotAllowed(_("This question belongs to another poll."))
    is_new = question is None
    question = _save_question(poll, question, text=text, kind=kind, options=options, **fields)
    record(
        poll,
        actor=actor,
        action="add_question" if is_new else "edit_question",
        from_status=poll.status,
        question=question.pk,
    )
    return question


@transaction.atomic
def delete_question(*, question, actor):
    poll = locked(question.poll)
    workflow.check(poll, actor, "edit")  # R29
    record(poll, actor=actor, action="delete_question", from_status=poll.status, text=question.text)
    question.delete()


def _transition(poll, actor, name, note="", **data):
    previous = poll.status
    poll.status = workflow.ACTIONS[name].target
    poll.save()
    record(poll, actor=actor, action=name, from_status=previous, note=note, **data)
    return poll


@transaction.atomic
def schedule(*, poll, actor):
    """The cabinet's own draft is ready: it opens by date."""
    poll = locked(poll)
    workflow.check(poll, actor, "schedule")
    _check_ready(poll)
    return _transition(poll, actor, "schedule")


@transaction.atomic
def approve(*, poll, actor, note=""):
    """The responsible cabinet admits a proposal (R28); the initiator is told."""
    poll = locked(poll)
    workflow.check(poll, actor, "approve")
    _check_ready(poll)
    _transition(poll, actor, "approve", note=note.strip())
    _notify_about(
        poll,
        "approved",
        users=[poll.initiator],
        starts=poll.starts_at.isoformat(),
    )
    return poll


@transaction.atomic
def refuse(*, poll, actor, reason):
    """The responsible cabinet refuses a proposal (R28) and says why; the initiator is told."""
    poll = locked(poll)
    workflow.check(poll, actor, "refuse")
    reason = reason.strip()
    if not reason:
        raise TransitionNotAllowed(_("Explain the refusal: the initiator will read it."))
    poll.refusal_reason = reason
    _transition(poll, actor, "refuse", note=reason)
    _notify_about(poll, "refused", users=[poll.initiator], reason=reason)
    return poll


@transaction.atomic
def terminate(*, poll, actor, reason, note):
    """Stop a scheduled or running poll before its end (R29) with a reason from the list and
    an explanation; initiator and voters are told. Ballots stay as they were."""
    poll = locked(poll)
    workflow.check(poll, actor, "terminate")
    if reason not in TerminationReason.values:
        raise TransitionNotAllowed(_("Choose the reason for ending the poll early."))
    note = note.strip()
    if not note:
        raise TransitionNotAllowed(_("Explain why the poll ends early: residents will read it."))
    poll.termination_reason, poll.termination_note = reason, note
    poll.closed_at = timezone.now()
    _transition(poll, actor, "terminate", note=note, reason=reason)
    _notify_about(
        poll,
        "terminated",
        users=[poll.initiator, *participants(poll)],
        reason_code=reason,  # the mail shows the label in the recipient's language
        note=note,
    )
    return poll


@transaction.atomic
def publish_results(*, poll, actor, decision=""):
    """Publish the results with the body's response and final decision (R31); initiator and
    voters are told."""
    poll = locked(poll)
    workflow.check(poll, actor, "publish_results")
    if not default_text(decision):
        raise TransitionNotAllowed(
            _("Write the body's response to the results and its decision.")  # R31
        )
    for column, value in in_columns("decision", decision).items():
        setattr(poll, column, value)
    poll.results_published_at = timezone.now()
    _transition(poll, actor, "publish_results")
    _notify_about(
        poll,
        "results_published",
        users=[poll.initiator, *participants(poll)],
        path=f"/polls/{poll.pk}/results/",
    )
    return poll


def _start(poll):
    _transition(poll, None, "start")
    _notify_about(poll, "started", users=[poll.initiator])


def _complete(poll, now):
    poll.closed_at = now
    _transition(poll, None, "complete")
    _notify_about(
        poll,
        "completed",
        users=[poll.initiator, *participants(poll)],
        path=f"/polls/{poll.pk}/results/",
    )


def advance_by_date(now=None):
    """The beat task's work (R29): open scheduled polls whose start has come and close active
    ones whose end has passed. Idempotent: each poll is claimed under a row lock and its state
    checked again, so two runs at once do every change once. Returns (opened, closed)."""
    now = now or timezone.now()
    opened = closed = 0
    due_start = Poll.objects.filter(status=Status.SCHEDULED, starts_at__lte=now)
    for pk in due_start.values_list("pk", flat=True):
        with transaction.atomic():
            poll = Poll.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if poll is None or poll.status != Status.SCHEDULED or poll.starts_at > now:
                continue
            _start(poll)
            opened += 1
    due_end = Poll.objects.filter(status=Status.ACTIVE, ends_at__lte=now)
    for pk in due_end.values_list("pk", flat=True):
        with transaction.atomic():
            poll = Poll.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if poll is None or poll.status != Status.ACTIVE or poll.ends_at > now:
                continue
            _complete(poll, now)
            closed += 1
    return opened, closed
