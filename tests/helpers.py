"""Small helpers shared by tests."""

from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import TestCase

from edem.core.events import AppealChanged, publish


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


def appeal_changed(appeal):
    """Publish what a service publishes when it changes an appeal, and deliver it now (the
    public projection and the followers' alerts subscribe to it). For appeals that a test
    creates or changes directly, without a service: factories, ``appeal.save()``."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        publish(AppealChanged(appeal_id=appeal.pk, cabinet_id=appeal.cabinet_id, action="save"))
    return appeal
