"""Writes for cabinets: memberships (and the guardian permissions they grant), publications."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_user_obj_perms_model

from edem.accounts import services as accounts_services
from edem.core.events import CabinetStaffChanged, publish
from edem.core.markup import render_markdown

from .access import can
from .models import Cabinet, Membership, Publication
from .roles import CABINET_PERMISSIONS, permissions_for_roles

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


@transaction.atomic
def end_membership(*, membership, actor=None):
    """End a membership; the permissions it alone granted are revoked at once."""
    _check_manager(actor, membership.cabinet)
    if membership.ended_at is None:
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
    sync_cabinet_permissions(user=membership.user, cabinet=membership.cabinet)
    return membership


@transaction.atomic
def change_role(*, membership, role, actor=None):
    """Change a membership's role: the old role's grants go, the new role's come."""
    _check_manager(actor, membership.cabinet)
    if membership.role == role:
        return membership
    end_membership(membership=membership, actor=None)
    return add_membership(
        cabinet=membership.cabinet,
        user=membership.user,
        role=role,
        position=membership.position,
        actor=None,
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
    publication.body_html = render_markdown(publication.body)
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
