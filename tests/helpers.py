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


def form_values(html, form_id=None):
    """The values a browser would submit from the admin's change form (the form whose id ends
    in ``_form``, or the form with ``form_id``) of ``html``: inputs, checked boxes, selected options and textareas. Lets a test post an
    admin change form with one field changed, inlines and management forms included."""
    from html.parser import HTMLParser

    class _Parser(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.values, self.in_form, self.done = {}, False, False
            self.select = self.textarea = None
            self.option_value = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if self.done:
                return
            wanted = a.get("id") == form_id if form_id else (a.get("id") or "").endswith("_form")
            if tag == "form" and wanted:
                self.in_form = True
            if not self.in_form:
                return
            name = a.get("name")
            if tag == "input" and name:
                kind = a.get("type", "text")
                if kind in ("checkbox", "radio"):
                    if "checked" in a:
                        self.values.setdefault(name, []).append(a.get("value", "on"))
                elif kind not in ("submit", "button", "file", "image"):
                    self.values.setdefault(name, []).append(a.get("value", ""))
            elif tag == "select" and name:
                self.select = name
                self.values.setdefault(name, [])
            elif tag == "option" and self.select and "selected" in a:
                self.values[self.select].append(a.get("value", ""))
            elif tag == "textarea" and name:
                self.textarea = name
                self.values[name] = [""]

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea" and self.textarea:
                text = self.values[self.textarea][0]
                self.values[self.textarea][0] = text[1:] if text.startswith("\n") else text
                self.textarea = None
            elif tag == "form" and self.in_form:
                self.in_form, self.done = False, True

        def handle_data(self, data):
            if self.textarea:
                self.values[self.textarea][0] += data

    parser = _Parser()
    parser.feed(html)
    return {
        name: (values if len(values) > 1 else values[0] if values else "")
        for name, values in parser.values.items()
    }
