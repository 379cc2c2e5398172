"""Writes for cabinets: memberships (and the guardian permissions they grant), publications."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_user_obj_perms_model

from edem.accounts import services as accounts_services
from edem.core.events import CabinetStaffChanged, CabinetStaffRecorded, publish
from edem.core.i18n import in_every_language
from edem.core.recording import record
from edem.notifications.services import notify

from .access import can
from .models import Cabinet, Membership, Publication, StaffInvitation
from .roles import CABINET_PERMISSIONS, Role, permissions_for_roles

User = get_user_model()
_ALL_CODENAMES = frozenset(code for code, _label in CABINET_PERMISSIONS)


class CabinetError(Exception):
    """A guard failed; the message is translated and can be shown to the user."""


def _assigned(user, cabinet):
    """The cabinet permissions assigned to the user themselves, whatever their account: not
    guardian's ``get_perms``, which answers "all" for a superuser (whose roles' grants were
    then never stored) and "none" for an inactive account (whose were never revoked)."""
    rows = get_user_obj_perms_model(Cabinet).objects.filter(
        user=user,
        content_type=ContentType.objects.get_for_model(Cabinet),
        object_pk=str(cabinet.pk),
    )
    return frozenset(rows.values_list("permission__codename", flat=True)) & _ALL_CODENAMES


def sync_cabinet_permissions(*, user, cabinet):
    """Make the user's guardian permissions on ``cabinet`` exactly those of their active roles."""
    roles = (
        Membership.objects.active()
        .filter(user=user, cabinet=cabinet)
        .values_list("role", flat=True)
    )
    wanted = permissions_for_roles(roles) if cabinet.is_active else frozenset()
    held = _assigned(user, cabinet) if user.pk else frozenset()
    for code in wanted - held:
        assign_perm(f"cabinets.{code}", user, cabinet)
    for code in held - wanted:
        remove_perm(f"cabinets.{code}", user, cabinet)
    user.forget_roles()
    if wanted != held:
        publish(CabinetStaffChanged(cabinet_id=cabinet.pk, user_id=user.pk))
    return wanted


def _check_manager(actor, cabinet):
    if (
        actor is not None
        and not actor.is_superuser
        and not can(actor, "cabinets.manage_members", cabinet)
    ):
        raise PermissionDenied(_("You may not manage the staff of this cabinet."))


@transaction.atomic
def add_membership(*, cabinet, user, role, position="", actor=None):
    """Give ``user`` a ``role`` in ``cabinet`` (idempotent) and grant the role's permissions."""
    _check_manager(actor, cabinet)
    membership, _created = Membership.objects.get_or_create(
        user=user, cabinet=cabinet, role=role, ended_at=None, defaults={"position": position}
    )
    if position and membership.position != position:
        membership.position = position
        membership.save(update_fields=["position"])
    sync_cabinet_permissions(user=user, cabinet=cabinet)
    return membership


def _end(membership):
    if membership.ended_at is None:
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
    sync_cabinet_permissions(user=membership.user, cabinet=membership.cabinet)
    return membership


def _refuse_losing_the_last_head(membership, actor):
    """A head working from the service cabinet cannot take away their own head role while
    they are its only head: nobody would be left to manage the staff (the administrator
    still can, in the admin)."""
    if actor is None or actor.is_superuser or actor.pk != membership.user_id:
        return
    if membership.role != Role.HEAD or membership.ended_at is not None:
        return
    other_heads = (
        Membership.objects.active()
        .filter(cabinet=membership.cabinet, role=Role.HEAD)
        .exclude(pk=membership.pk)
    )
    if not other_heads.exists():
        raise CabinetError(
            _(
                "You are the only head of this cabinet: ask the administrator, or make "
                "someone else head first."
            )
        )


@transaction.atomic
def end_membership(*, membership, actor=None):
    """End a membership; the permissions it alone granted are revoked at once, and the
    cabinet's staff history keeps who ended it."""
    _check_manager(actor, membership.cabinet)
    _refuse_losing_the_last_head(membership, actor)
    was_active = membership.ended_at is None
    _end(membership)
    if was_active:
        _record_staff(
            membership.cabinet,
            actor=actor,
            action="end_membership",
            user=membership.user,
            role=membership.role,
        )
    return membership


@transaction.atomic
def change_role(*, membership, role, actor=None):
    """Change a membership's role: the old role's grants go, the new role's come."""
    _check_manager(actor, membership.cabinet)
    if membership.role == role:
        return membership
    if role not in Role.values:
        raise CabinetError(_("Choose one of the listed roles."))
    _refuse_losing_the_last_head(membership, actor)
    _end(membership)
    changed = add_membership(
        cabinet=membership.cabinet,
        user=membership.user,
        role=role,
        position=membership.position,
        actor=None,
    )
    _record_staff(
        membership.cabinet,
        actor=actor,
        action="change_role",
        user=membership.user,
        role=role,
        previous_role=membership.role,
    )
    return changed


def _record_staff(cabinet, *, actor, action, user=None, **data):
    """Write a line of the cabinet's staff history and publish it."""
    if user is not None:
        data.update(user_id=user.pk, email=user.email)
    return record(
        cabinet,
        actor=actor,
        action=action,
        to_status="",
        event=lambda item, line: CabinetStaffRecorded(
            cabinet_id=item.pk, history_id=line.pk, action=line.action, user_id=data.get("user_id")
        ),
        **data,
    )


def sync_all_for_cabinet(cabinet):
    """Recompute every member's permissions (after an admin edit or deactivation)."""
    user_ids = set(Membership.objects.filter(cabinet=cabinet).values_list("user_id", flat=True))
    for user in User.objects.filter(pk__in=user_ids):
        sync_cabinet_permissions(user=user, cabinet=cabinet)


# --- Publications --------------------------------------------------------------------


def _check_publisher(actor, cabinet):
    if not can(actor, "cabinets.publish", cabinet):
        raise PermissionDenied(_("You may not publish on behalf of this cabinet."))


@transaction.atomic
def save_publication(*, actor, cabinet, publication=None, publish=False, **fields):
    """Create or edit a publication. ``publish=True`` makes it public now (or at the
    ``published_at`` given); ``publish=False`` keeps it, or takes it back, as a draft."""
    _check_publisher(actor, cabinet)
    if publication is None:
        publication = Publication(cabinet=cabinet, author=actor)
    elif publication.cabinet_id != cabinet.pk:
        raise PermissionDenied(_("This publication belongs to another cabinet."))
    for name, value in fields.items():
        setattr(publication, name, value)
    publication.render_body()
    if publish:
        publication.status = Publication.Status.PUBLISHED
        publication.published_at = publication.published_at or timezone.now()
    else:
        publication.status = Publication.Status.DRAFT
    publication.full_clean()
    publication.save()
    return publication


@transaction.atomic
def unpublish(*, actor, publication):
    """Take a publication off the site: it goes back to the drafts, keeping its text and date,
    and may be published again from its form. Only a publisher of its cabinet may."""
    _check_publisher(actor, publication.cabinet)
    publication.status = Publication.Status.DRAFT
    publication.save(update_fields=["status", "updated_at"])
    return publication


# --- In-person verification of residents -------------------------------------------------


@transaction.atomic
def verify_resident_in_person(*, actor, cabinet, user, document_kind, document_number, note=""):
    """A registrar or head of ``cabinet`` who saw the person's identity document verifies them
    as a resident (R30): the document's kind and number give the person key (R30, R35; a
    keyed hash, never the number itself, R18). A document already recorded on another account
    is refused (``edem.accounts.services.VerificationRefused``, naming the field). The person is
    told by mail, as every verification does."""
    if not can(actor, "cabinets.verify_residents", cabinet):
        raise PermissionDenied(_("Your role in this cabinet does not allow verifying residents."))
    where = _("Verified at %(cabinet)s") % {"cabinet": cabinet.short_name or cabinet.name}
    return accounts_services.verify_resident(
        user=user,
        actor=actor,
        document_kind=document_kind,
        document_number=document_number,
        note=" ".join(part for part in (where + ".", (note or "").strip()) if part),
        authorised=True,
    )


# --- Invitations ---------------------------------------------------------------------

INVITATION_SALT = "cabinets.staff-invitation"
DEFAULT_INVITATION_DAYS = 7


class InvitationRefused(CabinetError):
    """An invitation link that opens nothing: ``reason`` is "unknown", "used", "revoked" or
    "expired"; the message says so in words."""

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


def _invitation_days():
    return getattr(settings, "EDEM_INVITATION_DAYS", DEFAULT_INVITATION_DAYS)


def _token_hash(nonce):
    return hashlib.sha256(nonce.encode()).hexdigest()


def _signer():
    return signing.Signer(salt=INVITATION_SALT)


def _invitation_path(token):
    return reverse("cabinets:invitation", args=[token])


def check_invitation(*, actor, cabinet, email, role):
    """The checks of ``invite_official`` that a form may run first; returns the address
    normalised. Raises ``PermissionDenied`` or ``CabinetError``."""
    if actor is None:
        raise PermissionDenied(_("You may not manage the staff of this cabinet."))
    _check_manager(actor, cabinet)
    if not cabinet.is_active:
        raise CabinetError(_("This cabinet is closed: open it again before inviting staff."))
    if role not in Role.values:
        raise CabinetError(_("Choose one of the listed roles."))
    email = User.objects.normalize_email(email or "").strip().lower()
    if not email:
        raise CabinetError(_("An invitation needs the e-mail address, last name and first name."))
    if (
        Membership.objects.active()
        .filter(user__email__iexact=email, cabinet=cabinet, role=role)
        .exists()
    ):
        raise CabinetError(_("This person already holds this role in this cabinet."))
    return email


@transaction.atomic
def invite_official(
    *, actor, cabinet, email, last_name, first_name, role, patronymic="", position=""
):
    """Invite a person by e-mail to take ``role`` in ``cabinet``.

    Only the cabinet's head (or an administrator) may. The mail, sent through the outbox,
    holds a one-time link valid for ``EDEM_INVITATION_DAYS`` days (7 by default); only the
    hash of its token is stored. An earlier invitation of the same address to the same
    cabinet still pending is withdrawn (its link stops working). Returns the invitation."""
    email = check_invitation(actor=actor, cabinet=cabinet, email=email, role=role)
    if not last_name.strip() or not first_name.strip():
        raise CabinetError(_("An invitation needs the e-mail address, last name and first name."))
    existing = User.objects.filter(email__iexact=email).first()
    now = timezone.now()
    for earlier in StaffInvitation.objects.pending(now).filter(
        cabinet=cabinet, email__iexact=email
    ):
        _withdraw(earlier, actor, reason="superseded")
    nonce = secrets.token_urlsafe(32)
    invitation = StaffInvitation.objects.create(
        email=email,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        patronymic=patronymic.strip(),
        cabinet=cabinet,
        role=role,
        position=position.strip(),
        token_hash=_token_hash(nonce),
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=_invitation_days()),
    )
    _record_staff(
        cabinet,
        actor=actor,
        action="invite",
        email=email,
        role=role,
        invitation=invitation.pk,
    )
    language = (
        existing.language if existing else (translation.get_language() or settings.LANGUAGE_CODE)
    )[:2]
    # The link travels in the outbox row (as allauth's password-reset links do) until it is
    # sent; the invitation row holds only the token's hash.
    notify(
        template="cabinets/invitation",
        recipient=existing,
        email=email,
        language=language,
        context={
            "full_name": invitation.full_name,
            "cabinet": in_every_language(cabinet, "name"),
            "role": invitation.role,
            "inviter": str(actor),
            "path": _invitation_path(_signer().sign(nonce)),
            "valid_until": invitation.expires_at.isoformat(),
        },
        key=f"staff-invitation:{invitation.pk}",
    )
    return invitation


def _withdraw(invitation, actor, reason="withdrawn"):
    invitation.status = StaffInvitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    _record_staff(
        invitation.cabinet,
        actor=actor,
        action="invite_revoked",
        email=invitation.email,
        invitation=invitation.pk,
        reason=reason,
    )


@transaction.atomic
def revoke_invitation(*, invitation, actor):
    """Withdraw a pending invitation: its link stops working at once."""
    _check_manager(actor, invitation.cabinet)
    invitation = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != StaffInvitation.Status.PENDING:
        raise CabinetError(_("This invitation is no longer pending."))
    _withdraw(invitation, actor)
    return invitation


def invitation_for(token, *, lock=False):
    """The pending, unexpired invitation the link's ``token`` opens, or ``InvitationRefused``
    saying why not."""
    try:
        nonce = _signer().unsign(token)
    except signing.BadSignature:
        nonce = None
    rows = StaffInvitation.objects.select_related("cabinet")
    if lock:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(token_hash=_token_hash(nonce)).first() if nonce else None
    if invitation is None:
        raise InvitationRefused(
            "unknown",
            _("This invitation link is not valid. Check that it was copied whole from the mail."),
        )
    if invitation.status == StaffInvitation.Status.ACCEPTED:
        raise InvitationRefused(
            "used",
            _(
                "This invitation has already been used. Sign in with your e-mail address and "
                "the password you chose; if you forgot it, reset it on the sign-in page."
            ),
        )
    if invitation.status == StaffInvitation.Status.REVOKED or not invitation.cabinet.is_active:
        raise InvitationRefused(
            "revoked",
            _("This invitation has been withdrawn. Ask the head of the cabinet for a new one."),
        )
    if invitation.is_expired:
        raise InvitationRefused(
            "expired",
            _("This invitation has expired. Ask the head of the cabinet to send a new one."),
        )
    return invitation


@transaction.atomic
def accept_invitation(*, token, password):
    """The invited person follows the link and chooses a password: their account is opened
    (or the existing one given the password), the address confirmed, and the membership
    begins. The link works once. The person who invited them is told."""
    invitation = invitation_for(token, lock=True)
    user = accounts_services.open_invited_account(
        email=invitation.email,
        last_name=invitation.last_name,
        first_name=invitation.first_name,
        patronymic=invitation.patronymic,
        password=password,
    )
    add_membership(
        cabinet=invitation.cabinet,
        user=user,
        role=invitation.role,
        position=invitation.position,
        actor=None,
    )
    invitation.status = StaffInvitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["status", "accepted_at", "user"])
    _record_staff(
        invitation.cabinet,
        actor=user,
        action="invite_accepted",
        user=user,
        role=invitation.role,
        invitation=invitation.pk,
    )
    inviter = invitation.invited_by
    if inviter is not None and inviter.email:
        notify(
            template="cabinets/invitation_accepted",
            recipient=inviter,
            context={
                "full_name": user.full_name or user.email,
                "email": user.email,
                "cabinet": in_every_language(invitation.cabinet, "name"),
                "role": invitation.role,
                "staff_path": reverse("service:staff", args=[invitation.cabinet.code]),
            },
            key=f"staff-invitation-accepted:{invitation.pk}",
        )
    return invitation
