"""Signing petitions (R24) and its abuse controls, in the spirit of GOV.UK petitions: a
signature counts only after the e-mail link is followed; so many signatures per IP address and
per e-mail domain per hour; moderators invalidate signatures in bulk by IP address, domain or
time window with a logged reason. One signature per person is the database's unique constraint
on (petition, voter_key), with the key from the shared eligibility module. The limits count
normalised keys (edem.core.net): an e-mail domain by the domain registered, so a subdomain of
a limited domain counts against it, and an IPv6 address by its /64."""

import logging
import time

from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.eligibility import refusal, voter_key
from edem.core.events import PetitionSigned, publish
from edem.core.locking import locked
from edem.core.net import rate_key, registrable_domain
from edem.core.workflow import TransitionNotAllowed
from edem.notifications.services import notify

from . import workflow
from .models import Petition, PetitionSettings, Signature
from .services import (
    local_today,
    public_name,
    reach_threshold,
    record,
    recount,
)
from .workflow import Status

logger = logging.getLogger(__name__)

CONFIRM_SALT = "petitions.signature.confirm"
RATE_WINDOW = 3600  # seconds: the limits are per hour


class SigningRefused(TransitionNotAllowed):
    """A signature cannot be taken or confirmed; the message says why."""


def sign_refusal(petition, user, today=None):
    """Why ``user`` may not sign ``petition`` now (translated), or None if they may."""
    today = today or local_today()
    if petition.status != Status.COLLECTING:  # R24: signing only while COLLECTING
        return _("Signatures are collected only while the petition is collecting them.")
    if petition.collection_ends_on and today > petition.collection_ends_on:
        return _("The collection period of this petition has ended.")
    reason = refusal(user, petition, today)  # the shared eligibility check
    if reason is not None:
        return reason
    existing = Signature.objects.filter(petition=petition, voter_key=voter_key(user)).first()
    if existing is not None:
        if existing.invalidated_at:
            return _("Your signature under this petition was invalidated by a moderator.")
        if existing.confirmed_at:
            return _("You have already signed this petition.")
    return None


def _rate_keys(ip, domain):
    bucket = int(time.time() // RATE_WINDOW)
    keys = {}
    network = rate_key(ip)
    if network:
        keys["ip"] = f"petitions:sign:ip:{network}:{bucket}"
    domain = registrable_domain(domain)
    if domain:
        keys["domain"] = f"petitions:sign:domain:{domain}:{bucket}"
    return keys


def _check_rate_limits(settings_, ip, domain):
    """Abuse control in the spirit of GOV.UK petitions: so many signatures per IP address and
    per e-mail domain per hour, counted in the cache."""
    keys = _rate_keys(ip, domain)
    if "ip" in keys and _counter(keys["ip"]) >= settings_.signatures_per_ip_per_hour:
        raise SigningRefused(
            _(
                "Too many signatures came from your network in the last hour. Please try "
                "again later."
            )
        )
    domain = registrable_domain(domain)
    if (
        "domain" in keys
        and domain not in settings_.unlimited_domain_set()
        and _counter(keys["domain"]) >= settings_.signatures_per_domain_per_hour
    ):
        raise SigningRefused(
            _(
                "Too many signatures came from e-mail addresses at %(domain)s in the last "
                "hour. Please try again later."
            )
            % {"domain": domain}
        )


def _counter(key):
    """The count under ``key``; 0 when the cache does not answer. The limits fail open: the
    e-mail confirmation and the one-signature-per-person constraint still hold, and a cache
    outage must not stop people from signing."""
    try:
        return int(cache.get(key) or 0)
    except Exception:  # the cache server is down
        logger.warning("Cache unavailable: petition rate limit %s not checked.", key)
        return 0


def _count_rate(ip, domain):
    for key in _rate_keys(ip, domain).values():
        try:
            cache.add(key, 0, timeout=RATE_WINDOW)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=RATE_WINDOW)
        except Exception:  # the cache server is down: see _counter
            logger.warning("Cache unavailable: petition rate limit %s not counted.", key)


def confirmation_token(signature):
    return signing.dumps(signature.pk, salt=CONFIRM_SALT)


def _send_confirmation(signature, attempt):
    petition = signature.petition
    notify(
        template="petitions/confirm_signature",
        recipient=signature.user,
        context={
            "title": petition.title,
            "number": petition.number,
            "path": f"/petitions/confirm/{confirmation_token(signature)}/",
        },
        key=f"petition-signature:{signature.pk}:{attempt}",
    )


def email_domain(user):
    """The e-mail domain a signature is counted and kept under: the domain registered, so
    ``d@mx.corp.org`` is ``corp.org``."""
    return registrable_domain(user.email)


@transaction.atomic
def sign(*, petition, user, ip=None, show_name=True, invite_to_appeal=False):
    """Take a signature (R24). It counts only after the person follows the link we e-mail.
    One per person is the database's unique constraint on (petition, voter_key); a second
    try with an unconfirmed signature re-sends the link instead. Returns the signature."""
    petition = Petition.objects.select_related("cabinet", "eligible_territory").get(pk=petition.pk)
    reason = sign_refusal(petition, user)
    if reason is not None:
        raise SigningRefused(reason)
    settings_ = PetitionSettings.load()
    domain = email_domain(user)
    _check_rate_limits(settings_, ip, domain)
    key = voter_key(user)
    existing = Signature.objects.filter(petition=petition, voter_key=key).first()
    if existing is not None:  # unconfirmed (sign_refusal refused the other cases)
        existing.show_name, existing.invite_to_appeal = show_name, invite_to_appeal
        existing.save(update_fields=["show_name", "invite_to_appeal"])
        _count_rate(ip, domain)
        _send_confirmation(existing, attempt=int(time.time()))
        existing.resent = True
        return existing
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                petition=petition,
                user=user,
                voter_key=key,
                public_name=public_name(user),
                show_name=show_name,
                invite_to_appeal=invite_to_appeal,
                ip=ip or None,
                email_domain=domain,
            )
    except IntegrityError as exc:  # a parallel request of the same person won the race
        raise SigningRefused(_("You have already signed this petition.")) from exc
    _count_rate(ip, domain)
    _send_confirmation(signature, attempt=0)
    signature.resent = False
    return signature


@transaction.atomic
def confirm_signature(*, token):
    """The person followed the e-mail link: the signature counts from now on. Idempotent.
    Reaching the threshold moves the petition on (R25)."""
    settings_ = PetitionSettings.load()
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=settings_.confirmation_days * 86400)
    except signing.SignatureExpired as exc:
        raise SigningRefused(
            _("This confirmation link has expired. Sign the petition again to get a new one.")
        ) from exc
    except signing.BadSignature as exc:
        raise SigningRefused(_("This confirmation link is not valid.")) from exc
    petition_id = Signature.objects.filter(pk=pk).values_list("petition_id", flat=True).first()
    if petition_id is None:
        raise SigningRefused(_("This confirmation link is not valid."))
    petition = locked(Petition(pk=petition_id))  # lock order: petition, then signature
    signature = Signature.objects.select_for_update().get(pk=pk)
    if signature.invalidated_at:
        raise SigningRefused(
            _("Your signature under this petition was invalidated by a moderator.")
        )
    if signature.confirmed_at:
        return signature
    if petition.status == Status.EXPIRED or (
        petition.status == Status.COLLECTING
        and petition.collection_ends_on
        and local_today() > petition.collection_ends_on
    ):
        raise SigningRefused(_("The collection period of this petition has ended."))
    signature.confirmed_at = timezone.now()
    signature.save(update_fields=["confirmed_at"])
    recount(petition)
    publish(PetitionSigned(petition_id=petition.pk, signatures=petition.signature_count))
    if (
        petition.status == Status.COLLECTING
        and petition.signature_count >= petition.signature_threshold
    ):
        reach_threshold(petition)
    signature.petition = petition
    return signature


def withdraw_refusal(petition, signature, today=None):
    """Why the signer may not withdraw ``signature`` now (translated), or None (R24)."""
    today = today or local_today()
    if signature is None:
        return _("You have not signed this petition.")
    if petition.status != Status.COLLECTING or (
        petition.collection_ends_on and today > petition.collection_ends_on
    ):
        return _("A signature can be withdrawn only while the petition is collecting signatures.")
    if signature.invalidated_at:
        return _("Your signature under this petition was invalidated by a moderator.")
    return None


@transaction.atomic
def withdraw_signature(*, petition, user):
    """The signer withdraws their signature while the petition is collecting (R24): the row
    goes, the count is recomputed, and the petition's history keeps the event (not public: it
    names no one, R18). Signing again later is allowed: one signature per person at a time,
    confirmed by e-mail like the first. Returns the new count."""
    petition = locked(Petition(pk=petition.pk))  # lock order: petition, then signature
    signature = (
        Signature.objects.select_for_update()
        .filter(Q(voter_key=voter_key(user)) | Q(user=user), petition=petition)
        .first()
    )
    reason = withdraw_refusal(petition, signature)
    if reason is not None:
        raise SigningRefused(reason)
    counted = signature.counts
    signature.delete()
    before = petition.signature_count
    recount(petition)
    record(
        petition,
        actor=user,
        action="withdraw_signature",
        from_status=petition.status,
        is_public=False,
        counted=counted,
        count_before=before,
        count_after=petition.signature_count,
    )
    return petition.signature_count


@transaction.atomic
def invalidate_signatures(
    *, petition, actor, reason, ip=None, email_domain=None, signed_from=None, signed_to=None
):
    """A moderator invalidates signatures in bulk by IP address, e-mail domain and/or time
    window, with a logged reason; the count is recomputed. Returns how many were invalidated."""
    petition = locked(petition)
    workflow.check(petition, actor, "invalidate")
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Give the reason for the invalidation."))
    domain = registrable_domain(email_domain)
    if not (ip or domain or signed_from or signed_to):
        raise TransitionNotAllowed(
            _("Choose at least one criterion: IP address, e-mail domain or time window.")
        )
    matching = petition.signatures.filter(invalidated_at__isnull=True)
    if ip:
        matching = matching.filter(ip=ip)
    if domain:
        matching = matching.filter(email_domain=domain)
    if signed_from:
        matching = matching.filter(created_at__gte=signed_from)
    if signed_to:
        matching = matching.filter(created_at__lte=signed_to)
    return _invalidate(
        petition,
        matching,
        actor=actor,
        reason=reason,
        ip=ip or "",
        email_domain=domain,
        signed_from=signed_from.isoformat() if signed_from else "",
        signed_to=signed_to.isoformat() if signed_to else "",
    )


def _invalidate(petition, matching, *, actor, reason, **criteria):
    """Invalidate ``matching`` signatures of the locked ``petition``, recount, log the reason;
    if the count falls below a reached threshold, collecting resumes."""
    count = matching.update(
        invalidated_at=timezone.now(), invalidation_reason=reason, invalidated_by=actor
    )
    before = petition.signature_count
    recount(petition)
    record(
        petition,
        actor=actor,
        action="invalidate",
        from_status=petition.status,
        note=reason,
        is_public=False,
        invalidated=count,
        count_before=before,
        count_after=petition.signature_count,
        **criteria,
    )
    if (
        petition.status == Status.THRESHOLD_REACHED
        and petition.signature_count < petition.signature_threshold
    ):
        workflow.check(petition, None, "reopen_collection")
        previous, petition.status = petition.status, Status.COLLECTING
        petition.threshold_reached_at, petition.announce_due = None, None
        petition.save()
        record(
            petition,
            actor=actor,
            action="reopen_collection",
            from_status=previous,
            count=petition.signature_count,
        )
    return count


@transaction.atomic
def invalidate_chosen(*, signatures, actor, reason):
    """An administrator invalidates hand-picked signatures (the admin's action): per petition,
    logged with the reason and recounted. Returns how many were invalidated."""
    total = 0
    petition_ids = set(signatures.values_list("petition_id", flat=True))
    for petition in Petition.objects.select_for_update().filter(pk__in=petition_ids).order_by("pk"):
        matching = signatures.filter(petition=petition, invalidated_at__isnull=True)
        total += _invalidate(petition, matching, actor=actor, reason=reason, chosen=True)
    return total


def signature_of(petition, user):
    if not user.is_authenticated:
        return None
    return Signature.objects.filter(
        Q(voter_key=voter_key(user)) | Q(user=user), petition=petition
    ).first()
