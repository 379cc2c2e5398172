"""Known devices: a browser on which a person has signed in before (OWASP's "device cookies").

After every sign-in the browser gets a signed cookie naming the account (by a digest of its
e-mail) and a random device id. Failed passwords sent with that cookie for that account count
against (account, device) only, so an attacker who fails on other accounts from the same
address (or on this account from elsewhere) never locks its owner out of their own browser;
everyone else goes through the per-address and per-account limits
(``ACCOUNT_RATE_LIMITS["login_failed"]``).
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing

SALT = "edem.accounts.devices"


def _account_digest(login):
    return hashlib.sha256(login.strip().lower().encode()).hexdigest()[:32]


def remember(response, user):
    """Set the known-device cookie for ``user`` on ``response``."""
    token = signing.dumps({"a": _account_digest(user.email), "d": secrets.token_hex(8)}, salt=SALT)
    response.set_cookie(
        settings.EDEM_DEVICE_COOKIE_NAME,
        token,
        max_age=settings.EDEM_DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def known_device(request, login):
    """The device id when this browser has signed in to the account ``login`` before, else
    None (no cookie, a forged or expired one, or one for another account)."""
    token = request.COOKIES.get(settings.EDEM_DEVICE_COOKIE_NAME)
    if not token or not login:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.EDEM_DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != _account_digest(login):
        return None
    return str(data.get("d") or "") or None
