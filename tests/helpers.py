"""Small helpers shared by tests."""

from django.core.signals import request_finished
from django.db import close_old_connections


def read_streaming(response):
    """The body of a streaming response (FileResponse), closing its file the way Django's test
    client does for ordinary responses: without letting ``request_finished`` close the test's
    database connection."""
    body = b"".join(response.streaming_content)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return body


def record_second_factor(client, user):
    """Write into the client's session what allauth records after a sign-in with the second
    factor: the service cabinet demands it (edem.accounts.mfa)."""
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )

    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
