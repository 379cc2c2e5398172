from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from edem.notifications.services import notify

from . import personkeys
from .models import CommunityTie, DocumentKind, User


class VerificationRefused(ValueError):
    """A verification cannot be recorded; ``field`` names the form field the message belongs
    to (or None), the message says why in words the official can act on."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message, self.field = message, field


def _ensure_may_confirm(actor, refusal, authorised):
    """The right to confirm: the admin's ``accounts.change_user``, or a cabinet role checked by
    the caller (``cabinets.services.verify_resident_in_person`` passes ``authorised``)."""
    if not (authorised or actor.is_superuser or actor.has_perm("accounts.change_user")):
        raise PermissionDenied(refusal)


def _ensure_document_seen(actor, document, refusal, authorised=False):
    """What every confirmation by an official needs: the right to confirm, and a word on the
    document seen."""
    _ensure_may_confirm(actor, refusal, authorised)
    if not (document or "").strip():
        raise ValueError(_("Say which document you saw."))


def _identity_document_key(document_kind, document_number):
    """The keyed hash of an identity document (R18: the number itself is never kept), or a
    ``VerificationRefused`` naming the field at fault."""
    if document_kind not in DocumentKind.values:
        raise VerificationRefused(_("Choose the kind of document you saw."), "document_kind")
    if not personkeys.normalise_document_number(document_number):
        raise VerificationRefused(
            _("Enter the series and number of the document you saw."), "document_number"
        )
    return personkeys.document_key(document_kind, document_number)


def _record_document(user, key):
    try:
        return personkeys.record_keys(user, document_key=key)
    except personkeys.DocumentAlreadyRecorded as exc:
        raise VerificationRefused(
            _(
                "This identity document is already recorded on another account. The person "
                "should use that account; one person has one voice in every consultation."
            ),
            "document_number",
        ) from exc


@transaction.atomic
def verify_resident(*, user, actor, document_kind, document_number, note="", authorised=False):
    """An official who saw an identity document confirms that ``user`` is a resident.

    The document's kind and number give the person key (R30, R35; a keyed hash, never the
    number, R18): the document may be recorded on one account only, so a second account of
    the same person is refused, and the person's earlier voices move to the key in this
    transaction. The person is told by mail (through the outbox, in their own language) when
    their level changes; a repeated confirmation only refreshes who confirmed it and when.
    A person verified through the identity provider keeps that level; the document is still
    recorded, so that a paper ballot given with it is theirs.
    """
    _ensure_may_confirm(actor, _("You may not verify residents."), authorised)
    key = _identity_document_key(document_kind, document_number)
    user = User.objects.select_for_update().get(pk=user.pk)
    _record_document(user, key)
    user.refresh_from_db()
    if user.verification_level == User.Verification.IDENTITY:
        return user  # already stronger
    newly_verified = user.verification_level != User.Verification.RESIDENT
    user.verification_level = User.Verification.RESIDENT
    user.verified_at = timezone.now()
    user.verified_by = actor
    label = str(DocumentKind(document_kind).label)
    user.verification_note = (f"{label}. {note.strip()}" if note.strip() else label)[:255]
    user.save(
        update_fields=["verification_level", "verified_at", "verified_by", "verification_note"]
    )
    if newly_verified:
        notify(
            template="accounts/resident_verified",
            recipient=user,
            context={
                "full_name": user.full_name,
                "level": user.verification_level,
                "cabinet_path": reverse("accounts:cabinet"),
            },
            key=f"resident-verified:{user.pk}:{user.verified_at.isoformat()}",
        )
    return user


@transaction.atomic
def confirm_community_tie(
    *,
    user,
    actor,
    territory,
    basis,
    document,
    valid_until=None,
    document_kind="",
    document_number="",
    authorised=False,
):
    """An official who saw a document confirms that ``user`` works or studies in
    ``territory``, or is registered there as an internally displaced person (R30): from now
    on the person takes part in that territory's consultations as its residents do.

    When the official also notes the identity document shown with it (kind and number), it is
    recorded as for an in-person verification (one account per document, the person key,
    R30); the number itself is never kept (R18).

    Confirming the same ground again refreshes the document, the date and who confirmed it.
    The person is told by mail, in their own language.
    """
    _ensure_document_seen(
        actor, document, _("You may not confirm community ties."), authorised=authorised
    )
    if document_kind or (document_number or "").strip():
        _record_document(user, _identity_document_key(document_kind, document_number))
    tie, _created = CommunityTie.objects.update_or_create(
        user=user,
        territory=territory,
        basis=basis,
        defaults={
            "document": document.strip()[:255],
            "valid_until": valid_until,
            "confirmed_at": timezone.now(),
            "confirmed_by": actor,
        },
    )
    notify(
        template="accounts/community_tie_confirmed",
        recipient=user,
        context={
            "full_name": user.full_name,
            "territory": str(territory),
            "basis": tie.basis,
            "valid_until": valid_until,
            "cabinet_path": reverse("accounts:cabinet"),
        },
        key=f"community-tie:{tie.pk}:{tie.confirmed_at.isoformat()}",
    )
    return tie


@transaction.atomic
def adopt_identity(*, user, provider, uid, claims):
    """The identity provider confirmed who ``user`` is: the account becomes verified
    (``identity``) and takes the name (and date of birth) the provider confirmed, which the
    appeals then carry (59-FZ Art. 7)."""
    from .adapters import mark_identity_verified  # the adapters module imports this one

    names = {
        "last_name": claims.get("family_name"),
        "first_name": claims.get("given_name"),
        "patronymic": claims.get("middle_name"),
    }
    changed = []
    for field, value in names.items():
        value = (value or "").strip()[:150]
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    born = parse_date(claims.get("birthdate") or "")
    if born and user.birth_date != born:
        user.birth_date = born
        changed.append("birth_date")
    if changed:
        user.save(update_fields=changed)
    mark_identity_verified(user, provider, uid)
    return user


@transaction.atomic
def update_profile(*, user, form):
    """Save the profile form; the language becomes the user's default for pages and mail."""
    form.instance = user
    return form.save()


@transaction.atomic
def open_invited_account(*, email, last_name, first_name, patronymic="", password):
    """The account of a person who followed an invitation link sent to ``email``: created if
    there is none, given the password they chose, and its address confirmed (the link reached
    that mailbox), verified and primary, so the first sign-in is not stopped by a confirmation
    mail. An existing account keeps its name; a new one takes the name from the invitation.
    The password is checked against the site's password rules (``ValidationError``)."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    candidate = user or User(email=email, last_name=last_name, first_name=first_name)
    validate_password(password, user=candidate)
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=password,
            last_name=last_name.strip(),
            first_name=first_name.strip(),
            patronymic=patronymic.strip(),
        )
    else:
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).update(primary=False)
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    elif not (address.verified and address.primary):
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])
    return user
