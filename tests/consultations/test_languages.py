"""Consultations' own texts in every language (issue 16): what a cabinet writes about a
discussion, a poll (its questions and options) or a participatory budget is kept per language
(django-modeltranslation), read in the reader's language with the Russian text when a
translation is empty; the service cabinet's forms and the admin take every language; mails
carry the recipient's; the demo town is complete in ru, uk and en."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from cabinets.roles import Role
from consultations.budgets.models import BudgetCategory, BudgetCycle
from consultations.discussions.models import Discussion, DraftVersion
from consultations.polls import services as poll_services
from consultations.polls.models import Option, Poll, Question
from consultations.polls.workflow import Status as PollStatus
from edem.notifications.models import Notification
from edem.notifications.services import render
from tests.factories import CabinetFactory, CitizenFactory, member

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture
def head():
    return member(CabinetFactory(code="adm"), Role.HEAD)


def test_a_poll_is_read_in_the_readers_language_with_russian_for_an_empty_translation(head):
    cabinet = head.memberships.get().cabinet
    start = timezone.now() + timedelta(days=2)
    poll = poll_services.create_poll(
        actor=head,
        cabinet=cabinet,
        title={"ru": "Опрос о парках", "uk": "Опитування про парки", "en": "A poll on parks"},
        description={"ru": "Описание", "en": "Description"},
        starts_at=start,
        ends_at=start + timedelta(days=14),
    )
    question = poll_services.save_question(
        poll=poll,
        actor=head,
        text={"ru": "Какой парк?", "uk": "Який парк?", "en": "Which park?"},
        kind=Question.Kind.SINGLE,
        options=[{"ru": "Северный", "en": "Northern"}, "Южный"],
    )
    poll = Poll.objects.get(pk=poll.pk)
    with translation.override("uk"):
        assert (poll.title, poll.description) == ("Опитування про парки", "Описание")
        assert Question.objects.get(pk=question.pk).text == "Який парк?"
    with translation.override("en"):
        assert Poll.objects.get(pk=poll.pk).title == "A poll on parks"
        assert [o.text for o in Option.objects.filter(question=question)] == ["Northern", "Южный"]


def test_a_plain_string_is_the_russian_text_whatever_language_the_official_works_in(head):
    cabinet = head.memberships.get().cabinet
    start = timezone.now() + timedelta(days=2)
    with translation.override("uk"):
        poll = poll_services.create_poll(
            actor=head,
            cabinet=cabinet,
            title="Опрос",
            starts_at=start,
            ends_at=start + timedelta(days=14),
        )
        poll_services.update_poll(poll=poll, actor=head, title="Опрос о дорогах")
    poll = Poll.objects.get(pk=poll.pk)
    assert (poll.title_ru, poll.title_uk) == ("Опрос о дорогах", None)


def test_the_service_cabinets_poll_forms_take_every_language(client, head):
    client.force_login(head)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    page = client.get(reverse("polls_service:new")).content.decode()
    for name in ("title", "title_uk", "title_en", "description", "description_en"):
        assert f'name="{name}"' in page, name
    start = timezone.localtime() + timedelta(days=2)
    response = client.post(
        reverse("polls_service:new"),
        {
            "cabinet": head.memberships.get().cabinet_id,
            "title": "Новый опрос",
            "title_uk": "Нове опитування",
            "title_en": "A new poll",
            "description": "Описание",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
            "results_visibility": "live",
            "eligible_verification": "resident",
        },
    )
    assert response.status_code == 302
    poll = Poll.objects.get(title_ru="Новый опрос")
    assert (poll.title_uk, poll.title_en) == ("Нове опитування", "A new poll")
    url = reverse("polls_service:question_new", args=[poll.pk])
    data = {"text": "Что важнее?", "text_en": "What matters more?", "kind": "single"}
    bad = {**data, "options": "Дороги\nШколы", "options_en": "Roads"}
    response = client.post(url, bad)
    assert response.status_code == 400 and "Roads" in response.content.decode()  # kept
    assert client.post(url, {**bad, "options_en": "Roads\nSchools"}).status_code == 302
    question = poll.questions.get()
    assert (question.text_ru, question.text_en) == ("Что важнее?", "What matters more?")
    assert [(o.text_ru, o.text_en) for o in question.options.order_by("order")] == [
        ("Дороги", "Roads"),
        ("Школы", "Schools"),
    ]
    edit = client.get(reverse("polls_service:question_edit", args=[poll.pk, question.pk]))
    assert "Roads\nSchools" in edit.content.decode()


def test_a_poll_mail_names_the_poll_in_the_recipients_language(head):
    cabinet = head.memberships.get().cabinet
    ukrainian, russian = CitizenFactory(language="uk"), CitizenFactory(language="ru")
    for initiator in (ukrainian, russian):
        Poll.objects.create(
            cabinet=cabinet,
            initiator=initiator,
            title_ru="Опрос о парках",
            title_uk="Опитування про парки",
            status=PollStatus.SCHEDULED,
            starts_at=timezone.now() - timedelta(minutes=1),
            ends_at=timezone.now() + timedelta(days=14),
        )
    with translation.override("ru"):  # the calendar opens both: each initiator is told
        assert poll_services.advance_by_date() == (2, 0)
    mails = Notification.objects.filter(template="polls/status")
    _subject, text, _html = render(mails.get(recipient=ukrainian))
    assert "Опитування про парки" in text and "Опрос о парках" not in text
    _subject, text, _html = render(mails.get(recipient=russian))
    assert "Опрос о парках" in text


@pytest.mark.parametrize(
    "url, fields",
    [
        ("admin:polls_poll_add", ["title", "description", "decision", "text"]),
        ("admin:budgets_budgetcycle_add", ["title", "description", "name"]),
    ],
)
def test_the_admin_edits_every_language(admin_client, url, fields):
    html = admin_client.get(reverse(url)).content.decode()
    for field in fields:
        for code in LANGUAGES:
            assert f"{field}_{code}" in html, f"{field}_{code}"


def test_the_admin_corrects_a_discussions_title_in_every_language(admin_client, head):
    discussion = Discussion.objects.create(
        cabinet=head.memberships.get().cabinet,
        initiator=head,
        title_ru="Правила",
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(days=14),
    )
    html = admin_client.get(
        reverse("admin:discussions_discussion_change", args=[discussion.pk])
    ).content.decode()
    for code in LANGUAGES:
        assert f'name="title_{code}"' in html and f'name="summary_{code}"' in html
    assert 'name="status"' not in html  # the workflow stays read-only


@pytest.fixture
def demo():
    call_command("seed_demo", quiet=True, bare=True)
    call_command("seed_demo_consultations", quiet=True, stdout=StringIO())


def test_the_demo_towns_consultations_are_complete_in_every_language(demo):
    official = {
        Discussion.objects.filter(proposed_by_resident=False): ("title", "summary"),
        DraftVersion.objects.filter(discussion__proposed_by_resident=False): ("note",),
        Poll.objects.filter(initiator_kind="cabinet"): ("title", "description"),
        Question.objects.filter(poll__initiator_kind="cabinet"): ("text", "help_text"),
        Option.objects.filter(question__poll__initiator_kind="cabinet"): ("text",),
        BudgetCycle.objects.all(): ("title", "description", "description_html"),
        BudgetCategory.objects.all(): ("name", "description"),
    }
    for queryset, fields in official.items():
        assert queryset.exists(), queryset.model
        for row in queryset:
            for field in fields:
                values = [getattr(row, f"{field}_{code}") for code in LANGUAGES]
                if values[0]:
                    assert all(values), (row, field, values)
    done = Poll.objects.filter(decision_ru__gt="").get()
    assert done.decision_uk and done.decision_en
