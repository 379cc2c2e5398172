"""The answer: draft, signature with the second factor and the letter (R12), reopening, rating."""

from datetime import timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinets.access import position_in
from edem.core import calendar
from edem.core.jurisdiction import get_profile
from edem.core.locking import locked
from edem.core.uploads import MAX_FILES
from edem.core.workflow import TransitionNotAllowed

from .. import deadlines, workflow
from ..letters import answer_letter_pdf, new_verification_code, text_hash
from ..models import Answer, Appeal, Attachment, Rating
from ..workflow import Status
from ._common import notify_citizen, open_mail_batch, record


def _letter_attachment(answer):
    """The signed letter as a notification attachment (R12)."""
    return {
        "name": answer.letter.name,
        "filename": f"{answer.appeal.number or answer.appeal.pk}-answer.pdf".replace("/", "-"),
        "mimetype": "application/pdf",
    }


def _file_attachment(item):
    """A file of the information an answer to a request for information carries (R17), as a
    notification attachment."""
    return {"name": item.file.name, "filename": item.original_name, "mimetype": item.content_type}


def _post_answer(answer):
    """Put a signed answer to a citizen who chose the post in the open batch (R12)."""
    appeal = answer.appeal
    if appeal.answer_channel != Appeal.AnswerChannel.POST:
        return None
    if not appeal.postal_address.strip():
        raise TransitionNotAllowed(_("The citizen chose the post but gave no postal address."))
    answer.mail_batch = open_mail_batch(appeal.cabinet)
    return answer.mail_batch


def _information_content(appeal, refusal_ground, files, answer, remove_files):
    """R17: the answer to a request for information carries the information (its text and
    files) or is a reasoned refusal on a ground of the profile, with no files; an appeal's
    answer has neither a refusal ground nor files here."""
    removed = {f.pk for f in remove_files}
    keeps_files = answer.pk is not None and answer.files.exclude(pk__in=removed).exists()
    if not appeal.is_information_request:
        if refusal_ground or files:
            raise TransitionNotAllowed(
                _("Only the answer to a request for information carries files or a refusal ground.")
            )
        return
    rules = get_profile().information_requests
    if refusal_ground and refusal_ground not in rules.refusal_ground_codes:
        raise TransitionNotAllowed(_("Choose a ground of refusal the law provides."))
    if refusal_ground and (files or keeps_files):
        raise TransitionNotAllowed(
            _("A refusal provides no information: remove the files or give the information.")
        )


def _check_result(appeal, result, classifier):
    """R16: an answer on the merits carries one of the four results and the question's code in
    the topic classifier of the active profile."""
    if result not in Appeal.MERITS_RESULTS:
        raise TransitionNotAllowed(_("Choose the result of the consideration."))
    if classifier is not None:
        if not classifier.is_active or classifier.profile != get_profile().code:
            raise TransitionNotAllowed(_("Choose a code of the classifier in use."))
        appeal.classifier = classifier
    if appeal.classifier_id is None:
        raise TransitionNotAllowed(_("Give the question its code in the topic classifier."))
    appeal.result = result


@transaction.atomic
def draft_answer(
    *,
    appeal,
    actor,
    text,
    result="",
    classifier=None,
    refusal_ground="",
    files=(),
    remove_files=(),
):
    """The executor (or the head) writes or rewrites the answer draft. An answer to an appeal
    carries the result of the consideration and the question's classifier code (R16). For a
    request for information (R17) the draft either provides the information, with ``files``
    (pending uploads of the actor, added to those already on the draft, less
    ``remove_files``), or refuses on a ``refusal_ground`` of the profile, the text giving the
    reasons."""
    appeal = locked(appeal)
    workflow.check(appeal, actor, "draft_answer")
    if not text.strip():
        raise TransitionNotAllowed(
            _("Explain the refusal: the requester will read the reasons.")
            if refusal_ground
            else _("The answer is empty.")
        )
    answer = appeal.answers.filter(signed_at__isnull=True).first() or Answer(
        appeal=appeal, drafted_by=actor
    )
    files = [f for f in files if f.uploaded_by_id == actor.pk and f.appeal_id is None]
    remove_files = (
        list(answer.files.filter(pk__in=[f.pk for f in remove_files])) if answer.pk else []
    )
    _information_content(appeal, refusal_ground, files, answer, remove_files)
    if not appeal.is_information_request:  # R16 counts appeals; R17 requests are not appeals
        _check_result(appeal, result, classifier)
    kept = answer.files.count() - len(remove_files) if answer.pk else 0
    if len(files) + kept > MAX_FILES:
        raise TransitionNotAllowed(_("At most 10 files can be attached."))
    answer.text, answer.drafted_by, answer.drafted_at = text.strip(), actor, timezone.now()
    answer.refusal_ground = refusal_ground
    answer.save()
    if remove_files:  # back to the uploader's pending files: never shown to the requester
        Attachment.objects.filter(pk__in=[f.pk for f in remove_files], answer=answer).update(
            appeal=None, answer=None, stage=Attachment.Stage.INITIAL
        )
    if files:  # R17: the information's files, shown to the requester once signed
        Attachment.objects.filter(pk__in=[f.pk for f in files], appeal__isnull=True).update(
            appeal=appeal, answer=answer, stage=Attachment.Stage.ANSWER
        )
    previous, appeal.status = appeal.status, Status.ANSWER_DRAFTED
    appeal.save()
    record(appeal, actor=actor, action="draft_answer", from_status=previous, is_public=False)
    return answer


def _confirm_second_factor(user, code):
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None or not code or not TOTP(authenticator).validate_code(code.strip()):
        raise TransitionNotAllowed(_("The code from your authenticator app is not correct."))


@transaction.atomic
def sign_answer(*, appeal, actor, otp_code):
    """The head or an authorised signer signs the answer (R12), re-confirming with their second
    factor. The letter is rendered to PDF with a verification code and the hash of its text, and
    the citizen is notified over the chosen channel."""

    appeal = locked(appeal)
    workflow.check(appeal, actor, "sign_answer")
    if not appeal.is_information_request and (
        appeal.result not in Appeal.MERITS_RESULTS or appeal.classifier_id is None
    ):  # R16
        raise TransitionNotAllowed(
            _("The draft has no result or classifier code: the executor sets them first.")
        )
    _confirm_second_factor(actor, otp_code)
    answer = appeal.answers.filter(signed_at__isnull=True).first()
    if answer is None:
        raise TransitionNotAllowed(_("There is no answer draft to sign."))
    now = timezone.now()
    answer.signed_by, answer.signed_at = actor, now
    answer.signer_name = actor.full_name
    answer.signer_position = position_in(actor, appeal.cabinet_id) or str(appeal.cabinet)
    answer.verification_code = new_verification_code()
    answer.text_sha256 = text_hash(answer.text)
    answer.on_time = (
        calendar.local_date(now) <= appeal.legal_due if appeal.legal_due else True
    )  # R12
    pdf = answer_letter_pdf(answer, language=getattr(appeal.author, "language", None))
    answer.letter.save(
        f"{appeal.number or appeal.pk}-answer.pdf".replace("/", "-"), ContentFile(pdf), save=False
    )
    # R12: delivery over the chosen channel, part of the case. By post: into the cabinet's
    # outgoing-mail batch. By e-mail: the answer's full text and the signed letter attached.
    answer.delivery_channel = appeal.answer_channel
    _post_answer(answer)
    answer.save()
    previous, appeal.status = appeal.status, Status.ANSWERED
    appeal.answered_at = now
    appeal.save()
    record(
        appeal,
        actor=actor,
        action="sign_answer",
        from_status=previous,
        code=answer.verification_code,
        delivery=appeal.answer_channel,
        mail_batch=answer.mail_batch_id,
        result=appeal.result,  # R16: the reports count the result as it was signed
        classifier=appeal.classifier.code if appeal.classifier_id else "",
        refusal_ground=answer.refusal_ground,
        files=answer.files.count(),
    )
    sent = notify_citizen(
        appeal,
        "answered",
        # R17: the information's files go with the letter.
        attachments=[_letter_attachment(answer), *map(_file_attachment, answer.files.all())],
        refused=answer.is_refusal,  # R17: the reasons are in the answer's text
        code=answer.verification_code,
        answer_text=answer.text,
    )
    author_email = appeal.email or getattr(appeal.author, "email", "")
    answer.delivery = next((n for n in sent if n.email == author_email), None)
    answer.save(update_fields=["delivery"])
    return answer


REOPEN_DAYS = 30


@transaction.atomic
def reopen(*, appeal, actor, reason):
    """The citizen asks to reopen within 30 days of the answer; the appeal returns to the head
    of the cabinet as a new stage with a new answer deadline counted from today."""
    appeal = locked(appeal)
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
    appeal.result = ""  # R16: a new consideration, a new result
    appeal.save()
    appeal.co_executors.clear()
    record(
        appeal,
        actor=actor,
        action="reopen",
        from_status=previous,
        note=reason.strip(),
        new_due=due.legal_due.isoformat(),
    )
    notify_citizen(appeal, "reopened", due=due.legal_due.isoformat())
    return appeal


@transaction.atomic
def reopen_by_head(*, appeal, actor, reason):
    """The head reopens an answered case, e.g. after followers report the problem is still not
    fixed: a new stage with a new answer deadline counted from today, as a citizen's reopening;
    the author is told why."""
    appeal = locked(appeal)
    workflow.check(appeal, actor, "reopen_by_head")
    if not reason.strip():
        raise TransitionNotAllowed(_("Say why the case is reopened: the citizen will read it."))
    profile = get_profile()
    today = timezone.localdate()
    due = deadlines.answer_deadline(today, today, profile)
    previous, appeal.status = appeal.status, Status.REOPENED
    appeal.legal_due, appeal.control_due, appeal.original_due = due.legal_due, due.control_due, None
    appeal.executor = None
    appeal.result = ""  # R16: a new consideration, a new result
    appeal.save()
    appeal.co_executors.clear()
    record(
        appeal,
        actor=actor,
        action="reopen_by_head",
        from_status=previous,
        note=reason.strip(),
        new_due=due.legal_due.isoformat(),
    )
    notify_citizen(appeal, "reopened", due=due.legal_due.isoformat())
    return appeal


@transaction.atomic
def rate_answer(*, appeal, actor, stars, comment=""):
    if appeal.author_id != actor.pk:
        raise TransitionNotAllowed(_("Only the author of the appeal may rate the answer."))
    if appeal.status != Status.ANSWERED:
        raise TransitionNotAllowed(_("The answer can be rated once it is given."))
    if not 1 <= int(stars) <= 5:
        raise TransitionNotAllowed(_("Choose from 1 to 5 stars."))
    rating, _created = Rating.objects.update_or_create(
        appeal=appeal, defaults={"stars": int(stars), "comment": comment.strip()[:2000]}
    )
    record(
        appeal,
        actor=actor,
        action="rate",
        from_status=appeal.status,
        is_public=False,
        stars=int(stars),
    )
    return rating
