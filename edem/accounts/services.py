from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from edem.notifications.services import notify

from .models import CommunityTie, User


def _ensure_document_seen(actor, document, refusal):
    """What every confirmation by an official needs: the right to change users, and a word
    on the document seen."""
    if not (actor.is_superuser or actor.has_perm("accounts.change_user")):
        raise PermissionDenied(refusal)
    if not (document or "").strip():
        raise ValueError(_("Say which document you saw."))


@transaction.atomic
def verify_resident(*, user, actor, note):
    """An official who saw a document confirms that ``user`` is a resident.

    The person is told by mail (through the outbox, in their own language) when their level
    changes; a repeated confirmation only refreshes who confirmed it and when.
    """
    _ensure_document_seen(actor, note, _("You may not verify residents."))
    if user.verification_level == User.Verification.IDENTITY:
        return user  # already stronger
    newly_verified = user.verification_level != User.Verification.RESIDENT
    user.verification_level = User.Verification.RESIDENT
    user.verified_at = timezone.now()
    user.verified_by = actor
    user.verification_note = note.strip()[:255]
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
def change_verification_level(*, user, actor, level, note):
    """An administrator changes ``user``'s verification level on their page in the admin:
    the change is recorded like every confirmation (who, when, on what document). Raising it
    to *resident* is ``verify_resident`` (the person is told); lowering it to *e-mail* needs a
    reason. *Identity* comes only from the identity provider."""
    if level == user.verification_level:
        return user
    if level == User.Verification.RESIDENT:
        return verify_resident(user=user, actor=actor, note=note)
    if level != User.Verification.EMAIL:
        raise ValueError(_("Only a sign-in through the identity provider sets this level."))
    _ensure_document_seen(actor, note, _("You may not verify residents."))
    user.verification_level = level
    user.verified_at = timezone.now()
    user.verified_by = actor
    user.verification_note = note.strip()[:255]
    user.save(
        update_fields=["verification_level", "verified_at", "verified_by", "verification_note"]
    )
    return user


@transaction.atomic
def confirm_community_tie(*, user, actor, territory, basis, document, valid_until=None):
    """An official who saw a document confirms that ``user`` works or studies in
    ``territory``, or is registered there as an internally displaced person (R30): from now
    on the person takes part in that territory's consultations as its residents do.

    Confirming the same ground again refreshes the document, the date and who confirmed it.
    The person is told by mail, in their own language.
    """
    _ensure_document_seen(actor, document, _("You may not confirm community ties."))
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
