"""Use cases that change a poll. Each runs in a transaction, checks the workflow
(``workflow.check``), writes an immutable ``PollEvent`` and queues notifications (through the
outbox, delivered after commit).

Initiators (R28), the lifecycle with its frozen questions and dates (R29), eligibility and one
ballot per person (R30), and the moderation of free texts (R31) are enforced here.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.eligibility import NotEligible, ensure_eligible, voter_key
from edem.core.workflow import TransitionNotAllowed

from . import workflow
from .models import (
    Answer,
    Ballot,
    InitiatorKind,
    Option,
    Poll,
    PollEvent,
    Question,
    TerminationReason,
)
from .workflow import Status

__all__ = [
    "BallotInvalid",
    "NotEligible",
    "TransitionNotAllowed",
]

POLL_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "results_visibility",
    "ballots_changeable",
    "eligible_verification",
    "eligible_territory",
    "min_age",
)
MAX_OPTIONS = 30
MAX_TEXT_ANSWER = 2000


def min_days():
    """R29: no statutory minimum was found; the default is 14 days (a setting)."""
    return getattr(settings, "EDEM_POLL_MIN_DAYS", 14)


def max_days():
    """R29: the default upper bound is 30 days (a setting)."""
    return getattr(settings, "EDEM_POLL_MAX_DAYS", 30)


class BallotInvalid(Exception):
    """The ballot does not satisfy its questions; ``errors`` maps question id → message."""

    def __init__(self, errors):
        super().__init__("; ".join(str(e) for e in errors.values()))
        self.errors = errors


def _event(poll, *, actor, action, from_status="", note="", **data):
    return PollEvent.objects.create(
        poll=poll,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=poll.status,
        note=note,
        data=data,
    )


def _locked(poll):
    """Reload the poll under a row lock: two officials (or the beat and an official) acting at
    once never both win."""
    return Poll.objects.select_for_update().select_related("cabinet").get(pk=poll.pk)


def _notify(poll, event, *, users=(), emails=(), **context):
    """Queue the mail about ``event`` for each user (in their language) and each bare address.
    Keyed, so a task that runs twice sends nothing twice."""
    from edem.notifications.services import notify

    payload = {
        "event": event,
        "title": poll.title,
        "cabinet": poll.cabinet.name,
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


def _participants(poll):
    from django.contrib.auth import get_user_model

    ids = poll.ballots.filter(voter__isnull=False).values("voter_id")
    return get_user_model().objects.filter(pk__in=ids).order_by("pk").iterator()


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


# --- Creating and editing (before voting opens) -------------------------------------------


@transaction.atomic
def create_poll(*, actor, cabinet, **fields):
    """Cabinet staff create a poll of their own (R28): a DRAFT that skips moderation."""
    if not actor.has_perm(workflow.STAFF, cabinet):
        raise TransitionNotAllowed(_("Only the staff of the responsible cabinet may do this."))
    fields = {k: v for k, v in fields.items() if k in POLL_FIELDS}
    _check_dates(fields.get("starts_at"), fields.get("ends_at"))
    poll = Poll.objects.create(
        cabinet=cabinet,
        initiator_kind=InitiatorKind.CABINET,
        initiator=actor,
        status=Status.DRAFT,
        **fields,
    )
    _event(poll, actor=actor, action="create")
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
    fields = {k: v for k, v in fields.items() if k in POLL_FIELDS}
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
    _event(poll, actor=actor, action="propose", from_status=Status.DRAFT)
    _notify(
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
    poll = _locked(poll)
    workflow.check(poll, actor, "edit")
    changed = []
    for name, value in fields.items():
        if name not in POLL_FIELDS:
            continue
        if getattr(poll, name) != value:
            setattr(poll, name, value)
            changed.append(name)
    if poll.status == Status.SCHEDULED or {"starts_at", "ends_at"} & set(changed):
        _check_dates(poll.starts_at, poll.ends_at)
    poll.save()
    _event(poll, actor=actor, action="edit", from_status=poll.status, fields=changed)
    return poll


def _clean_options(options):
    cleaned = []
    for text in options:
        text = " ".join(str(text).split())
        if text and text not in cleaned:
            cleaned.append(text[:300])
    if len(cleaned) > MAX_OPTIONS:
        raise TransitionNotAllowed(_("A question has at most 30 options."))
    return cleaned


def _save_question(poll, question, *, text, kind, options=(), **fields):
    text = " ".join(str(text).split())
    if not text:
        raise TransitionNotAllowed(_("Write the question."))
    if kind not in Question.Kind.values:
        raise TransitionNotAllowed(_("Choose the kind of question."))
    options = _clean_options(options) if kind in Question.CHOICE_KINDS else []
    if question is None:
        last = poll.questions.order_by("-order").values_list("order", flat=True).first()
        question = Question(poll=poll, order=(last or 0) + 1)
    question.text, question.kind = text[:500], kind
    for name in ("help_text", "required", "min_choices", "max_choices", "order"):
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
        [Option(question=question, order=i, text=t) for i, t in enumerate(options, 1)]
    )
    return question


@transaction.atomic
def save_question(*, poll, actor, question=None, text, kind, options=(), **fields):
    """Add a question or change one (with its options): only before voting opens (R29)."""
    poll = _locked(poll)
    workflow.check(poll, actor, "edit")
    if question is not None and question.poll_id != poll.pk:
        raise TransitionNotAllowed(_("This question belongs to another poll."))
    is_new = question is None
    question = _save_question(poll, question, text=text, kind=kind, options=options, **fields)
    _event(
        poll,
        actor=actor,
        action="add_question" if is_new else "edit_question",
        from_status=poll.status,
        question=question.pk,
    )
    return question


@transaction.atomic
def delete_question(*, question, actor):
    poll = _locked(question.poll)
    workflow.check(poll, actor, "edit")  # R29
    _event(poll, actor=actor, action="delete_question", from_status=poll.status, text=question.text)
    question.delete()


# --- The lifecycle (R28, R29) ---------------------------------------------------------------


def _transition(poll, actor, name, note="", **data):
    previous = poll.status
    poll.status = workflow.ACTIONS[name].target
    poll.save()
    _event(poll, actor=actor, action=name, from_status=previous, note=note, **data)
    return poll


@transaction.atomic
def schedule(*, poll, actor):
    """The cabinet's own draft is ready: it opens by date."""
    poll = _locked(poll)
    workflow.check(poll, actor, "schedule")
    _check_ready(poll)
    return _transition(poll, actor, "schedule")


@transaction.atomic
def approve(*, poll, actor, note=""):
    """The responsible cabinet admits a proposal (R28); the initiator is told."""
    poll = _locked(poll)
    workflow.check(poll, actor, "approve")
    _check_ready(poll)
    _transition(poll, actor, "approve", note=note.strip())
    _notify(
        poll,
        "approved",
        users=[poll.initiator],
        starts=poll.starts_at.isoformat(),
    )
    return poll


@transaction.atomic
def refuse(*, poll, actor, reason):
    """The responsible cabinet refuses a proposal (R28) and says why; the initiator is told."""
    poll = _locked(poll)
    workflow.check(poll, actor, "refuse")
    reason = reason.strip()
    if not reason:
        raise TransitionNotAllowed(_("Explain the refusal: the initiator will read it."))
    poll.refusal_reason = reason
    _transition(poll, actor, "refuse", note=reason)
    _notify(poll, "refused", users=[poll.initiator], reason=reason)
    return poll


@transaction.atomic
def terminate(*, poll, actor, reason, note):
    """Stop a scheduled or running poll before its end (R29) with a reason from the list and
    an explanation; initiator and voters are told. Ballots stay as they were."""
    poll = _locked(poll)
    workflow.check(poll, actor, "terminate")
    if reason not in TerminationReason.values:
        raise TransitionNotAllowed(_("Choose the reason for ending the poll early."))
    note = note.strip()
    if not note:
        raise TransitionNotAllowed(_("Explain why the poll ends early: residents will read it."))
    poll.termination_reason, poll.termination_note = reason, note
    poll.closed_at = timezone.now()
    _transition(poll, actor, "terminate", note=note, reason=reason)
    _notify(
        poll,
        "terminated",
        users=[poll.initiator, *_participants(poll)],
        reason_code=reason,  # the mail shows the label in the recipient's language
        note=note,
    )
    return poll


@transaction.atomic
def publish_results(*, poll, actor, decision=""):
    """Publish the results with the body's response and final decision (R31); initiator and
    voters are told."""
    poll = _locked(poll)
    workflow.check(poll, actor, "publish_results")
    decision = decision.strip()
    if not decision:
        raise TransitionNotAllowed(
            _("Write the body's response to the results and its decision.")  # R31
        )
    poll.decision = decision
    poll.results_published_at = timezone.now()
    _transition(poll, actor, "publish_results")
    _notify(
        poll,
        "results_published",
        users=[poll.initiator, *_participants(poll)],
        path=f"/polls/{poll.pk}/results/",
    )
    return poll


def _start(poll):
    _transition(poll, None, "start")
    _notify(poll, "started", users=[poll.initiator])


def _complete(poll, now):
    poll.closed_at = now
    _transition(poll, None, "complete")
    _notify(
        poll,
        "completed",
        users=[poll.initiator, *_participants(poll)],
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


# --- Voting (R30) -------------------------------------------------------------------------------


def _ids(value):
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple | set):
        return [int(v) for v in value if str(v).strip()]
    return [int(value)]


def validate_answers(questions, raw):
    """Check the answers ``raw`` ({question id: value}) against ``questions`` (with options
    prefetched) and return unsaved ``Answer`` rows. Raises ``BallotInvalid`` with a message per
    question that is wrong.

    Values: single → an option id; multiple → a list of option ids; ranking → {option id: rank}
    covering every option with the ranks 1..n; scale → 1..5; free text → a string."""
    errors, rows = {}, []
    for question in questions:
        value = raw.get(question.pk)
        options = {o.pk: o for o in question.options.all()}
        try:
            rows.extend(_answer_rows(question, value, options))
        except (ValueError, TypeError):
            errors[question.pk] = _("This answer is not one of the options.")
        except BallotInvalid as exc:
            errors[question.pk] = exc.errors[question.pk]
    if errors:
        raise BallotInvalid(errors)
    return rows


def _answer_rows(question, value, options):  # noqa: C901 - one branch per question kind
    kind, pk = question.kind, question.pk

    def fail(message):
        raise BallotInvalid({pk: message})

    if kind == Question.Kind.SINGLE:
        chosen = _ids(value)
        if not chosen:
            if question.required:
                fail(_("Choose an answer."))
            return []
        if len(chosen) > 1:
            fail(_("Choose only one answer."))
        if chosen[0] not in options:
            raise ValueError
        return [Answer(question=question, option=options[chosen[0]])]
    if kind == Question.Kind.MULTIPLE:
        chosen = list(dict.fromkeys(_ids(value)))
        if any(c not in options for c in chosen):
            raise ValueError
        if not chosen and not question.required:
            return []
        low = question.min_choices or 1
        high = question.max_choices or len(options)
        if len(chosen) < low:
            fail(_("Choose at least %(n)d.") % {"n": low})
        if len(chosen) > high:
            fail(_("Choose at most %(n)d.") % {"n": high})
        return [Answer(question=question, option=options[c]) for c in chosen]
    if kind == Question.Kind.RANKING:
        ranks = {int(k): int(v) for k, v in (value or {}).items() if str(v).strip()}
        if any(k not in options for k in ranks):
            raise ValueError
        if not ranks:
            if question.required:
                fail(_("Rank every option."))
            return []
        if set(ranks) != set(options) or sorted(ranks.values()) != list(range(1, len(options) + 1)):
            fail(_("Give every option a different place, from 1 to %(n)d.") % {"n": len(options)})
        return [
            Answer(question=question, option=options[k], rank=r) for k, r in sorted(ranks.items())
        ]
    if kind == Question.Kind.SCALE:
        if value in (None, ""):
            if question.required:
                fail(_("Choose a value on the scale."))
            return []
        number = int(value)
        if not Question.SCALE_MIN <= number <= Question.SCALE_MAX:
            fail(_("Choose a value from 1 to 5."))
        return [Answer(question=question, value=number)]
    text = str(value or "").strip()
    if not text:
        if question.required:
            fail(_("Write your answer."))
        return []
    if len(text) > MAX_TEXT_ANSWER:
        fail(_("The answer is longer than 2,000 characters."))
    return [Answer(question=question, text=text, text_status=Answer.TextStatus.PENDING)]  # R31


def ballot_refusal(poll, user):
    """Why ``user`` may not vote in ``poll`` now (a translated reason), or None."""
    if poll.status != Status.ACTIVE:
        return _("Voting is not open.")
    from consultations.eligibility import refusal

    return refusal(user, poll)


@transaction.atomic
def cast_ballot(*, poll, voter, answers):
    """Record ``voter``'s ballot (R30): only while voting is open, only if eligible (one shared
    check), one ballot per person (a database constraint on poll + voter key). A second ballot
    replaces the first, in this transaction, when the poll allows changes; otherwise it is
    refused."""
    poll = Poll.objects.select_related("cabinet", "eligible_territory").get(pk=poll.pk)
    now = timezone.now()
    if poll.status != Status.ACTIVE or now >= poll.ends_at or now < poll.starts_at:
        raise TransitionNotAllowed(_("Voting is not open."))
    ensure_eligible(voter, poll)  # R30: raises NotEligible with the reason
    questions = list(poll.questions.prefetch_related("options"))
    rows = validate_answers(questions, answers)
    if not rows:
        raise BallotInvalid({questions[0].pk: _("Answer at least one question.")})
    key = voter_key(voter)
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                poll=poll,
                voter=voter,
                voter_key=key,
                territory_id=voter.territory_id,
                created_at=now,
                updated_at=now,
            )  # R30: the unique constraint refuses a second row for the same person
        changed = False
    except IntegrityError:
        ballot = Ballot.objects.select_for_update().get(poll=poll, voter_key=key)
        if not poll.ballots_changeable:
            raise TransitionNotAllowed(
                _("You have already voted in this poll, and it does not allow changing a ballot.")
            ) from None
        ballot.answers.all().delete()
        ballot.updated_at, ballot.territory_id = now, voter.territory_id
        ballot.changes += 1
        ballot.voter = voter
        ballot.save(update_fields=["updated_at", "territory", "changes", "voter"])
        changed = True
    for row in rows:
        row.ballot = ballot
    Answer.objects.bulk_create(rows)
    ballot.was_changed = changed
    return ballot


def ballot_of(poll, user):
    """The user's ballot in ``poll``, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Ballot.objects.filter(poll=poll, voter_key=voter_key(user)).first()


# --- Moderation of free texts (R31) --------------------------------------------------------


@transaction.atomic
def moderate_text(*, answer, actor, approve, note=""):
    """Approve a free-text answer for the results, or reject it (obscenity, hate, ads: R31)."""
    answer = Answer.objects.select_for_update().select_related("ballot__poll").get(pk=answer.pk)
    poll = answer.ballot.poll
    workflow.check(poll, actor, "moderate_texts")
    if answer.text_status == "":
        raise TransitionNotAllowed(_("Only free-text answers are moderated."))
    answer.text_status = Answer.TextStatus.APPROVED if approve else Answer.TextStatus.REJECTED
    answer.moderated_by, answer.moderated_at = actor, timezone.now()
    answer.moderation_note = note.strip()[:300]
    answer.save(update_fields=["text_status", "moderated_by", "moderated_at", "moderation_note"])
    _event(
        poll,
        actor=actor,
        action="moderate_text",
        from_status=poll.status,
        answer=answer.pk,
        decision=answer.text_status,
    )
    return answer
