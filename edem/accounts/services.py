from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
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
def adopt_identity(*, user, provider, claims):
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
    mark_identity_verified(user, provider)
    return user


@transaction.atomic
def update_profile(*, user, form):
    """Save the profile form; the language becomes the user's default for pages and mail."""
    form.instance = user
    return form.save()
