"""Where an appeal goes other than an answer: forwarding (R5), return with an explanation (R6), merging a repeat appeal, no answer on the merits (R11)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.community.selectors import DUPLICATE_RADIUS_M, haversine_m
from cabinets.access import can, roles_in
from cabinets.models import ExternalBody
from cabinets.roles import Role
from edem.core import calendar
from edem.core.i18n import in_every_language
from edem.core.locking import locked
from edem.core.workflow import TransitionNotAllowed

from .. import workflow
from ..models import Appeal
from ..selectors import earlier_answers
from ..workflow import Status
from ._common import notify_citizen, record
from .registration import set_receipt_deadlines


@transaction.atomic
def forward(*, appeal, actor, reason, to_cabinet=None, to_body=None):
    """Forward to the competent cabinet or to a body outside the portal (R5): a reason is
    required, never to the body the complaint is about (R6); the citizen is told where. The
    receiving cabinet starts its own clock from its own registration; an external body gets the
    appeal by e-mail (the gateway in ``integrations`` sends it on ``AppealForwarded``) and the
    appeal ends here as forwarded."""
    appeal = locked(appeal)
    workflow.check(appeal, actor, "forward")
    if not reason.strip():
        raise TransitionNotAllowed(_("Say why the appeal is forwarded."))
    if (to_cabinet is None) == (to_body is None):
        raise TransitionNotAllowed(
            _("Choose either a cabinet on the portal or an external body, not both.")
        )
    if to_body is not None:
        return _forward_outside(appeal, actor, to_body, reason.strip())
    if to_cabinet.pk == appeal.cabinet_id:
        raise TransitionNotAllowed(_("The appeal is already in this cabinet."))
    if appeal.respondent_cabinet_id == to_cabinet.pk:  # R6
        raise TransitionNotAllowed(
            _("A complaint cannot be forwarded to the body whose decision or action it challenges.")
        )
    if appeal.respondent_official_id and can(
        appeal.respondent_official, "cabinets.sign_answer", to_cabinet
    ):  # R6: nor to the body the official complained about decides for
        raise TransitionNotAllowed(
            _(
                "A complaint cannot be forwarded to a body headed by the official it is about: he would decide on it."
            )
        )
    from_cabinet, previous = appeal.cabinet, appeal.status
    appeal.status = Status.FORWARDED
    record(
        appeal,
        actor=actor,
        action="forward",
        from_status=previous,
        note=reason.strip(),
        from_cabinet=from_cabinet.pk,
        to_cabinet=to_cabinet.pk,
        to_cabinet_name=to_cabinet.name,
        result=Appeal.Result.FORWARDED,  # R16: the sender's result
        classifier=appeal.classifier.code if appeal.classifier_id else "",
    )
    # In the new cabinet the appeal starts again as received (its own registration, R5).
    appeal.cabinet = to_cabinet
    appeal.status = Status.RECEIVED
    appeal.number, appeal.registered_at = "", None
    appeal.legal_due = appeal.control_due = appeal.original_due = None
    appeal.forwarding_due = appeal.forwarding_control_due = None
    appeal.notice_due = appeal.notice_control_due = None
    appeal.deferral_due = appeal.deferral_control_due = None  # R17
    appeal.executor = None
    appeal.result = ""  # R16: "forwarded" is the sender's result, read from this history line
    appeal.received_at = timezone.now()
    set_receipt_deadlines(appeal)
    appeal.save()
    appeal.co_executors.clear()
    record(appeal, actor=actor, action="receive", from_status=Status.FORWARDED, forwarded=True)
    notify_citizen(
        appeal,
        "forwarded",
        cabinet=in_every_language(to_cabinet, "name"),
        reason=reason.strip(),
    )
    return appeal


def _forward_outside(appeal, actor, body, reason):
    """R5 to a body without a cabinet here: the appeal leaves the portal (forwarded, closed in
    this cabinet); the history line names the body, which the gateway reads to send it."""
    if not body.is_active:
        raise TransitionNotAllowed(_("This external body is no longer in use."))
    previous, appeal.status = appeal.status, Status.FORWARDED
    appeal.result = Appeal.Result.FORWARDED  # R16
    appeal.closed_at = timezone.now()
    appeal.save()
    record(
        appeal,
        actor=actor,
        action="forward",
        from_status=previous,
        note=reason,
        from_cabinet=appeal.cabinet_id,
        to_body=body.pk,
        to_body_name=body.name,
        result=Appeal.Result.FORWARDED,
        classifier=appeal.classifier.code if appeal.classifier_id else "",
    )
    notify_citizen(appeal, "forwarded", cabinet=body.name, reason=reason)
    return appeal


@transaction.atomic
def return_with_explanation(*, appeal, actor, note):
    """Return the appeal to the citizen with an explanation (R6): a complaint about the only
    body that could consider it, where forwarding would send it to the body complained about;
    the explanation names the right to go to court. Under the Ukrainian profile also an appeal
    that lacks the required particulars (R19, within 10 days)."""
    appeal = locked(appeal)
    workflow.check(appeal, actor, "return")
    if not note.strip():
        raise TransitionNotAllowed(
            _("Explain why the appeal is returned: the citizen will read it.")
        )
    previous, appeal.status = appeal.status, Status.RETURNED
    appeal.closed_at = timezone.now()
    appeal.save()
    record(appeal, actor=actor, action="return", from_status=previous, note=note.strip())
    notify_citizen(
        appeal,
        "returned",
        reason=note.strip(),
        court=appeal.kind == Appeal.Kind.COMPLAINT,  # R6: the right to go to court
    )
    return appeal


def _is_duplicate_problem(appeal, into):
    """Whether ``appeal`` reports the same public problem as the earlier ``into`` (issue #4):
    both public, the same topic, within the duplicate radius of each other."""
    if not (appeal.is_public and into.is_public) or appeal.category_id != into.category_id:
        return False
    points = (appeal.latitude, appeal.longitude, into.latitude, into.longitude)
    if None in points or not appeal.category_id:
        return False
    return haversine_m(*(float(p) for p in points)) <= DUPLICATE_RADIUS_M


@transaction.atomic
def merge(*, appeal, actor, into, note=""):
    """Merge a repeat appeal into an earlier one in the same cabinet: a repeat of the same
    citizen, or a duplicate of a public problem reported by someone else (same topic, within
    150 m). It is answered there, under the earlier number; its author is told which one (and,
    for a public problem, follows it)."""
    appeal = locked(appeal)
    workflow.check(appeal, actor, "merge")
    if into.pk == appeal.pk:
        raise TransitionNotAllowed(_("An appeal cannot be merged into itself."))
    if into.cabinet_id != appeal.cabinet_id:
        raise TransitionNotAllowed(_("Merge only into an appeal held by the same cabinet."))
    if not into.number or into.status not in (*workflow.WORKING, Status.ANSWERED):
        raise TransitionNotAllowed(
            _("Merge only into a registered appeal that is in work or answered.")
        )
    same_person = (appeal.author_id and appeal.author_id == into.author_id) or (
        appeal.email and appeal.email.lower() == (into.email or "").lower()
    )
    duplicate = not same_person and _is_duplicate_problem(appeal, into)
    if not same_person and not duplicate:
        raise TransitionNotAllowed(
            _(
                "Only a repeat appeal of the same citizen, or a duplicate of a public problem "
                "on the same topic nearby, can be merged."
            )
        )
    previous, appeal.status = appeal.status, Status.MERGED
    appeal.merged_into = into
    appeal.closed_at = timezone.now()
    appeal.save()
    record(
        appeal,
        actor=actor,
        action="merge",
        from_status=previous,
        note=note.strip(),
        into=into.pk,
        into_number=into.number,
    )
    record(
        into,
        actor=actor,
        action="merged_in",
        from_status=into.status,
        is_public=True,
        note=note.strip(),
        merged=appeal.pk,
        merged_subject=appeal.subject,
    )
    notify_citizen(
        appeal,
        "merged_duplicate" if duplicate else "merged",
        into_number=into.number,
        into_path=f"/problems/{into.pk}/" if duplicate else "",
        reason=note.strip(),
    )
    return appeal


# R11: the grounds whose notice has the 7-day clock ``notice_due`` (parts 4, 4.1, 5.1).
NOTICE_CLOCK_GROUNDS = frozenset(
    {
        Appeal.NoMeritsGround.UNREADABLE,
        Appeal.NoMeritsGround.UNCLEAR,
        Appeal.NoMeritsGround.PUBLISHED,
    }
)
# R11: the grounds only the head decides (parts 3 and 5).
HEAD_GROUNDS = frozenset({Appeal.NoMeritsGround.ABUSIVE, Appeal.NoMeritsGround.REPEATED})


def _reply_addresses(appeal):
    """Where an answer could go (R11 part 1): the e-mail, the postal address, the author's
    account on the portal."""
    return [a for a in (appeal.email, appeal.postal_address.strip(), appeal.author_id) if a]


def _ground_refusal(appeal, actor, ground, earlier, published_url, law_enforcement):
    """Why ``ground`` cannot be recorded on ``appeal`` by ``actor`` (R11), or None."""
    Ground = Appeal.NoMeritsGround
    if ground == Ground.NO_NAME_OR_ADDRESS:
        if appeal.last_name.strip() and _reply_addresses(appeal):
            return _(
                "The appeal has a surname and an address for the answer: part 1 does not apply."
            )
        if appeal.reports_offence and not law_enforcement.strip():
            return _(
                "The appeal reports an offence: name the law enforcement body it is sent to (59-FZ Art. 11(1))."
            )
    if ground in HEAD_GROUNDS and Role.HEAD not in roles_in(actor, appeal.cabinet_id):
        return _("Only the head decides on this ground.")
    if ground == Ground.REPEATED:
        if not earlier:
            return _(
                "Link at least one earlier answer on the merits given by this body to the same citizen."
            )
        allowed = set(earlier_answers(appeal).values_list("pk", flat=True))
        if any(other.pk not in allowed for other in earlier):
            return _(
                "Only appeals of the same citizen answered on the merits by this body can be linked."
            )
    if ground == Ground.PUBLISHED and not published_url.strip().lower().startswith(
        ("https://", "http://")
    ):
        return _("Give the address of the published answer: the citizen is sent it.")
    return None


@transaction.atomic
def close_no_merits(
    *,
    appeal,
    actor,
    ground,
    note,
    earlier=(),
    published_url="",
    law_enforcement="",
    law_enforcement_body=None,
):
    """Record one of the 59-FZ Art. 11 outcomes (R11), each with its own precondition, decider
    and notice: part 1 only when the surname or every reply address is missing, without notice
    (an offence reported goes to law enforcement, named here); parts 3 and 5 by the head, part 5
    linking at least one earlier answer on the merits to the same citizen; part 5.1 with the
    address of the published answer; parts 4, 4.1 and 5.1 against the notice clock
    ``notice_due``. The official or body complained about decides none of them (R6)."""
    appeal = locked(appeal)
    workflow.check(appeal, actor, "close_no_merits")
    if ground not in Appeal.NoMeritsGround.values:
        raise TransitionNotAllowed(_("Choose the ground of Article 11 that applies."))
    if not note.strip():
        raise TransitionNotAllowed(_("Explain the decision: the citizen will read it."))
    earlier = list(earlier)
    if law_enforcement_body is not None:  # R11 part 1: sent there by e-mail (the gateway)
        if ground != Appeal.NoMeritsGround.NO_NAME_OR_ADDRESS:
            raise TransitionNotAllowed(
                _("Only an appeal without a surname or address goes to law enforcement here.")
            )
        if law_enforcement_body.kind != ExternalBody.Kind.LAW_ENFORCEMENT:
            raise TransitionNotAllowed(_("Choose a law enforcement body."))
        law_enforcement = law_enforcement.strip() or law_enforcement_body.name
    refusal = _ground_refusal(appeal, actor, ground, earlier, published_url, law_enforcement)
    if refusal:
        raise TransitionNotAllowed(refusal)
    today = calendar.local_date()
    late = bool(ground in NOTICE_CLOCK_GROUNDS and appeal.notice_due and today > appeal.notice_due)
    previous, appeal.status = appeal.status, Status.CLOSED_NO_MERITS
    appeal.no_merits_ground = ground
    appeal.result = Appeal.Result.NO_MERITS  # R16
    appeal.closed_at = timezone.now()
    appeal.save()
    record(
        appeal,
        actor=actor,
        action="close_no_merits",
        from_status=previous,
        note=note.strip(),
        ground=ground,
        earlier=[other.pk for other in earlier],
        earlier_numbers=[other.number for other in earlier],
        published_url=published_url.strip(),
        law_enforcement=law_enforcement.strip(),
        law_enforcement_body=law_enforcement_body.pk if law_enforcement_body else None,
        notice_due=appeal.notice_due.isoformat() if appeal.notice_due else "",
        notice_late=late,
        result=Appeal.Result.NO_MERITS,  # R16
        classifier=appeal.classifier.code if appeal.classifier_id else "",
    )
    if ground != Appeal.NoMeritsGround.NO_NAME_OR_ADDRESS:  # R11: part 1 gets no notice
        notify_citizen(
            appeal,
            "no_merits",
            ground=ground,
            reason=note.strip(),
            earlier_numbers=", ".join(other.number for other in earlier),
            published_url=published_url.strip(),
        )
    return appeal
