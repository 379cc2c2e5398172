"""Use cases that change a petition (R22–R26). Each runs in a transaction, checks the workflow
(``workflow.check``), writes an immutable ``PetitionEvent`` and queues notifications through
``notify`` (delivered after commit). Signing and its abuse controls are in ``signing.py``.

Working-day timers (R23, R25) count on the kernel's calendar (``edem.core.calendar``). R26 calls the appeals app's public filing service; ``appeals`` itself is not changed.
"""

from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from appeals import services as appeal_services
from cabinets.access import members
from cabinets.roles import Role
from consultations.eligibility import NotEligible, ensure_eligible
from edem.core import calendar
from edem.core.i18n import in_every_language
from edem.core.jurisdiction import get_profile
from edem.core.locking import locked
from edem.core.recording import consultation_changed
from edem.core.recording import record as record_history
from edem.core.workflow import TransitionNotAllowed
from edem.notifications.services import notify

from . import workflow
from .models import Petition, PetitionSettings
from .workflow import Status

# --- Helpers ----------------------------------------------------------------------------


# The petition's history line with its domain event (``ConsultationChanged``); a line is
# public unless the caller says otherwise.
record = partial(record_history, event=consultation_changed, is_public=True)


def local_today():
    return calendar.local_date()


def _working_days_after(start, n):
    """R23, R25: the ``n``-th working day after ``start`` in the profile's country."""
    return calendar.working_day_deadline(start, n, get_profile().country).legal_due


def _path(petition):
    return f"/petitions/{petition.pk}/"


def public_name(user):
    """The name shown in the list of signatories: first name and surname, no e-mail ever."""
    return " ".join(p for p in (user.first_name, user.last_name) if p).strip()


def _staff(cabinet, roles):
    User = get_user_model()
    ids = set(members(cabinet, roles).values_list("user_id", flat=True))
    if Role.HEAD in roles and cabinet.head_id:
        ids.add(cabinet.head_id)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _notify_staff(petition, event, roles, stage, **context):
    """Tell the cabinet's staff with ``roles``; with nobody there, the cabinet's e-mail."""
    payload = {
        "event": event,
        "title": petition.title,
        "number": petition.number,
        "cabinet": in_every_language(petition.cabinet, "name"),
        "path": f"/service/petitions/{petition.pk}/",
        **context,
    }
    people = _staff(petition.cabinet, roles)
    for person in people:
        notify(
            template="petitions/status",
            recipient=person,
            context=payload,
            key=f"petition:{petition.pk}:{event}:{stage}:user{person.pk}",
        )
    if not people and petition.cabinet.email:
        notify(
            template="petitions/status",
            email=petition.cabinet.email,
            context=payload,
            key=f"petition:{petition.pk}:{event}:{stage}:cabinet",
        )


def _notify_author(petition, event, stage, **context):
    notify(
        template="petitions/status",
        recipient=petition.author,
        context={
            "event": event,
            "title": petition.title,
            "number": petition.number,
            "cabinet": in_every_language(petition.cabinet, "name"),
            "path": _path(petition),
            **context,
        },
        key=f"petition:{petition.pk}:{event}:{stage}:author",
    )


def recount(petition):
    """The count is of confirmed, valid signatures only."""
    petition.signature_count = petition.signatures.valid().count()
    petition.save(update_fields=["signature_count", "updated_at"])
    return petition.signature_count


# --- Drafting and moderation (R22, R23) -------------------------------------------------


def _check_author(author):
    if not public_name(author) or not author.last_name:
        raise TransitionNotAllowed(
            _(
                "A petition states its author's full name (R22): add your surname and first "
                "name to your profile first."
            )
        )


@transaction.atomic
def create_draft(*, author, cabinet, title, text, proposed_solution, territory=None):
    """A resident drafts a petition to a cabinet; it stays a draft until sent for
    moderation."""
    _check_author(author)
    if not cabinet.is_active:
        raise TransitionNotAllowed(_("This authority no longer accepts petitions."))
    settings_ = PetitionSettings.load()
    petition = Petition.objects.create(
        author=author,
        author_name=author.full_name,
        cabinet=cabinet,
        title=title,
        text=text,
        proposed_solution=proposed_solution,
        territory=territory or cabinet.territory,
        eligible_verification=settings_.sign_verification,
        signature_threshold=settings_.signature_threshold,
        collection_days=settings_.collection_days,
    )
    record(petition, actor=author, action="create", is_public=False)
    return petition


@transaction.atomic
def update_draft(*, petition, actor, **fields):
    petition = locked(petition)
    workflow.check(petition, actor, "edit")
    allowed = {"cabinet", "title", "text", "proposed_solution", "territory"}
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(name)
        setattr(petition, name, value)
    petition.save()
    return petition


@transaction.atomic
def submit(*, petition, actor):
    """The author sends the draft for moderation; the R23 clock starts: publish or refuse
    within the moderation term (2 working days by default)."""
    petition = locked(petition)
    workflow.check(petition, actor, "submit")
    _check_author(actor)
    settings_ = PetitionSettings.load()
    try:
        # The author must be someone who could sign it.
        petition.eligible_verification = settings_.sign_verification
        ensure_eligible(actor, petition)
    except NotEligible as exc:
        raise TransitionNotAllowed(exc.reason) from exc
    previous, petition.status = petition.status, Status.MODERATION
    petition.author_name = actor.full_name
    petition.submitted_at = timezone.now()
    petition.moderation_due = _working_days_after(
        local_today(), settings_.moderation_working_days
    )  # R23
    petition.save()
    event = record(petition, actor=actor, action="submit", from_status=previous)
    _notify_staff(
        petition,
        "to_moderate",
        (Role.HEAD, Role.REGISTRAR),
        event.pk,
        due=petition.moderation_due.isoformat(),
    )
    return petition


@transaction.atomic
def publish(*, petition, actor):
    """A moderator publishes (R23): the collection period and the threshold of the settings in
    force now are fixed on the petition (R24)."""
    petition = locked(petition)
    workflow.check(petition, actor, "publish")
    settings_ = PetitionSettings.load()
    previous, petition.status = petition.status, Status.COLLECTING
    now = timezone.now()
    petition.published_at = now
    petition.moderated_by = actor
    petition.signature_threshold = settings_.signature_threshold  # R24
    petition.collection_days = settings_.collection_days  # R24
    petition.eligible_verification = settings_.sign_verification  # R24
    petition.collection_ends_on = calendar.add_days(
        calendar.local_date(now), settings_.collection_days
    )
    petition.save()
    event = record(
        petition,
        actor=actor,
        action="publish",
        from_status=previous,
        on_time=not petition.moderation_due or calendar.local_date(now) <= petition.moderation_due,
    )
    _notify_author(
        petition,
        "published",
        event.pk,
        threshold=petition.signature_threshold,
        ends=petition.collection_ends_on.isoformat(),
    )
    return petition


@transaction.atomic
def refuse(*, petition, actor, ground, note):
    """A moderator refuses publication (R23) and must cite the ground (R22) and explain it."""
    petition = locked(petition)
    workflow.check(petition, actor, "refuse")
    if ground not in Petition.RefusalGround.values:
        raise TransitionNotAllowed(_("Choose the ground for the refusal."))
    note = (note or "").strip()
    if not note:
        raise TransitionNotAllowed(_("Explain the refusal to the author."))
    previous, petition.status = petition.status, Status.REFUSED
    petition.refusal_ground, petition.refusal_note = ground, note
    petition.moderated_by = actor
    petition.save()
    event = record(
        petition,
        actor=actor,
        action="refuse",
        from_status=previous,
        note=note,
        is_public=False,
        ground=ground,
    )
    with translation.override(petition.author.language):
        ground_label = str(Petition.RefusalGround(ground).label)
    _notify_author(petition, "refused", event.pk, ground=ground_label, reason=note)
    return petition


def reach_threshold(petition):
    """R25: the threshold is reached: the announcement clock starts and the addressee is told."""
    workflow.check(petition, None, "reach_threshold")
    settings_ = PetitionSettings.load()
    previous, petition.status = petition.status, Status.THRESHOLD_REACHED
    petition.threshold_reached_at = timezone.now()
    petition.announce_due = _working_days_after(local_today(), settings_.announce_working_days)
    petition.save()
    event = record(
        petition,
        actor=None,
        action="reach_threshold",
        from_status=previous,
        count=petition.signature_count,
    )
    _notify_author(petition, "threshold", event.pk, count=petition.signature_count)
    _notify_staff(
        petition,
        "threshold_addressee",
        (Role.HEAD,),
        event.pk,
        count=petition.signature_count,
        due=petition.announce_due.isoformat(),
    )


def record_admin_change(*, petition, actor, fields):
    """An administrator changed who may sign (eligibility) or the territory: into the history."""
    record(
        petition,
        actor=actor,
        action="admin_change",
        from_status=petition.status,
        is_public=False,
        fields=sorted(fields),
    )


# --- Consideration and answer (R25) -------------------------------------------------------


@transaction.atomic
def start_consideration(*, petition, actor, note=""):
    """The head announces the start of consideration (R25: within 3 working days of the
    threshold); the decision is due 10 working days later."""
    petition = locked(petition)
    workflow.check(petition, actor, "start_consideration")
    settings_ = PetitionSettings.load()
    previous, petition.status = petition.status, Status.UNDER_CONSIDERATION
    petition.consideration_started_at = timezone.now()
    petition.decision_due = _working_days_after(local_today(), settings_.decision_working_days)
    petition.save()
    event = record(
        petition,
        actor=actor,
        action="start_consideration",
        from_status=previous,
        note=(note or "").strip(),
        on_time=not petition.announce_due or local_today() <= petition.announce_due,
    )
    _notify_author(petition, "consideration", event.pk, due=petition.decision_due.isoformat())
    return petition


@transaction.atomic
def answer(*, petition, actor, result, text):
    """The head publishes the answer (R25): supported or not, with reasons or measures. The
    author and every signatory whose signature counts are told."""
    petition = locked(petition)
    workflow.check(petition, actor, "answer")
    if result not in Petition.Result.values:
        raise TransitionNotAllowed(_("Say whether the petition is supported."))
    text = (text or "").strip()
    if not text:
        raise TransitionNotAllowed(_("Write the answer: the reasons or the measures."))
    previous, petition.status = petition.status, Status.ANSWERED
    petition.answer_result, petition.answer_text = result, text
    petition.answered_at, petition.answered_by = timezone.now(), actor
    petition.save()
    event = record(
        petition,
        actor=actor,
        action="answer",
        from_status=previous,
        result=result,
        on_time=not petition.decision_due or local_today() <= petition.decision_due,
    )
    with translation.override(petition.author.language):
        label = str(Petition.Result(result).label)
    _notify_author(petition, "answered", event.pk, result=label)
    signers = (
        petition.signatures.valid()
        .exclude(user_id=petition.author_id)
        .select_related("user")
        .order_by("pk")
    )
    for signature in signers.iterator(chunk_size=500):
        with translation.override(signature.user.language):
            label = str(Petition.Result(result).label)
        notify(
            template="petitions/status",
            recipient=signature.user,
            context={
                "event": "answered_signer",
                "title": petition.title,
                "number": petition.number,
                "cabinet": in_every_language(petition.cabinet, "name"),
                "path": _path(petition),
                "result": label,
            },
            key=f"petition:{petition.pk}:answered_signer:{signature.pk}",
        )
    return petition


# --- By date (the beat task) ---------------------------------------------------------------


def _expire_due(today=None):
    """COLLECTING → EXPIRED once the collection period is over (R24, R26). Idempotent: each
    petition is claimed under a row lock and re-checked. Returns how many expired."""
    today = today or local_today()
    done = 0
    ids = list(
        Petition.objects.filter(status=Status.COLLECTING, collection_ends_on__lt=today).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        with transaction.atomic():
            petition = Petition.objects.select_for_update().select_related("cabinet").get(pk=pk)
            if petition.status != Status.COLLECTING or not petition.collection_ends_on:
                continue
            if petition.collection_ends_on >= today:
                continue
            if petition.signature_count >= petition.signature_threshold:
                reach_threshold(petition)
                continue
            workflow.check(petition, None, "expire")
            previous, petition.status = petition.status, Status.EXPIRED
            petition.expired_at = timezone.now()
            petition.save()
            event = record(
                petition,
                actor=None,
                action="expire",
                from_status=previous,
                count=petition.signature_count,
            )
            _notify_author(petition, "expired", event.pk, count=petition.signature_count)
            done += 1
    return done


OVERDUE = (
    # (status, due field, event action, roles told)
    (Status.MODERATION, "moderation_due", "overdue_moderation", (Role.HEAD, Role.REGISTRAR)),
    (Status.THRESHOLD_REACHED, "announce_due", "overdue_announce", (Role.HEAD,)),
    (Status.UNDER_CONSIDERATION, "decision_due", "overdue_decision", (Role.HEAD,)),
)


def _flag_overdue(today=None):
    """Flag (once per due date) the petitions whose moderation (R23) or consideration (R25)
    term has passed, and tell the cabinet. Returns how many were flagged."""
    today = today or local_today()
    done = 0
    for status, field, action, roles in OVERDUE:
        ids = list(
            Petition.objects.filter(status=status, **{f"{field}__lt": today}).values_list(
                "pk", flat=True
            )
        )
        for pk in ids:
            with transaction.atomic():
                petition = Petition.objects.select_for_update().select_related("cabinet").get(pk=pk)
                due = getattr(petition, field)
                if petition.status != status or not due or due >= today:
                    continue
                if petition.events.filter(action=action, data__due=due.isoformat()).exists():
                    continue
                event = record(
                    petition,
                    actor=None,
                    action=action,
                    from_status=petition.status,
                    is_public=False,
                    due=due.isoformat(),
                )
                _notify_staff(petition, action, roles, event.pk, due=due.isoformat())
                done += 1
    return done


def run_by_date(today=None):
    """The beat task's work: expirations, then overdue flags."""
    return {"expired": _expire_due(today), "flagged": _flag_overdue(today)}


# --- R26: a failed petition becomes an appeal -------------------------------------------


@transaction.atomic
def turn_into_appeal(*, petition, actor):
    """R26: a petition that missed the threshold is handled as an ordinary collective appeal.

    RULES' "Enforce" line says EXPIRED *automatically* creates an appeal record; the issue says
    the author *can* turn it into one (e-DEM practice). We follow the issue: an appeal needs
    its author's identity data and will (R2, R3), which a beat task cannot supply, so the
    author presses a button on an expired petition. The appeal is filed through the appeals
    app's public service, addressed to the petition's cabinet, with the petition's text; the
    signatories who agreed when signing are invited as co-signers (R1), which makes it a
    collective appeal. The petition keeps a link to the appeal.
    """
    petition = locked(petition)
    workflow.check(petition, actor, "to_appeal")
    text = "\n\n".join(
        [
            petition.text,
            f"{_('Proposed solution')}:\n{petition.proposed_solution}",
            _(
                "This appeal was e-petition No. %(number)s, which collected %(count)d of "
                "%(threshold)d signatures."
            )
            % {
                "number": petition.number,
                "count": petition.signature_count,
                "threshold": petition.signature_threshold,
            },
        ]
    )
    try:
        appeal = appeal_services.file_appeal(
            author=actor,
            cabinet=petition.cabinet,
            kind="proposal",
            subject=petition.title[:255],
            text=text,
            last_name=actor.last_name,
            first_name=actor.first_name,
            patronymic=actor.patronymic,
            email=actor.email,
            postal_address=actor.postal_address,
            phone=actor.phone,
            answer_channel="email",
            territory=petition.territory,
        )
        emails = list(
            petition.signatures.valid()
            .filter(invite_to_appeal=True)
            .exclude(user_id=actor.pk)
            .order_by("confirmed_at", "pk")
            .values_list("user__email", flat=True)[: appeal_services.MAX_COSIGNERS]
        )
        invited = (
            appeal_services.invite_cosigners(appeal=appeal, actor=actor, emails=emails)
            if emails
            else []
        )
    except TransitionNotAllowed as exc:
        raise TransitionNotAllowed(str(exc)) from exc
    petition.appeal = appeal
    petition.save(update_fields=["appeal", "updated_at"])
    record(
        petition,
        actor=actor,
        action="to_appeal",
        from_status=petition.status,
        appeal=appeal.pk,
        cosigners_invited=len(invited),
    )
    return appeal
