"""A notification keeps one Message-ID however often it is delivered: derived from its outbox
row and the site's domain, so a mail sent twice (a worker died after the SMTP server accepted
it, before the row was marked sent) is recognisably one message to every mail server."""

import pytest

from edem.notifications import services
from edem.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_repeated_delivery_carries_the_same_message_id(smtp_settings, settings):
    settings.SITE_URL = "https://edem.demograd.example"
    citizen = UserFactory(language="ru")
    notification = services.notify(
        template="appeals/status",
        recipient=citizen,
        subject="Ваше обращение зарегистрировано",
        body_text="Номер 1",
    )
    other = services.notify(
        template="appeals/status", recipient=citizen, subject="Второе", body_text="Номер 2"
    )
    assert services.deliver(notification.pk) == Notification.Status.SENT
    # The worker died before its commit: the row is pending again and is delivered again.
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.PENDING)
    assert services.deliver(notification.pk) == Notification.Status.SENT
    assert services.deliver(other.pk) == Notification.Status.SENT

    first, again, second = smtp_settings.messages_to(citizen.email)[-3:]
    expected = f"<notification-{notification.pk}@edem.demograd.example>"
    assert first["Message-ID"] == again["Message-ID"] == expected
    assert second["Message-ID"] == f"<notification-{other.pk}@edem.demograd.example>"
    assert first["X-Edem-Notification"] == str(notification.pk)
