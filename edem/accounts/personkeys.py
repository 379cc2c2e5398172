"""Person keys: one key per person across accounts and channels (R30, R35), never the document
number or the provider's subject in clear (R18).

A key is an HMAC-SHA256 of what establishes a person's identity, under the secret setting
``EDEM_PERSON_KEY_SECRET`` (by default derived from ``SECRET_KEY``; set it explicitly in
production and never change it, or every key changes):

- ``identity_key(provider, uid)``: the identity provider's subject (sign-in through it);
- ``document_key(kind, number)``: the identity document an official saw, in person or on a
  paper ballot; the number is normalised (letters and digits only, upper case, Cyrillic
  look-alikes read as Latin) so that "45 01 123456" and "4501-123456" are one document.

``voter_key(user)`` is what petitions, polls and budgets store: the user's ``person_key`` once
a verification has recorded one, else the account's own key (``legacy_key``, what was stored
before person keys existed). ``voter_key_for_document`` is the key of a paper voice given by
document: the person key of the account the document is recorded on, else the document key, so
online and paper voices of one person collide under the (item, voter_key) constraints.

When a user's key changes (their first verification) or a document is recorded on them, every
voice stored under the old keys is moved to the new one *in the same transaction*
(``record_keys``, signal ``person_keys_merged``, handled by the instruments): what the person
did before still counts as theirs and still blocks a second voice. A voice that cannot move
because the person already has one under the new key in the same item (two voices cast before
we could know they were one person) stays where it is and is reported back.
"""

import hashlib
import hmac
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent inside the verifying transaction: ``old_keys`` (a list) now belong to ``new_key``.
# Receivers move the voices they keep and return how many could not be moved.
person_keys_merged = Signal()

# Cyrillic letters that look like Latin ones on documents (series of old passports).
_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХІ", "ABEKMHOPCTYXI")


class DocumentAlreadyRecorded(ValueError):
    """The document is recorded on another account (R30): one account per document."""


def _secret():
    configured = getattr(settings, "EDEM_PERSON_KEY_SECRET", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"edem.person-key", hashlib.sha256).digest()


def _keyed(source):
    return hmac.new(_secret(), source.encode(), hashlib.sha256).hexdigest()


def normalise_document_number(number):
    """Letters and digits only, upper case, Cyrillic look-alikes as Latin."""
    return "".join(ch for ch in (number or "").upper() if ch.isalnum()).translate(_LOOKALIKES)


# Kinds that are one document for the key: a national passport issued as a booklet or as an
# identity card is the same passport, whichever of the two the clerk chooses.
_SAME_DOCUMENT = {"id_card": "passport"}


def document_key(kind, number):
    normal = normalise_document_number(number)
    if not normal:
        raise ValueError("A document number needs at least one letter or digit.")
    return _keyed(f"doc:{_SAME_DOCUMENT.get(kind, kind)}:{normal}")


def identity_key(provider, uid):
    return _keyed(f"idp:{provider}:{uid}")


def legacy_key(user):
    """The key of a user with no person key: their identity provider's subject if they signed
    in through one, else their account (the formula used before person keys; kept so that
    voices already stored still match)."""
    account = None
    if user.verification_level == "identity":
        account = user.socialaccount_set.order_by("pk").first()
    source = f"idp:{account.provider}:{account.uid}" if account else f"user:{user.pk}"
    return hashlib.sha256(f"{settings.SECRET_KEY}|voter|{source}".encode()).hexdigest()


def voter_key(user):
    """The key that stands for ``user``'s person in every (item, voter_key) constraint."""
    return user.person_key or legacy_key(user)


def voter_key_for_document(kind, number):
    """The key of a voice given by identity document (a paper ballot): the person key of the
    account the document is recorded on, so it collides with that person's online voice; else
    the document key itself, which an in-person verification later adopts."""
    from .models import User

    key = document_key(kind, number)
    holder = User.objects.filter(document_key=key).only("person_key").first()
    return (holder.person_key or key) if holder is not None else key


def record_keys(user, *, person_key=None, document_key=None):
    """Record on ``user`` (a fresh row, inside the caller's transaction) the person key that a
    verification established and/or the document seen, and move the voices kept under the
    user's previous key and under the document's key to the user's person key.

    The first key recorded stays the person's key (a later sign-in through the identity
    provider or a renewed passport does not change it). Raises ``DocumentAlreadyRecorded``
    when the document is on another account. Returns how many voices could not be moved."""
    from .models import User

    user = User.objects.select_for_update().get(pk=user.pk)
    before = voter_key(user)
    fields = []
    if document_key and user.document_key != document_key:
        if User.objects.filter(document_key=document_key).exclude(pk=user.pk).exists():
            raise DocumentAlreadyRecorded(document_key)
        user.document_key = document_key
        fields.append("document_key")
    if not user.person_key:
        user.person_key = person_key or document_key or before
        fields.append("person_key")
    if not fields:
        return 0
    try:
        with transaction.atomic():
            user.save(update_fields=fields)
    except IntegrityError as exc:  # a parallel verification recorded the document first
        raise DocumentAlreadyRecorded(document_key) from exc
    old = [k for k in dict.fromkeys([before, document_key]) if k and k != user.person_key]
    left = 0
    if old:
        for _receiver, result in person_keys_merged.send(
            sender=User, user=user, old_keys=old, new_key=user.person_key
        ):
            left += result or 0
    if left:
        logger.warning(
            "Person key of user %s: %d earlier voices could not be merged (cast twice before "
            "the accounts or channels were linked).",
            user.pk,
            left,
        )
    return left
