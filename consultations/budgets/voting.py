"""Voting (R35) and results (R36) of participatory budgeting: the one place votes are
written, and the count that applies the rule of ``winners.py``."""

from collections import Counter

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.eligibility import NotEligible, ensure_eligible, voter_key
from consultations.eligibility import refusal as eligibility_refusal
from edem.accounts import personkeys
from edem.accounts.models import DocumentKind
from edem.core.events import BudgetVoted, publish
from edem.core.locking import locked
from edem.core.workflow import TransitionNotAllowed

from . import workflow
from .history import record_event
from .models import Ballot, BudgetCycle, Channel, Vote
from .results import compute_results
from .services import advance
from .workflow import Phase, ProjectStatus

# --- Voting (R35) ---------------------------------------------------------------------------


def vote_refusal(cycle, user, today=None):
    """Why ``user`` may not vote online in ``cycle`` now, or None (R35): the voting window
    first, then the eligibility rules of the cycle. The ballot page shows it; ``cast_votes``
    enforces the same."""
    if not cycle.is_open(Phase.VOTING, today or timezone.localdate()):
        return _("Voting is not open.")
    return eligibility_refusal(user, cycle, today)


def votes_left(cycle, cast):
    """How many of the K votes (R35) a voter who has cast ``cast`` still has."""
    return max(cycle.votes_per_voter - len(cast), 0)


def paper_voter_key(document_kind, document_number):
    """The voter key of a person who votes on paper with an identity document (R35): the
    person key of the account that document is recorded on, else the keyed hash of the
    document (never the number itself, R18). So a paper ballot collides with the same person's
    online ballot, and an in-person verification with that document later adopts it."""
    return personkeys.voter_key_for_document(document_kind, document_number)


def _already_voted(channel):
    if channel == Channel.PAPER:
        return _("This person has already voted for these projects, online or on paper.")
    return _("You have already voted for these projects.")


def _record_votes(*, cycle, key, user, projects, channel, entered_by, today):
    """The one place votes are written (R35). The person's ballot row (unique per cycle and
    voter key) is created if needed and locked before the votes are counted, so parallel
    requests of one person are serialised: never more than K votes, never two for one project
    (also a database constraint)."""
    if not cycle.is_open(Phase.VOTING, today):
        raise TransitionNotAllowed(_("Voting is not open."))
    chosen = list({p.pk: p for p in projects}.values())
    if not chosen:
        raise TransitionNotAllowed(_("Choose at least one project."))
    for project in chosen:
        if project.cycle_id != cycle.pk or project.status != ProjectStatus.ACCEPTED:
            raise TransitionNotAllowed(
                _("“%(title)s” is not on the ballot.") % {"title": project.title}
            )
    try:
        ballot, _created = Ballot.objects.get_or_create(
            cycle=cycle, voter_key=key, defaults={"user": user}
        )
    except IntegrityError as exc:  # R35: a parallel ballot of the same person, in any channel
        raise TransitionNotAllowed(_already_voted(channel)) from exc
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)  # R35: one ballot, locked
    if ballot.locked_at is not None:
        raise TransitionNotAllowed(_("The ballot is closed."))
    existing = list(ballot.votes.values_list("project_id", "project__category_id"))
    already = {pk for pk, _cat in existing}
    new = [p for p in chosen if p.pk not in already]
    if not new:
        raise TransitionNotAllowed(_already_voted(channel))
    k = cycle.votes_per_voter
    if len(existing) + len(new) > k:  # R35: up to K distinct projects, in every channel
        left = max(k - len(existing), 0)
        if channel == Channel.PAPER:
            raise TransitionNotAllowed(
                _(
                    "This person has already voted (%(used)d of %(k)d votes, online or on "
                    "paper): %(left)d left."
                )
                % {"used": len(existing), "k": k, "left": left}
            )
        raise TransitionNotAllowed(
            _("Each voter has %(k)d votes; you have %(left)d left.") % {"k": k, "left": left}
        )
    if cycle.one_vote_per_category:
        per_category = Counter(cat for _pk, cat in existing)
        per_category.update(p.category_id for p in new)
        if any(n > 1 for n in per_category.values()):
            raise TransitionNotAllowed(_("You may vote for only one project in each category."))
    try:
        with transaction.atomic():
            for project in new:
                Vote.objects.create(
                    ballot=ballot,
                    project=project,
                    voter_key=key,
                    channel=channel,
                    entered_by=entered_by,
                )
    except IntegrityError as exc:  # the database constraint, should the lock ever be bypassed
        raise TransitionNotAllowed(_already_voted(channel)) from exc
    if ballot.user_id is None and user is not None:
        ballot.user = user
        ballot.save(update_fields=["user"])
    record_event(
        cycle,
        action="vote",
        actor=entered_by,
        is_public=False,
        channel=channel,
        count=len(new),
    )
    publish(BudgetVoted(cycle_id=cycle.pk, ballot_id=ballot.pk))
    return ballot


@transaction.atomic
def cast_votes(*, cycle, user, projects, today=None):
    """An eligible resident votes online for up to K accepted projects (R35)."""
    cycle = BudgetCycle.objects.get(pk=cycle.pk)
    try:
        ensure_eligible(user, cycle, today)
    except NotEligible as exc:
        raise TransitionNotAllowed(exc.reason) from exc
    return _record_votes(
        cycle=cycle,
        key=voter_key(user),
        user=user,
        projects=projects,
        channel=Channel.ONLINE,
        entered_by=None,
        today=today,
    )


@transaction.atomic
def enter_paper_ballot(
    *,
    cycle,
    actor,
    projects,
    voter=None,
    document_kind="",
    document_number="",
    eligibility_confirmed=False,
    today=None,
):
    """An official enters a paper ballot cast at the service centre (R35). With the voter's
    account the votes land on the same ballot as online votes (one ballot per person across
    all channels) and the same eligibility check applies; without one, the official enters
    the identity document's kind and number and confirms that they checked eligibility on it.
    The document gives the same key as the person's account when an official recorded that
    document on it, so an online and a paper ballot of one person are one ballot."""
    cycle = BudgetCycle.objects.get(pk=cycle.pk)
    workflow.check(cycle, actor, "enter_paper_votes", today=today)
    if voter is not None:
        try:
            ensure_eligible(voter, cycle, today)
        except NotEligible as exc:
            raise TransitionNotAllowed(exc.reason) from exc
        key = voter_key(voter)
    else:
        if document_kind not in DocumentKind.values or not (
            personkeys.normalise_document_number(document_number)
        ):
            raise TransitionNotAllowed(
                _(
                    "Give the voter's account e-mail, or the kind and number of their identity "
                    "document."
                )
            )
        if not eligibility_confirmed:
            raise TransitionNotAllowed(
                _("Confirm that you checked the voter's age and residence on the document.")
            )
        key = paper_voter_key(document_kind, document_number)
    return _record_votes(
        cycle=cycle,
        key=key,
        user=voter,
        projects=projects,
        channel=Channel.PAPER,
        entered_by=actor,
        today=today,
    )


# --- Results (R36) and implementation ---------------------------------------------------------


@transaction.atomic
def publish_results(*, cycle, actor, today=None):
    """The cabinet publishes the results once the count phase has come (R36)."""
    advance(cycle=cycle, today=today)
    cycle = locked(cycle)
    workflow.check(cycle, actor, "publish_results", today=today)
    if cycle.status != Phase.COUNT:
        raise TransitionNotAllowed(_("The results are already published."))
    cycle.status = Phase.WINNERS_PUBLISHED
    cycle.status_changed_at = timezone.now()
    cycle.save(update_fields=["status", "status_changed_at", "updated_at"])
    record_event(cycle, action="phase", actor=actor, from_state=Phase.COUNT, to_state=cycle.status)
    compute_results(cycle)
    return cycle
