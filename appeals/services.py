"""Use cases that change an appeal. Each runs in a transaction, checks the workflow
(``workflow.check``), writes an immutable ``AppealEvent`` and queues notifications after commit.

This module grows with the appeals issue; what is here is complete for what it covers:
routing, registration with concurrency-safe numbering (R4), assignment, extension (R9),
withdrawal (R10).
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from edem.jurisdiction import get_profile

from . import deadlines, workflow
from .models import Appeal, AppealEvent, CabinetAppealSettings, RegistrationSequence, RoutingRule
from .workflow import Status, TransitionNotAllowed


def _event(appeal, *, actor, action, from_status="", note="", is_public=True, **data):
    return AppealEvent.objects.create(
        appeal=appeal,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=appeal.status,
        note=note,
        is_public=is_public,
        data=data,
    )


def _locked(appeal):
    """Reload the appeal under a row lock: two officials acting at once never both win."""
    return Appeal.objects.select_for_update().select_related("cabinet").get(pk=appeal.pk)


def route(*, category=None, territory=None):
    """The cabinet for (category, territory): the highest-priority rule whose category and
    territory match (an empty one matches any, a specific match beats a wildcard), else the
    category's default cabinet, else None (a registrar decides)."""
    rules = RoutingRule.objects.filter(cabinet__is_active=True).select_related("cabinet")
    best = None
    for rule in rules:
        if rule.category_id not in (None, getattr(category, "pk", None)):
            continue
        if rule.territory_id not in (None, getattr(territory, "pk", None)):
            continue
        score = (
            rule.priority,
            rule.category_id is not None,
            rule.territory_id is not None,
            -rule.pk,
        )
        if best is None or score > best[0]:
            best = (score, rule.cabinet)
    if best:
        return best[1]
    if category is not None and category.default_cabinet_id:
        return category.default_cabinet
    return None


def next_number(cabinet, when=None):
    """The next registration number of ``cabinet`` (R4): per cabinet and year, taken under a
    row lock, never reused."""
    year = (when or timezone.localdate()).year
    RegistrationSequence.objects.get_or_create(cabinet=cabinet, year=year)
    sequence = RegistrationSequence.objects.select_for_update().get(cabinet=cabinet, year=year)
    RegistrationSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
    sequence.refresh_from_db()
    settings, _created = CabinetAppealSettings.objects.get_or_create(cabinet=cabinet)
    return settings.number_format.format(
        code=cabinet.code.upper(), year=year, seq=sequence.last_value
    )


def set_receipt_deadlines(appeal):
    """On receipt: registration due in 3 days (R4); under a profile whose answer clock runs
    from receipt (R21), the answer deadline too."""
    profile = get_profile()
    received_on = deadlines.local_date(appeal.received_at)
    appeal.registration_due = deadlines.registration_deadline(received_on, profile).legal_due
    if profile.answer_clock_start == "receipt":
        due = deadlines.answer_deadline(received_on, received_on, profile, simple=appeal.simple)
        appeal.legal_due, appeal.control_due = due.legal_due, due.control_due


@transaction.atomic
def register(*, appeal, actor, number=None):
    """Register an appeal (R4): number, registration date, and the deadlines that start from
    registration (forwarding R5, answer R8)."""
    appeal = _locked(appeal)
    if actor is not None:
        workflow.check(appeal, actor, "register")
    elif appeal.status != Status.RECEIVED:
        raise TransitionNotAllowed(_("This appeal is already registered."))
    profile = get_profile()
    now = timezone.now()
    registered_on = deadlines.local_date(now)
    received_on = deadlines.local_date(appeal.received_at)
    appeal.number = number or next_number(appeal.cabinet, registered_on)
    appeal.registered_at = now
    appeal.forwarding_due = deadlines.forwarding_deadline(registered_on, profile).legal_due
    due = deadlines.answer_deadline(received_on, registered_on, profile, simple=appeal.simple)
    appeal.legal_due, appeal.control_due = due.legal_due, due.control_due
    previous, appeal.status = appeal.status, Status.REGISTERED
    appeal.save()
    _event(appeal, actor=actor, action="register", from_status=previous, number=appeal.number)
    _notify_citizen(
        appeal, "registered", due=appeal.legal_due.isoformat(), cabinet=appeal.cabinet.name
    )  # R4: the citizen learns the number and the due date
    return appeal


@transaction.atomic
def assign(*, appeal, actor, executor, co_executors=()):
    """The head assigns an executor (and co-executors). A complaint is never assigned to the
    official it is about (R6)."""
    appeal = _locked(appeal)
    workflow.check(appeal, actor, "assign")
    people = [executor, *co_executors]
    if appeal.respondent_official_id and any(p.pk == appeal.respondent_official_id for p in people):
        raise TransitionNotAllowed(
            _("A complaint cannot be assigned to the official it is about.")
        )  # R6
    for person in people:
        if not person.has_perm("cabinets.answer_appeal", appeal.cabinet):
            raise TransitionNotAllowed(
                _("%(name)s is not an executor of this cabinet.") % {"name": person}
            )
    previous, appeal.status = appeal.status, Status.IN_WORK
    appeal.executor = executor
    appeal.save()
    appeal.co_executors.set(co_executors)
    _event(
        appeal,
        actor=actor,
        action="assign",
        from_status=previous,
        is_public=False,
        executor=executor.pk,
        co_executors=[p.pk for p in co_executors],
    )
    return appeal


@transaction.atomic
def extend(*, appeal, actor, days, reason, note):
    """Extend the answer deadline (R9): head only, a reason from the law, before the due date,
    within the profile's limits; the citizen is told the new date and why."""
    appeal = _locked(appeal)
    workflow.check(appeal, actor, "extend")
    if reason not in ("exceptional", "external_request"):
        raise TransitionNotAllowed(_("Choose the reason for the extension the law allows."))
    if not note.strip():
        raise TransitionNotAllowed(_("Explain the extension: the citizen will read it."))
    if reason == "external_request" and not appeal.external_requests.exists():  # R9 + R7
        raise TransitionNotAllowed(_("No request for documents was sent for this appeal."))
    profile = get_profile()
    previous = list(appeal.events.filter(action="extend").values_list("data", flat=True))
    try:
        due = deadlines.extended_deadline(
            appeal.original_due or appeal.legal_due,
            days,
            deadlines.local_date(appeal.received_at),
            profile,
            previous_extensions=len(previous),
            previous_extension_days=sum(d.get("days", 0) for d in previous),
            requested_on=timezone.localdate(),
        )
    except deadlines.DeadlineError as exc:
        raise TransitionNotAllowed(str(exc)) from exc
    appeal.original_due = appeal.original_due or appeal.legal_due
    old_due = appeal.legal_due
    appeal.legal_due, appeal.control_due = due.legal_due, due.control_due
    appeal.save()
    _event(
        appeal,
        actor=actor,
        action="extend",
        from_status=appeal.status,
        note=note.strip(),
        days=days,
        reason=reason,
        old_due=old_due.isoformat(),
        new_due=due.legal_due.isoformat(),
    )
    _notify_citizen(appeal, "extended", due=due.legal_due.isoformat(), reason=note.strip())  # R9
    return appeal


@transaction.atomic
def withdraw(*, appeal, actor, note=""):
    """The citizen asks to stop consideration (R10): possible from any open state."""
    appeal = _locked(appeal)
    workflow.check(appeal, actor, "withdraw")
    previous, appeal.status = appeal.status, Status.WITHDRAWN
    appeal.closed_at = timezone.now()
    appeal.save()
    _event(appeal, actor=actor, action="withdraw", from_status=previous, note=note)
    _notify_citizen(appeal, "withdrawn")  # R10: a confirmation the citizen can keep
    return appeal


# --- Filing, forwarding, answering ---------------------------------------------------------


class FilingRefused(TransitionNotAllowed):
    """The appeal cannot be accepted as it is; the message says what is missing."""


def _notify_citizen(appeal, event, **context):
    """Tell the author (by e-mail, in their language) what happened to their appeal; an answer
    also goes to every confirmed co-signer (R1). Runs in the caller's transaction: the mail is
    queued only if the change commits."""
    from edem.notifications.services import notify

    payload = {
        "event": event,
        "number": appeal.number,
        "subject": appeal.subject,
        "full_name": appeal.full_name,
        "path": f"/appeals/my/{appeal.pk}/",
        **context,
    }
    author_email = appeal.email or getattr(appeal.author, "email", "")
    emails = (
        answer_recipients(appeal) if event == "answered" else [author_email] if author_email else []
    )
    stage = appeal.events.count()
    for email in emails:
        is_author = email == author_email
        notify(
            template="appeals/status",
            recipient=appeal.author
            if is_author and appeal.author and appeal.author.email == email
            else None,
            email=email,
            language=getattr(appeal.author, "language", None),
            context=payload if is_author else {**payload, "full_name": "", "path": ""},
            key=f"appeal:{appeal.pk}:{event}:{stage}:{email}",
        )
    # A paper appeal without an e-mail is answered by post: the letter goes by post.


def _default_cabinet():
    from cabinets.models import Cabinet

    return (
        Cabinet.objects.active().filter(kind=Cabinet.Kind.ADMINISTRATION).order_by("pk").first()
        or Cabinet.objects.active().order_by("pk").first()
    )


@transaction.atomic
def file_appeal(*, author, cabinet=None, attachments=(), **fields):
    """A citizen files an appeal on the portal.

    R2: the author's verification level must satisfy the profile. R3/R19: the identity fields
    and the address for the chosen answer channel are required. The territory comes from the
    map point; the cabinet is the one chosen, or routing decides. The appeal is stored as
    *received* and, where the cabinet registers on receipt (R4, the default), registered at once.
    """
    from edem.geo.lookup import territory_for

    profile = get_profile()
    if not profile.verification_sufficient(author.verification_level):  # R2
        raise FilingRefused(
            _(
                "Confirm your identity before filing an appeal: sign in through the identity provider or show a document at the service centre."
            )
        )
    appeal = Appeal(author=author, channel=Appeal.Channel.PORTAL, **fields)
    missing = [
        name
        for name in profile.required_fields(appeal.answer_channel)
        if not getattr(appeal, name, "")
    ]
    if missing:  # R3, R19
        names = ", ".join(str(Appeal._meta.get_field(name).verbose_name) for name in missing)
        raise FilingRefused(_("Fill in: %(fields)s.") % {"fields": names})
    if appeal.latitude is not None and appeal.longitude is not None and appeal.territory is None:
        appeal.territory = territory_for(appeal.latitude, appeal.longitude)
    appeal.cabinet = (
        cabinet or route(category=appeal.category, territory=appeal.territory) or _default_cabinet()
    )
    if appeal.cabinet is None:
        raise FilingRefused(_("The portal has no authority to receive appeals yet."))
    appeal.received_at = timezone.now()
    appeal.personal_data_consent_at = appeal.personal_data_consent_at or appeal.received_at
    set_receipt_deadlines(appeal)
    appeal.save()
    _attach(appeal, [a for a in attachments if a.uploaded_by_id == author.pk])
    _event(appeal, actor=author, action="receive", attachments=len(attachments))
    settings_ = CabinetAppealSettings.objects.filter(cabinet=appeal.cabinet).first()
    if settings_ is None or settings_.registration == CabinetAppealSettings.Registration.ON_RECEIPT:
        appeal = register(appeal=appeal, actor=None)  # R4: registered at submit time
    else:
        _notify_citizen(appeal, "received", due=appeal.registration_due.isoformat())
    return appeal


@transaction.atomic
def forward(*, appeal, actor, to_cabinet, reason):
    """Forward to the competent cabinet (R5): a reason is required, never to the body the
    complaint is about (R6); the citizen is told where. The receiving cabinet starts its own
    clock from its own registration."""
    appeal = _locked(appeal)
    workflow.check(appeal, actor, "forward")
    if not reason.strip():
        raise TransitionNotAllowed(_("Say why the appeal is forwarded."))
    if to_cabinet.pk == appeal.cabinet_id:
        raise TransitionNotAllowed(_("The appeal is already in this cabinet."))
    if appeal.respondent_cabinet_id == to_cabinet.pk:  # R6
        raise TransitionNotAllowed(
            _("A complaint cannot be forwarded to the body whose decision or action it challenges.")
        )
    from_cabinet, previous = appeal.cabinet, appeal.status
    appeal.status = Status.FORWARDED
    _event(
        appeal,
        actor=actor,
        action="forward",
        from_status=previous,
        note=reason.strip(),
        from_cabinet=from_cabinet.pk,
        to_cabinet=to_cabinet.pk,
        to_cabinet_name=to_cabinet.name,
    )
    # In the new cabinet the appeal starts again as received (its own registration, R5).
    appeal.cabinet = to_cabinet
    appeal.status = Status.RECEIVED
    appeal.number, appeal.registered_at = "", None
    appeal.legal_due = appeal.control_due = appeal.forwarding_due = appeal.original_due = None
    appeal.executor = None
    appeal.received_at = timezone.now()
    set_receipt_deadlines(appeal)
    appeal.save()
    appeal.co_executors.clear()
    _event(appeal, actor=actor, action="receive", from_status=Status.FORWARDED, forwarded=True)
    _notify_citizen(appeal, "forwarded", cabinet=to_cabinet.name, reason=reason.strip())
    return appeal


@transaction.atomic
def return_with_explanation(*, appeal, actor, note):
    """Return the appeal to the citizen with an explanation (R6): a complaint about the only
    body that could consider it, where forwarding would send it to the body complained about;
    the explanation names the right to go to court. Under the Ukrainian profile also an appeal
    that lacks the required particulars (R19, within 10 days)."""
    appeal = _locked(appeal)
    workflow.check(appeal, actor, "return")
    if not note.strip():
        raise TransitionNotAllowed(
            _("Explain why the appeal is returned: the citizen will read it.")
        )
    previous, appeal.status = appeal.status, Status.RETURNED
    appeal.closed_at = timezone.now()
    appeal.save()
    _event(appeal, actor=actor, action="return", from_status=previous, note=note.strip())
    _notify_citizen(
        appeal,
        "returned",
        reason=note.strip(),
        court=appeal.kind == Appeal.Kind.COMPLAINT,  # R6: the right to go to court
    )
    return appeal


@transaction.atomic
def merge(*, appeal, actor, into, note=""):
    """Merge a repeat appeal into an earlier one of the same citizen in the same cabinet: it is
    answered there, under the earlier number; the citizen is told which one."""
    appeal = _locked(appeal)
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
    if not same_person:
        raise TransitionNotAllowed(_("Only a repeat appeal of the same citizen can be merged."))
    previous, appeal.status = appeal.status, Status.MERGED
    appeal.merged_into = into
    appeal.closed_at = timezone.now()
    appeal.save()
    _event(
        appeal,
        actor=actor,
        action="merge",
        from_status=previous,
        note=note.strip(),
        into=into.pk,
        into_number=into.number,
    )
    _event(
        into,
        actor=actor,
        action="merged_in",
        from_status=into.status,
        is_public=True,
        note=note.strip(),
        merged=appeal.pk,
        merged_subject=appeal.subject,
    )
    _notify_citizen(appeal, "merged", into_number=into.number, reason=note.strip())
    return appeal


@transaction.atomic
def close_no_merits(*, appeal, actor, ground, note):
    """Record one of the 59-FZ Art. 11 outcomes (R11) with its reason; the citizen is told,
    except where the law gives no notice (part 1)."""
    appeal = _locked(appeal)
    workflow.check(appeal, actor, "close_no_merits")
    if ground not in Appeal.NoMeritsGround.values:
        raise TransitionNotAllowed(_("Choose the ground of Article 11 that applies."))
    if not note.strip():
        raise TransitionNotAllowed(_("Explain the decision: the citizen will read it."))
    previous, appeal.status = appeal.status, Status.CLOSED_NO_MERITS
    appeal.no_merits_ground = ground
    appeal.closed_at = timezone.now()
    appeal.save()
    _event(
        appeal,
        actor=actor,
        action="close_no_merits",
        from_status=previous,
        note=note.strip(),
        ground=ground,
    )
    if ground != Appeal.NoMeritsGround.NO_NAME_OR_ADDRESS:  # R11: part 1 gets no notice
        _notify_citizen(appeal, "no_merits", ground=ground, reason=note.strip())
    return appeal


@transaction.atomic
def draft_answer(*, appeal, actor, text):
    """The executor (or the head) writes or rewrites the answer draft."""
    from .models import Answer

    appeal = _locked(appeal)
    workflow.check(appeal, actor, "draft_answer")
    if not text.strip():
        raise TransitionNotAllowed(_("The answer is empty."))
    answer = appeal.answers.filter(signed_at__isnull=True).first() or Answer(
        appeal=appeal, drafted_by=actor
    )
    answer.text, answer.drafted_by, answer.drafted_at = text.strip(), actor, timezone.now()
    answer.save()
    previous, appeal.status = appeal.status, Status.ANSWER_DRAFTED
    appeal.save()
    _event(appeal, actor=actor, action="draft_answer", from_status=previous, is_public=False)
    return answer


def _confirm_second_factor(user, code):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None or not code or not TOTP(authenticator).validate_code(code.strip()):
        raise TransitionNotAllowed(_("The code from your authenticator app is not correct."))


@transaction.atomic
def sign_answer(*, appeal, actor, otp_code):
    """The head or an authorised signer signs the answer (R12), re-confirming with their second
    factor. The letter is rendered to PDF with a verification code and the hash of its text, and
    the citizen is notified over the chosen channel."""
    from django.core.files.base import ContentFile

    from cabinets.models import Membership

    from .letters import answer_letter_pdf, new_verification_code, text_hash

    appeal = _locked(appeal)
    workflow.check(appeal, actor, "sign_answer")
    _confirm_second_factor(actor, otp_code)
    answer = appeal.answers.filter(signed_at__isnull=True).first()
    if answer is None:
        raise TransitionNotAllowed(_("There is no answer draft to sign."))
    membership = (
        Membership.objects.active()
        .filter(user=actor, cabinet=appeal.cabinet)
        .order_by("role")
        .first()
    )
    now = timezone.now()
    answer.signed_by, answer.signed_at = actor, now
    answer.signer_name = actor.full_name
    answer.signer_position = (membership.position if membership else "") or str(appeal.cabinet)
    answer.verification_code = new_verification_code()
    answer.text_sha256 = text_hash(answer.text)
    answer.on_time = (
        deadlines.local_date(now) <= appeal.legal_due if appeal.legal_due else True
    )  # R12
    pdf = answer_letter_pdf(answer, language=getattr(appeal.author, "language", None))
    answer.letter.save(
        f"{appeal.number or appeal.pk}-answer.pdf".replace("/", "-"), ContentFile(pdf), save=False
    )
    answer.save()
    previous, appeal.status = appeal.status, Status.ANSWERED
    appeal.answered_at = now
    appeal.save()
    _event(
        appeal,
        actor=actor,
        action="sign_answer",
        from_status=previous,
        code=answer.verification_code,
    )
    _notify_citizen(appeal, "answered", code=answer.verification_code)
    return answer


# --- Attachments ------------------------------------------------------------------------------


def store_upload(*, upload, actor, stage="initial"):
    """Check an uploaded file (``uploads.clean_upload``) and keep it as a pending attachment of
    ``actor``; raises ``uploads.UploadRefused`` with the reason."""
    from django.core.files.base import ContentFile

    from .models import Attachment
    from .uploads import clean_upload

    clean = clean_upload(upload)
    attachment = Attachment(
        uploaded_by=actor,
        stage=stage,
        original_name=(upload.name or clean.name)[:255],
        content_type=clean.content_type,
        size=len(clean.content),
        width=clean.width,
        height=clean.height,
        sha256=clean.sha256,
    )
    attachment.file.save(clean.name, ContentFile(clean.content), save=False)
    if clean.thumbnail is not None:
        attachment.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
    attachment.save()
    return attachment


def pending_uploads(actor, ids):
    """The actor's own pending (not yet attached) uploads among ``ids``."""
    from .models import Attachment

    return list(
        Attachment.objects.filter(pk__in=ids, uploaded_by=actor, appeal__isnull=True).order_by("pk")
    )


def _attach(appeal, attachments):
    from .models import Attachment
    from .uploads import MAX_FILES

    if appeal.attachments.count() + len(attachments) > MAX_FILES:
        raise FilingRefused(_("At most 10 files can be attached."))
    Attachment.objects.filter(pk__in=[a.pk for a in attachments], appeal__isnull=True).update(
        appeal=appeal
    )


# --- The citizen after the answer, access log, notes ----------------------------------------

REOPEN_DAYS = 30


@transaction.atomic
def reopen(*, appeal, actor, reason):
    """The citizen asks to reopen within 30 days of the answer; the appeal returns to the head
    of the cabinet as a new stage with a new answer deadline counted from today."""
    appeal = _locked(appeal)
    workflow.check(appeal, actor, "reopen")
    if not reason.strip():
        raise TransitionNotAllowed(_("Say why the answer does not resolve your question."))
    if appeal.answered_at and timezone.now() - appeal.answered_at > timedelta(days=REOPEN_DAYS):
        raise TransitionNotAllowed(
            _("An appeal can be reopened within 30 days of the answer; file a new one instead.")
        )
    profile = get_profile()
    today = timezone.localdate()
    due = deadlines.answer_deadline(today, today, profile)
    previous, appeal.status = appeal.status, Status.REOPENED
    appeal.legal_due, appeal.control_due, appeal.original_due = due.legal_due, due.control_due, None
    appeal.executor = None
    appeal.save()
    appeal.co_executors.clear()
    _event(
        appeal,
        actor=actor,
        action="reopen",
        from_status=previous,
        note=reason.strip(),
        new_due=due.legal_due.isoformat(),
    )
    _notify_citizen(appeal, "reopened", due=due.legal_due.isoformat())
    return appeal


@transaction.atomic
def reopen_by_head(*, appeal, actor, reason):
    """The head reopens an answered case, e.g. after followers report the problem is still not
    fixed: a new stage with a new answer deadline counted from today, as a citizen's reopening;
    the author is told why."""
    appeal = _locked(appeal)
    workflow.check(appeal, actor, "reopen_by_head")
    if not reason.strip():
        raise TransitionNotAllowed(_("Say why the case is reopened: the citizen will read it."))
    profile = get_profile()
    today = timezone.localdate()
    due = deadlines.answer_deadline(today, today, profile)
    previous, appeal.status = appeal.status, Status.REOPENED
    appeal.legal_due, appeal.control_due, appeal.original_due = due.legal_due, due.control_due, None
    appeal.executor = None
    appeal.save()
    appeal.co_executors.clear()
    _event(
        appeal,
        actor=actor,
        action="reopen_by_head",
        from_status=previous,
        note=reason.strip(),
        new_due=due.legal_due.isoformat(),
    )
    _notify_citizen(appeal, "reopened", due=due.legal_due.isoformat())
    return appeal


@transaction.atomic
def rate_answer(*, appeal, actor, stars, comment=""):
    from .models import Rating

    if appeal.author_id != actor.pk:
        raise TransitionNotAllowed(_("Only the author of the appeal may rate the answer."))
    if appeal.status != Status.ANSWERED:
        raise TransitionNotAllowed(_("The answer can be rated once it is given."))
    if not 1 <= int(stars) <= 5:
        raise TransitionNotAllowed(_("Choose from 1 to 5 stars."))
    rating, _created = Rating.objects.update_or_create(
        appeal=appeal, defaults={"stars": int(stars), "comment": comment.strip()[:2000]}
    )
    _event(
        appeal,
        actor=actor,
        action="rate",
        from_status=appeal.status,
        is_public=False,
        stars=int(stars),
    )
    return rating


@transaction.atomic
def add_materials(*, appeal, actor, attachments, note=""):
    """The citizen adds documents to an open appeal (R14)."""
    if appeal.author_id != actor.pk:
        raise TransitionNotAllowed(_("Only the author of the appeal may add materials."))
    if not Status(appeal.status).is_open:
        raise TransitionNotAllowed(
            _("Materials can be added while the appeal is being considered.")
        )
    _attach(appeal, [a for a in attachments if a.uploaded_by_id == actor.pk])
    _event(
        appeal,
        actor=actor,
        action="add_materials",
        from_status=appeal.status,
        note=note.strip(),
        files=len(attachments),
    )
    return appeal


def log_access(*, user, action, appeal=None, cabinet=None, ip=None, **details):
    """Write one access-log line (R14, R18)."""
    from .models import AccessLog

    return AccessLog.objects.create(
        user=user,
        action=action,
        appeal=appeal,
        cabinet=cabinet or getattr(appeal, "cabinet", None),
        ip=ip,
        details=details,
    )


@transaction.atomic
def add_note(*, appeal, actor, text):
    from .models import InternalNote

    if not actor.has_perm("cabinets.view_cabinet_work", appeal.cabinet):
        raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))
    if not text.strip():
        raise TransitionNotAllowed(_("The note is empty."))
    return InternalNote.objects.create(appeal=appeal, author=actor, text=text.strip())


@transaction.atomic
def reclassify(*, appeal, actor, kind, note=""):
    """An officer corrects the kind of the appeal (R1); the change is logged."""
    appeal = _locked(appeal)
    if not actor.has_perm("cabinets.register_appeal", appeal.cabinet):
        raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))
    if kind not in Appeal.Kind.values:
        raise TransitionNotAllowed(_("Unknown kind of appeal."))
    old, appeal.kind = appeal.kind, kind
    appeal.save(update_fields=["kind", "updated_at"])
    _event(
        appeal,
        actor=actor,
        action="reclassify",
        from_status=appeal.status,
        note=note,
        old_kind=old,
        new_kind=kind,
    )
    return appeal


# --- Collective appeals and paper appeals ------------------------------------------------------

MAX_COSIGNERS = 100


@transaction.atomic
def invite_cosigners(*, appeal, actor, emails):
    """The author invites co-signers of a collective appeal by e-mail (R1)."""
    import secrets

    from django.core.validators import validate_email

    from edem.notifications.services import notify

    from .models import CoSigner

    if appeal.author_id != actor.pk:
        raise TransitionNotAllowed(_("Only the author of the appeal may invite co-signers."))
    if not Status(appeal.status).is_open:
        raise TransitionNotAllowed(
            _("Co-signers can be invited while the appeal is being considered.")
        )
    cleaned = []
    for raw in emails:
        email = raw.strip().lower()
        if not email or email == actor.email.lower():
            continue
        try:
            validate_email(email)
        except Exception as exc:
            raise TransitionNotAllowed(
                _("“%(email)s” is not an e-mail address.") % {"email": raw.strip()}
            ) from exc
        cleaned.append(email)
    if appeal.cosigners.count() + len(cleaned) > MAX_COSIGNERS:
        raise TransitionNotAllowed(_("A collective appeal can have at most 100 co-signers."))
    invited = []
    for email in dict.fromkeys(cleaned):
        cosigner, created = CoSigner.objects.get_or_create(
            appeal=appeal, email=email, defaults={"token": secrets.token_urlsafe(32)}
        )
        if created:
            invited.append(cosigner)
            notify(
                template="appeals/cosign_invitation",
                email=email,
                language=actor.language,
                context={
                    "author": appeal.full_name,
                    "subject": appeal.subject,
                    "path": f"/appeals/cosign/{cosigner.token}/",
                },
                key=f"cosign:{cosigner.pk}",
            )
    if invited and not appeal.is_collective:
        appeal.is_collective = True
        appeal.save(update_fields=["is_collective", "updated_at"])
    if invited:
        _event(
            appeal,
            actor=actor,
            action="invite_cosigners",
            from_status=appeal.status,
            is_public=False,
            count=len(invited),
        )
    return invited


@transaction.atomic
def confirm_cosign(*, token, actor):
    """A co-signer confirms with their own account, whose e-mail must be the invited one."""
    from .models import CoSigner

    cosigner = (
        CoSigner.objects.select_for_update().select_related("appeal").filter(token=token).first()
    )
    if cosigner is None:
        raise TransitionNotAllowed(_("This invitation link is not valid."))
    if cosigner.email.lower() != actor.email.lower():
        raise TransitionNotAllowed(_("Sign in with the e-mail address the invitation was sent to."))
    if cosigner.confirmed_at is None:
        cosigner.user, cosigner.confirmed_at = actor, timezone.now()
        cosigner.save(update_fields=["user", "confirmed_at"])
        _event(
            cosigner.appeal,
            actor=actor,
            action="cosign",
            from_status=cosigner.appeal.status,
            is_public=False,
        )
    return cosigner


def answer_recipients(appeal):
    """Where the answer goes (R1): the author and every confirmed co-signer."""
    emails = [appeal.email or getattr(appeal.author, "email", "")]
    emails += list(
        appeal.cosigners.filter(confirmed_at__isnull=False).values_list("email", flat=True)
    )
    return [e for e in dict.fromkeys(emails) if e]


@transaction.atomic
def enter_paper_appeal(*, actor, cabinet, channel, received_at, scans=(), **fields):
    """A registrar enters an appeal received on paper, by post or at a personal reception on
    behalf of a citizen: the stamped receipt date starts the clocks (R4), then the same
    workflow follows."""
    if not actor.has_perm("cabinets.register_appeal", cabinet):
        raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))
    if channel not in (Appeal.Channel.PAPER, Appeal.Channel.POST, Appeal.Channel.RECEPTION):
        raise TransitionNotAllowed(_("Choose how the appeal was received."))
    if received_at > timezone.now():
        raise TransitionNotAllowed(_("The receipt date cannot be in the future."))
    appeal = Appeal(cabinet=cabinet, channel=channel, received_at=received_at, **fields)
    if not appeal.last_name or not (appeal.postal_address or appeal.email):
        raise TransitionNotAllowed(
            _("Enter the surname and an address for the answer (59-FZ Art. 7).")
        )
    set_receipt_deadlines(appeal)
    appeal.save()
    _attach(appeal, [a for a in scans if a.uploaded_by_id == actor.pk])
    _event(appeal, actor=actor, action="receive", channel=channel, entered_by_registrar=True)
    return appeal


@transaction.atomic
def send_external_request(*, appeal, actor, addressee, subject):
    """Request documents from another body (R7): due 15 days after sending. It is also what
    allows an extension with the reason ``external_request`` (R9)."""
    from .models import ExternalRequest

    if (
        not (
            actor.has_perm("cabinets.answer_appeal", appeal.cabinet)
            or actor.has_perm("cabinets.sign_answer", appeal.cabinet)
        )
        or not Status(appeal.status).is_open
    ):
        raise TransitionNotAllowed(_("Your role in this cabinet does not allow this."))
    if not addressee.strip() or not subject.strip():
        raise TransitionNotAllowed(_("Name the body and what is requested."))
    today = timezone.localdate()
    due = deadlines.external_request_deadline(today, get_profile())
    request = ExternalRequest.objects.create(
        appeal=appeal,
        addressee=addressee.strip(),
        subject=subject.strip(),
        sent_by=actor,
        sent_on=today,
        due_on=due.legal_due,
    )
    _event(
        appeal,
        actor=actor,
        action="external_request",
        from_status=appeal.status,
        is_public=False,
        addressee=addressee.strip(),
    )
    return request
