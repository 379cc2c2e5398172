"""Reply tokens: what ties a reply to its case.

A token is 16 random base32 characters and 8 characters of an HMAC of them under the site's
secret: unguessable, and a forged or mistyped one is recognised without a database query.
Lower-case letters and digits only, so it survives in an address's local part (some servers
lower-case it) and in a subject line. It travels twice: in the reply address
``<local>+<token>@<domain>`` (``EDEM_GATEWAY_ADDRESS``) and in the subject as ``[ref:<token>]``,
since some mail programs reply to the sender instead of the Reply-To."""

import base64
import re
import secrets
from email.utils import getaddresses

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "edem.integrations.gateway.token"
RANDOM_LENGTH = 16
TOKEN_LENGTH = 24
TOKEN_RE = re.compile(rf"[a-z2-7]{{{TOKEN_LENGTH}}}")
SUBJECT_RE = re.compile(rf"\[ref:([a-z2-7]{{{TOKEN_LENGTH}}})\]", re.IGNORECASE)


def _b32(data):
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def _signature(random_part):
    return _b32(salted_hmac(SALT, random_part, algorithm="sha256").digest())[
        : TOKEN_LENGTH - RANDOM_LENGTH
    ]


def new_token():
    random_part = _b32(secrets.token_bytes(10))[:RANDOM_LENGTH]
    return random_part + _signature(random_part)


def is_genuine(token):
    """Whether ``token`` was made here (its signature matches)."""
    token = (token or "").lower()
    if not TOKEN_RE.fullmatch(token):
        return False
    random_part, signature = token[:RANDOM_LENGTH], token[RANDOM_LENGTH:]
    return constant_time_compare(signature, _signature(random_part))


def gateway_parts():
    local, _at, domain = settings.EDEM_GATEWAY_ADDRESS.partition("@")
    return local, domain


def reply_address(token):
    local, domain = gateway_parts()
    return f"{local}+{token}@{domain}"


def subject_tag(token):
    return f"[ref:{token}]"


ADDRESS_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")


def tokens_in(message):
    """The genuine tokens a message carries: in a plus-address of the gateway among its
    recipients, or in its subject. Forged ones are left out (as if there were none)."""
    local, domain = gateway_parts()
    found = []
    addresses = getaddresses(
        [str(value) for name in ADDRESS_HEADERS for value in (message.get_all(name) or [])]
    )
    for _name, address in addresses:
        user, _at, host = address.lower().rpartition("@")
        if host == domain.lower() and user.startswith(local.lower() + "+"):
            found.append(user[len(local) + 1 :])
    found += [m.lower() for m in SUBJECT_RE.findall(str(message.get("Subject", "")))]
    return [t for t in dict.fromkeys(found) if is_genuine(t)]
