"""The one way to ask who may do what in a service cabinet.

Every app asks these questions and nothing else: no app queries ``Membership`` itself, calls
django-guardian, or ``user.has_perm(..., cabinet)``.

- ``roles_in(user, cabinet)``: the user's active roles there (``Role`` values);
- ``can(user, perm, cabinet)``: whether the user holds the permission there;
- ``roles_with(perm)``: the roles that grant it;
- ``staff_with(perm, cabinet)``: the active people who hold it there (or in any of several);
- ``cabinets_where(user, perm=None)``: the active cabinets where the user holds it (any role
  when ``perm`` is None);
- ``members(cabinet=None, roles=None)``: active memberships (with their user), for the
  messages addressed to a role (reminders to registrars, escalation to heads);
- ``position_in(user, cabinet)``: the position printed under the user's signature there.

Roles are the ``Membership`` rows; permissions are the union of the active roles' grants
(``roles.ROLE_PERMISSIONS``), which ``cabinets.services`` also stores as django-guardian object
permissions on the ``Cabinet`` (``staff_with`` and ``cabinets_where`` query those). A permission is held only through a role: being a
superuser of the portal grants nothing in a cabinet (so an administrator never signs answers,
R12, or registers appeals), and an inactive account holds nothing anywhere.

``cabinet`` is a ``Cabinet`` or its primary key; where several are accepted, also a queryset
of cabinets or an iterable of primary keys.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, CharField, QuerySet
from django.db.models.functions import Cast
from guardian.utils import get_user_obj_perms_model

from .models import Cabinet, Membership
from .roles import CABINET_PERMISSIONS, ROLE_PERMISSIONS, Role, permissions_for_roles

__all__ = [
    "cabinets_where",
    "can",
    "members",
    "position_in",
    "roles_by_cabinet",
    "roles_in",
    "roles_with",
    "staff_with",
]

CODENAMES = frozenset(code for code, _label in CABINET_PERMISSIONS)


def _codename(perm):
    """``"cabinets.sign_answer"`` or ``"sign_answer"`` → ``"sign_answer"``; anything that is
    not a cabinet permission is a programming error, not a refusal."""
    app_label, _dot, codename = perm.rpartition(".")
    if app_label not in ("", "cabinets") or codename not in CODENAMES:
        raise ValueError(f"{perm!r} is not a permission on a cabinet")
    return codename


def _pk(cabinet):
    return cabinet.pk if isinstance(cabinet, Cabinet) else cabinet


def _acting(user):
    return user is not None and user.is_authenticated and user.is_active and user.pk


def _grants(codename):
    """Guardian's rows granting ``codename`` on a cabinet to a user."""
    content_type = ContentType.objects.get_for_model(Cabinet)
    return get_user_obj_perms_model(Cabinet).objects.filter(
        content_type=content_type,
        permission__content_type=content_type,
        permission__codename=codename,
    )


def _on(grants, cabinet):
    """Narrow guardian's rows to one cabinet or several."""
    if isinstance(cabinet, QuerySet):  # of cabinets: one query with a subquery
        texts = cabinet.order_by().annotate(pk_text=Cast("pk", CharField())).values("pk_text")
        return grants.filter(object_pk__in=texts)
    if isinstance(cabinet, Cabinet | int | str):
        return grants.filter(object_pk=str(_pk(cabinet)))
    return grants.filter(object_pk__in=[str(_pk(item)) for item in cabinet])


def roles_by_cabinet(user):
    """{cabinet id: frozenset of the user's active roles there}, read once per user instance
    (a request asks it for the guard, the queue and the page without more queries)."""
    if not _acting(user):
        return {}
    by_cabinet = {}
    for cabinet_id, role in user.active_roles:
        by_cabinet.setdefault(cabinet_id, set()).add(Role(role))
    return {cabinet_id: frozenset(roles) for cabinet_id, roles in by_cabinet.items()}


def roles_in(user, cabinet):
    """The user's active roles in ``cabinet`` (empty for an outsider or a signed-out visitor)."""
    return roles_by_cabinet(user).get(_pk(cabinet), frozenset())


def can(user, perm, cabinet):
    """Whether ``user`` holds ``perm`` (``"cabinets.<codename>"``) in ``cabinet`` through their
    roles there.

    Asked of the roles read once per user instance (``roles_by_cabinet``): the guardian rows
    are kept equal to the active roles' grants (``cabinets.services``), so the card, its list
    of actions and its next-step hint ask as often as they need without a query each. Only a
    queryset of cabinets is asked of guardian's rows."""
    codename = _codename(perm)
    if not _acting(user) or cabinet is None:
        return False
    if isinstance(cabinet, QuerySet):
        return _on(_grants(codename), cabinet).filter(user=user).exists()
    by_cabinet = roles_by_cabinet(user)
    cabinets = [cabinet] if isinstance(cabinet, Cabinet | int | str) else cabinet
    return any(
        codename in permissions_for_roles(by_cabinet.get(_int_pk(item), ())) for item in cabinets
    )


def _int_pk(cabinet):
    pk = _pk(cabinet)
    return int(pk) if isinstance(pk, str) and pk.isdigit() else pk


def roles_with(perm):
    """The roles that grant ``perm`` (in the table's order: head first)."""
    codename = _codename(perm)
    return [role for role in Role if codename in ROLE_PERMISSIONS[role]]


def staff_with(perm, cabinet):
    """The active people who hold ``perm`` in ``cabinet`` (or in any of several), in a stable
    order (by id), so that mail to them goes out the same way every time."""
    holders = _on(_grants(_codename(perm)), cabinet).values("user_id")
    return get_user_model().objects.filter(pk__in=holders, is_active=True).order_by("pk")


def cabinets_where(user, perm=None):
    """The active cabinets where ``user`` holds ``perm``, or any role when ``perm`` is None."""
    if not _acting(user):
        return Cabinet.objects.none()
    if perm is None:
        held = Membership.objects.active().filter(user=user).values("cabinet_id")
    else:
        held = (
            _grants(_codename(perm))
            .filter(user=user)
            .annotate(cabinet_pk=Cast("object_pk", BigIntegerField()))
            .values("cabinet_pk")
        )
    return Cabinet.objects.active().filter(pk__in=held)


def members(cabinet=None, roles=None):
    """Active memberships with their user, in ``cabinet`` (one, several, or None for every
    cabinet), optionally only those in ``roles``."""
    qs = Membership.objects.active().select_related("user")
    if cabinet is not None:
        if isinstance(cabinet, QuerySet):
            qs = qs.filter(cabinet__in=cabinet)
        elif isinstance(cabinet, Cabinet | int | str):
            qs = qs.filter(cabinet_id=_pk(cabinet))
        else:
            qs = qs.filter(cabinet_id__in=[_pk(item) for item in cabinet])
    if roles is not None:
        qs = qs.filter(role__in=list(roles))
    return qs


def position_in(user, cabinet):
    """The position the user signs with in ``cabinet`` ("" when none is recorded)."""
    membership = members(cabinet).filter(user=user).order_by("role").first()
    return membership.position if membership else ""
