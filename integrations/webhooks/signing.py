"""Signatures of webhook deliveries, in the style of Standard Webhooks.

Each request carries ``Webhook-Id`` (the delivery's id, the same on every retry: the receiver's
key against duplicates), ``Webhook-Timestamp`` (Unix seconds of this attempt) and
``Webhook-Signature``: space-separated ``v1,<base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}")>``,
one per secret in force (two during the grace period after a rotation). The secret is
``whsec_<base64 of the key>``, exactly as the Standard Webhooks specification has it, so its
libraries (``standardwebhooks``, ``svix``) verify our deliveries as they are. The README shows a
receiver in the standard library that checks them.
"""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 (a marker, not a secret)
VERSION = "v1"


def new_secret():
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def key(secret):
    """The HMAC key of a ``whsec_…`` secret: the bytes its base64 part stands for."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret, message_id, timestamp, body):
    """``v1,<base64>`` for one secret over ``"{id}.{timestamp}.{body}"`` (``body``: bytes)."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    mac = hmac.new(key(secret), signed, hashlib.sha256).digest()
    return f"{VERSION},{base64.b64encode(mac).decode()}"


def headers(*, message_id, timestamp, body, secrets_in_force):
    """The request headers of one attempt."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "edem-webhooks/1",
        "Webhook-Id": str(message_id),
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": " ".join(
            signature(s, message_id, timestamp, body) for s in secrets_in_force
        ),
    }
