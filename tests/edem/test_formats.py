"""Dates in the reader's language (issue 16): "5 января 2027 г.", "5 січня 2027 р.",
"5 January 2027" on pages, in mails and in PDFs; short dates day-first everywhere."""

import datetime
import io

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from pypdf import PdfReader

from appeals.letters import registration_card_pdf
from appeals.services import register
from cabinets.roles import Role
from edem.notifications.models import Notification
from edem.notifications.services import notify, render
from tests.factories import (
    AppealFactory,
    CabinetFactory,
    CitizenFactory,
    PublicationFactory,
    member,
)

pytestmark = pytest.mark.django_db

LONG = {"ru": "5 января 2027 г.", "uk": "5 січня 2027 р.", "en": "5 January 2027"}
SHORT = {"ru": "05.01.2027", "uk": "05.01.2027", "en": "05/01/2027"}


@pytest.mark.parametrize("language", ["ru", "uk", "en"])
def test_date_formats_by_name(language):
    day = datetime.date(2027, 1, 5)
    template = Template('{{ day|date }}|{{ day|date:"SHORT_DATE_FORMAT" }}|{{ day }}')
    with translation.override(language):
        assert (
            template.render(Context({"day": day}))
            == f"{LONG[language]}|{SHORT[language]}|{LONG[language]}"
        )


@pytest.mark.parametrize("language", ["ru", "uk", "en"])
def test_a_page_shows_the_date_in_the_readers_language(client, language):
    moment = timezone.make_aware(datetime.datetime(2026, 1, 5, 12, 0))  # already published
    PublicationFactory(title="Ярмарка", published_at=moment)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("cabinets:publication_list")).content.decode()
    assert LONG[language].replace("2027", "2026") in html
    assert "2026-01-05<" not in html and "01/05/2026" not in html


@pytest.mark.parametrize("language", ["ru", "uk", "en"])
def test_a_mail_shows_the_date_in_the_recipients_language(
    language, mailoutbox, django_capture_on_commit_callbacks
):
    citizen = CitizenFactory(language=language)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            template="appeals/status",
            recipient=citizen,
            context={"event": "received", "subject": "Яма", "due": "2027-01-05", "path": "/"},
        )
    [message] = mailoutbox
    assert LONG[language] in message.body
    assert LONG[language] in message.alternatives[0][0]
    assert "2027-01-05" not in message.body
    assert "г.." not in message.body and "р.." not in message.body  # one full stop, not two


def test_stored_date_times_come_back_in_the_portals_time_zone():
    moment = datetime.datetime(2027, 1, 5, 9, 30, tzinfo=datetime.UTC)  # 12:30 in Moscow
    notification = Notification(
        template="polls/status",
        email="a@example.org",
        language="en",
        context={"event": "approved", "title": "T", "cabinet": "C", "starts": moment.isoformat()},
    )
    subject, text, html = render(notification)
    assert "5 January 2027, 12:30" in text


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_pdf_shows_dates_day_first_in_the_readers_language(language):
    cabinet = CabinetFactory()
    appeal = register(appeal=AppealFactory(cabinet=cabinet), actor=member(cabinet, Role.REGISTRAR))
    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(registration_card_pdf(appeal, language=language))).pages
    )
    with translation.override(language):
        expected = date_format(timezone.localtime(appeal.registered_at), "SHORT_DATE_FORMAT")
    day = timezone.localtime(appeal.registered_at)
    assert expected == day.strftime("%d.%m.%Y" if language == "ru" else "%d/%m/%Y")
    assert expected in text
