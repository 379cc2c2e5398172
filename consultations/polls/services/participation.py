"""Voting (R30: only while open, only if eligible, one ballot per person by a database constraint)
and the moderation of free-text answers (R31)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.eligibility import ensure_eligible, refusal, voter_key
from edem.core.events import PollVoted, publish
from edem.core.workflow import TransitionNotAllowed

from .. import workflow
from ..models import (
    Answer,
    Ballot,
    Poll,
    Question,
)
from ..workflow import Status
from .common import MAX_TEXT_ANSWER, BallotInvalid, record

MAX_ID_DIGITS = 18  # a bigint id has at most 19 digits; longer text is not an option


class _Malformed(Exception):
    """An answer of the wrong shape (a list for a number, a float for an option…)."""


def _integer(value):
    """``value`` as a whole number, strictly: an int (not a bool), a string of digits, or a
    float that is whole; 2.7 is refused, never cut to 2."""
    if isinstance(value, bool):
        raise _Malformed
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            raise _Malformed
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not digits.isascii() or not digits.isdigit() or len(digits) > MAX_ID_DIGITS:
            raise _Malformed
        return int(text)
    raise _Malformed


def _ids(value):
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [_integer(v) for v in value if not (isinstance(v, str) and not v.strip())]
    return [_integer(value)]


def _ranks(value):
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise _Malformed
    return {
        _integer(k): _integer(v)
        for k, v in value.items()
        if not (v is None or (isinstance(v, str) and not v.strip()))
    }


def validate_answers(questions, raw):
    """Check the answers ``raw`` ({question id: value}) against ``questions`` (with options
    prefetched) and return unsaved ``Answer`` rows. Raises ``BallotInvalid`` with a message per
    question that is wrong, whatever ``raw`` holds: a value of the wrong type (a list, a dict,
    a float that is not whole, a huge number, text with a NUL) is refused, never coerced.

    Values: single → an option id; multiple → a list of option ids; ranking → {option id: rank}
    covering every option with the ranks 1..n; scale → 1..5; free text → a string."""
    if not isinstance(raw, dict):
        raise BallotInvalid({q.pk: _("This answer is not one of the options.") for q in questions})
    errors, rows = {}, []
    for question in questions:
        value = raw.get(question.pk)
        options = {o.pk: o for o in question.options.all()}
        try:
            rows.extend(_answer_rows(question, value, options))
        except _Malformed:
            errors[question.pk] = _MALFORMED.get(question.kind, _MALFORMED[None])()
        except BallotInvalid as exc:
            errors[question.pk] = exc.errors[question.pk]
    if errors:
        raise BallotInvalid(errors)
    return rows


_MALFORMED = {
    Question.Kind.SCALE: lambda: _("Choose a value from 1 to 5."),
    Question.Kind.TEXT: lambda: _("Write your answer as text."),
    None: lambda: _("This answer is not one of the options."),
}


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
            raise _Malformed
        return [Answer(question=question, option=options[chosen[0]])]
    if kind == Question.Kind.MULTIPLE:
        chosen = list(dict.fromkeys(_ids(value)))
        if any(c not in options for c in chosen):
            raise _Malformed
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
        ranks = _ranks(value)
        if any(k not in options for k in ranks):
            raise _Malformed
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
        if value is None or value == "":
            if question.required:
                fail(_("Choose a value on the scale."))
            return []
        number = _integer(value)
        if not Question.SCALE_MIN <= number <= Question.SCALE_MAX:
            fail(_("Choose a value from 1 to 5."))
        return [Answer(question=question, value=number)]
    if value is not None and not isinstance(value, str):
        raise _Malformed
    text = (value or "").strip()
    if not text:
        if question.required:
            fail(_("Write your answer."))
        return []
    if len(text) > MAX_TEXT_ANSWER:
        fail(_("The answer is longer than 2,000 characters."))
    if "\x00" in text:  # PostgreSQL keeps no NUL in text
        raise _Malformed
    return [Answer(question=question, text=text, text_status=Answer.TextStatus.PENDING)]  # R31


def ballot_refusal(poll, user):
    """Why ``user`` may not vote in ``poll`` now (a translated reason), or None."""
    if poll.status != Status.ACTIVE:
        return _("Voting is not open.")
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
    publish(PollVoted(poll_id=poll.pk, ballot_id=ballot.pk))
    return ballot


def ballot_of(poll, user):
    """The user's ballot in ``poll``, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Ballot.objects.filter(poll=poll, voter_key=voter_key(user)).first()


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
    record(
        poll,
        actor=actor,
        action="moderate_text",
        from_status=poll.status,
        answer=answer.pk,
        decision=answer.text_status,
    )
    return answer
