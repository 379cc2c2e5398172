"""A follower reports that a problem answered as resolved is still not fixed; the head of the
holding cabinet replies publicly or reopens the case."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals import services as appeal_services
from appeals.workflow import Status
from edem.core.uploads import UploadRefused, clean_upload
from edem.core.workflow import TransitionNotAllowed

from ..models import Follow, StillNotFixed
from .common import STILL_NOT_FIXED_DAYS, CommunityRefused, is_head
from .mail import mail_followers


def still_not_fixed_refusal(appeal, user):
    """Why ``user`` may not report this problem still not fixed now, or None."""
    if not user.is_authenticated:
        return _("Sign in first.")
    if appeal.status != Status.ANSWERED or not appeal.answered_at:
        return _("This can be reported only about a problem answered as resolved.")
    if timezone.now() - appeal.answered_at > timedelta(days=STILL_NOT_FIXED_DAYS):
        return _("This can be reported within 30 days of the answer.")
    if not Follow.objects.filter(appeal=appeal, user=user).exists():
        return _("Follow the problem first: reports come from its followers.")
    if StillNotFixed.objects.filter(
        appeal=appeal, user=user, status=StillNotFixed.Status.OPEN
    ).exists():
        return _("You have already reported it; the head of the cabinet will answer.")
    return None


def report_still_not_fixed(*, appeal, user, text, photo):
    """A follower reports that a problem answered as resolved is still not fixed, with a photo
    checked like every upload (``edem.core.uploads``): re-encoded, metadata stripped."""
    reason = still_not_fixed_refusal(appeal, user)
    if reason:
        raise CommunityRefused(reason)
    text = (text or "").strip()
    if not text:
        raise CommunityRefused(_("Say what is still wrong."))
    if photo is None:
        raise CommunityRefused(_("Add a photo that shows the problem now."))
    try:
        clean = clean_upload(photo)
    except UploadRefused as exc:
        raise CommunityRefused(str(exc)) from exc
    if not clean.content_type.startswith("image/"):
        raise CommunityRefused(_("Add a photo (JPEG, PNG or WebP), not a document."))
    with transaction.atomic():
        report = StillNotFixed(
            appeal=appeal, user=user, text=text[:2000], photo_type=clean.content_type
        )
        report.photo.save(clean.name, ContentFile(clean.content), save=False)
        if clean.thumbnail is not None:
            report.photo_thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError as exc:
            raise CommunityRefused(
                _("You have already reported it; the head of the cabinet will answer.")
            ) from exc
    return report


def can_reopen():
    """Whether the appeals workflow offers the head's reopening (feature detection)."""
    return hasattr(appeal_services, "reopen_by_head")


def _decide(report, actor):
    report = StillNotFixed.objects.select_for_update().select_related("appeal").get(pk=report.pk)
    if not is_head(actor, report.appeal):
        raise CommunityRefused(_("Only the head of the cabinet handling the problem may do this."))
    if report.status != StillNotFixed.Status.OPEN:
        raise CommunityRefused(_("This report has already been dealt with."))
    return report


@transaction.atomic
def reply_still_not_fixed(*, report, actor, reply):
    """The head replies publicly why the case is not reopened; the reporter and the followers
    are told."""
    report = _decide(report, actor)
    reply = (reply or "").strip()
    if not reply:
        raise CommunityRefused(_("Write the reply: it is published on the problem page."))
    report.status, report.reply = StillNotFixed.Status.REPLIED, reply[:4000]
    report.replied_by, report.replied_at = actor, timezone.now()
    report.save(update_fields=["status", "reply", "replied_by", "replied_at"])
    mail_followers(
        report.appeal,
        template="community/still_reply",
        key=f"still:{report.pk}:reply",
        context={"reply": report.reply},
    )
    return report


@transaction.atomic
def reopen_still_not_fixed(*, report, actor, reason):
    """The head reopens the case (``appeals.services.reopen_by_head``: a new stage with a new
    deadline); the domain event it publishes reaches the followers (``subscribers.py``)."""
    if not can_reopen():
        raise CommunityRefused(_("Reopening by the head is not available yet."))
    report = _decide(report, actor)
    reason = (reason or "").strip()
    try:
        appeal_services.reopen_by_head(appeal=report.appeal, actor=actor, reason=reason)
    except TransitionNotAllowed as exc:
        raise CommunityRefused(str(exc)) from exc
    report.status, report.reply = StillNotFixed.Status.REOPENED, reason[:4000]
    report.replied_by, report.replied_at = actor, timezone.now()
    report.save(update_fields=["status", "reply", "replied_by", "replied_at"])
    return report
