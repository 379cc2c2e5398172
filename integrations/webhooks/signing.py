"""Signatures of webhook deliveries, in the style of Standard Webhooks.

Each request carries ``Webhook-Id`` (the delivery's id, the same on every retry: the receiver's
key against duplicates), ``Webhook-Timestamp`` (Unix seconds of this attempt) and
``Webhook-Signature``: space-separated ``v1,<base64 of HMAC-SHA256(secret, "{timestamp}.{body}")>``,
one per secret in force (two during the grace period after a rotation). The secret's UTF-8
bytes are the key. The README shows a receiver that checks them.
"""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 (a marker, not a secret)
VERSION = "v1"


def new_secret():
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret, timestamp, body):
    """``v1,<base64>`` for one secret over ``"{timestamp}.{body}"`` (``body``: bytes)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).digest()
    return f"{VERSION},{base64.b64encode(mac).decode()}"


def headers(*, message_id, timestamp, body, secrets_in_force):
    """The request headers of one attempt."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "edem-webhooks/1",
        "Webhook-Id": str(message_id),
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": " ".join(signature(s, timestamp, body) for s in secrets_in_force),
    }
