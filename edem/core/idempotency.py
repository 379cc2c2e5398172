"""Exactly once where the user acts once.

Every form that creates something carries a hidden random token (``{% idempotency_field %}``
from the ``idempotency`` template library). The view runs the creating service through
``once``: in one transaction it claims the token in ``IdempotencyKey`` (unique constraint on
the token), runs the service and stores what it created. A second submit of the same form, even
one that arrives while the first is still running, waits on the unique index; when the first
commits its insert fails, and it gets the first one's result instead of creating another. When
the first fails (a refusal, an error), its claim is rolled back with it and the token stays
usable.

A token claimed by another person or for another action is refused
(``TokenAlreadyUsed``): nobody lands on someone else's result.
"""

import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import IdempotencyKey

FIELD_NAME = "idempotency_token"
_VALID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class TokenAlreadyUsed(ValueError):
    """The form's token was used by someone else or for another action."""

    def __init__(self):
        super().__init__(_("This form was already used. Check the form and send it again, please."))


@dataclass(frozen=True)
class Outcome:
    """What ``once`` did: ``result`` is the created object (or the one the first submit of
    the same form created: then ``repeated`` is true; it may be None if that object is gone)."""

    result: Any
    repeated: bool


def new_token():
    return secrets.token_urlsafe(24)


def token_from(data):
    """The token posted in ``data`` (a QueryDict or dict), or "" when absent or malformed."""
    value = (data.get(FIELD_NAME) or "").strip()
    return value if _VALID.match(value) else ""


def _owner_id(user):
    return user.pk if user is not None and getattr(user, "is_authenticated", False) else None


def _check(key, *, scope, user):
    if key.scope != scope or key.user_id != _owner_id(user):
        raise TokenAlreadyUsed()
    return Outcome(result=key.result if key.content_type_id else None, repeated=True)


def earlier(*, token, scope, user):
    """The outcome of an earlier, committed use of ``token``, or None. A cheap look before
    expensive work (storing uploads); ``once`` is what guarantees a single result."""
    if not token:
        return None
    key = IdempotencyKey.objects.filter(token=token).first()
    return None if key is None else _check(key, scope=scope, user=user)


def once(*, token, scope, user, create):
    """Run ``create()`` at most once for ``token`` and return an ``Outcome``.

    Without a token (an old form, a script) ``create()`` just runs. ``create`` must return the
    created model instance (or None when it created nothing to land on)."""
    if not token:
        return Outcome(result=create(), repeated=False)
    with transaction.atomic():
        try:
            with transaction.atomic():
                key = IdempotencyKey.objects.create(
                    token=token, scope=scope, user_id=_owner_id(user)
                )
        except IntegrityError:
            # The same token was committed by another request (a double submit): it has
            # waited for that one to finish and now reads its result.
            return _check(IdempotencyKey.objects.get(token=token), scope=scope, user=user)
        result = create()
        if result is not None and getattr(result, "pk", None) is not None:
            key.result = result
            key.save(update_fields=["content_type", "object_id"])
        return Outcome(result=result, repeated=False)
