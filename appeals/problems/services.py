"""Moderation of the public version of a problem: an official of the cabinet that holds the
appeal hides a photo or redacts a passage, with a reason. Each step is an immutable
``Moderation`` line; the appeal, its text and its files are never changed (the case file keeps
the original)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from appeals.models import Appeal
from cabinets.access import roles_in
from cabinets.roles import Role

from .models import Moderation, PublicProblem
from .sync import sync_public_problem

MODERATOR_ROLES = frozenset({Role.HEAD, Role.REGISTRAR, Role.EXECUTOR})


def can_moderate(user, appeal):
    """Staff of the cabinet holding the appeal, except observers (they only read)."""
    return bool(roles_in(user, appeal.cabinet_id) & MODERATOR_ROLES)


def _check(user, problem, reason):
    if not can_moderate(user, problem.appeal):
        raise PermissionDenied(_("Only staff of the cabinet that holds the appeal may moderate."))
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason."))


@transaction.atomic
def hide_photo(*, actor, problem, attachment, reason):
    _check(actor, problem, reason)
    problem = PublicProblem.objects.select_for_update().get(pk=problem.pk)
    if attachment.appeal_id != problem.pk:
        raise ValidationError(_("This photo belongs to another appeal."))
    if attachment.pk not in problem.hidden_photos:
        problem.hidden_photos = [*problem.hidden_photos, attachment.pk]
        problem.save(update_fields=["hidden_photos", "updated_at"])
    return Moderation.objects.create(
        appeal_id=problem.pk,
        actor=actor,
        action=Moderation.Kind.HIDE_PHOTO,
        attachment=attachment,
        note=reason.strip(),
    )


@transaction.atomic
def show_photo(*, actor, problem, attachment, reason):
    _check(actor, problem, reason)
    problem = PublicProblem.objects.select_for_update().get(pk=problem.pk)
    problem.hidden_photos = [pk for pk in problem.hidden_photos if pk != attachment.pk]
    problem.save(update_fields=["hidden_photos", "updated_at"])
    return Moderation.objects.create(
        appeal_id=problem.pk,
        actor=actor,
        action=Moderation.Kind.SHOW_PHOTO,
        attachment=attachment,
        note=reason.strip(),
    )


@transaction.atomic
def redact(*, actor, problem, passage, reason):
    _check(actor, problem, reason)
    passage = (passage or "").strip()
    appeal = Appeal.objects.get(pk=problem.pk)
    if not passage or passage not in appeal.text:
        raise ValidationError(_("Copy the passage exactly as it stands in the text."))
    problem = PublicProblem.objects.select_for_update().get(pk=problem.pk)
    if passage not in problem.redactions:
        problem.redactions = [*problem.redactions, passage]
        problem.save(update_fields=["redactions", "updated_at"])
    sync_public_problem(appeal)  # rebuilds the public text; the appeal is not saved
    return Moderation.objects.create(
        appeal_id=problem.pk,
        actor=actor,
        action=Moderation.Kind.REDACT,
        passage=passage,
        note=reason.strip(),
    )


@transaction.atomic
def unredact(*, actor, problem, passage, reason):
    _check(actor, problem, reason)
    problem = PublicProblem.objects.select_for_update().get(pk=problem.pk)
    problem.redactions = [p for p in problem.redactions if p != passage]
    problem.save(update_fields=["redactions", "updated_at"])
    sync_public_problem(Appeal.objects.get(pk=problem.pk))
    return Moderation.objects.create(
        appeal_id=problem.pk,
        actor=actor,
        action=Moderation.Kind.UNREDACT,
        passage=passage,
        note=reason.strip(),
    )
