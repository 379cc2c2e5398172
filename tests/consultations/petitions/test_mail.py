"""Every petition mail renders, in the recipient's language, with its own message."""

import pytest

from edem.notifications.models import Notification
from edem.notifications.services import render
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db

EVENTS = {
    "published": "collects signatures until 31 December 2026",
    "refused": "Ground: Obscene language. Brань",
    "threshold": "has collected 250 signatures",
    "consideration": "The decision is due by 31 December 2026",
    "answered": "has answered your petition",
    "answered_signer": "that you signed",
    "expired": "turn it into an appeal",
    "to_moderate": "waits for moderation",
    "threshold_addressee": "Announce the start of its consideration",
    "overdue_moderation": "should have been published or refused",
    "overdue_announce": "should have been announced",
    "overdue_decision": "was due by 31 December 2026",
}


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_status_mail_renders_each_event(event):
    person = CitizenFactory(language="en", first_name="Ann", last_name="Lee", patronymic="")
    notification = Notification.objects.create(
        recipient=person,
        email=person.email,
        language="en",
        template="petitions/status",
        context={
            "event": event,
            "title": "Crossing at school 5",
            "number": "7",
            "cabinet": "Roads department",
            "path": "/petitions/7/",
            "threshold": 250,
            "count": 250,
            "ends": "2026-12-31",
            "due": "2026-12-31",
            "ground": "Obscene language",
            "reason": "Brань",
            "result": "Supported",
        },
    )
    subject, text, html = render(notification)
    assert subject.startswith("Petition No. 7")
    assert EVENTS[event] in text and "/petitions/7/" in html and "Hello, Lee Ann!" in text


def test_confirmation_mail_has_the_link():
    person = CitizenFactory(language="ru")
    notification = Notification.objects.create(
        recipient=person,
        email=person.email,
        language="ru",
        template="petitions/confirm_signature",
        context={"title": "Переход", "number": "3", "path": "/petitions/confirm/abc/"},
    )
    subject, text, html = render(notification)
    assert (
        "3" in subject and "/petitions/confirm/abc/" in text and "/petitions/confirm/abc/" in html
    )
