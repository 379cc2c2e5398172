"""Reference data in every language (django-modeltranslation, issue 16): categories, cabinets,
territories, positions, answer templates, news, monitoring indicators and reception schedules
read in the reader's language, with the Russian value when the translation is empty; the admin
edits every language; mails show the data in their recipient's language."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from appeals import services
from appeals.models import AnswerTemplate, Category, ClassifierCode
from appeals.workflow import Status
from cabinets.models import Cabinet, Membership
from cabinets.roles import Role
from edem.core.i18n import in_every_language, resolved, translated_values
from edem.geo.models import Territory
from edem.notifications.models import Notification
from edem.notifications.services import render
from tests.factories import (
    AppealFactory,
    CabinetFactory,
    CitizenFactory,
    PublicationFactory,
    member,
)

pytestmark = pytest.mark.django_db

ROADS = {"name_ru": "Дорожный отдел", "name_uk": "Дорожній відділ", "name_en": "Roads Department"}
POTHOLES = {"name_ru": "Ямы", "name_uk": "Ями", "name_en": "Potholes"}


@pytest.fixture
def appeal():
    cabinet = CabinetFactory(**ROADS)
    category = Category.objects.create(**POTHOLES)
    return AppealFactory(cabinet=cabinet, category=category)


def page(client, appeal, language):
    client.force_login(appeal.author)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("appeals:my_detail", args=[appeal.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["uk", "en"])
def test_a_page_shows_the_category_and_the_cabinet_in_the_readers_language(
    client, appeal, language
):
    html = page(client, appeal, language)
    assert ROADS[f"name_{language}"] in html and POTHOLES[f"name_{language}"] in html
    assert ROADS["name_ru"] not in html and POTHOLES["name_ru"] not in html


def test_an_empty_translation_reads_as_the_russian_value(client, appeal):
    Category.objects.filter(pk=appeal.category_id).update(name_en="")
    Cabinet.objects.filter(pk=appeal.cabinet_id).update(name_en=None)
    html = page(client, appeal, "en")
    assert ROADS["name_ru"] in html and POTHOLES["name_ru"] in html
    with translation.override("uk"):
        assert Category.objects.get(pk=appeal.category_id).name == "Ями"


def test_a_value_given_without_a_language_fills_the_russian_column_whatever_the_language():
    # Category(name=...) in a Ukrainian request: the default language is never left blank.
    with translation.override("uk"):
        category = Category.objects.create(name="Освітлення")
        territory = Territory.objects.create(name="Зарічний район")
    category.refresh_from_db(), territory.refresh_from_db()
    assert category.name_ru == category.name_uk == "Освітлення"
    assert territory.name_ru == "Зарічний район"
    assert Category.objects.create(name="Освещение").name_ru == "Освещение"  # ru by default


def test_a_mail_to_a_ukrainian_speaking_citizen_names_the_cabinet_in_ukrainian(
    django_capture_on_commit_callbacks,
):
    cabinet = CabinetFactory(**ROADS)
    registrar = member(cabinet, Role.REGISTRAR)
    ukrainian = AppealFactory(cabinet=cabinet, author=CitizenFactory(language="uk"))
    russian = AppealFactory(cabinet=cabinet, author=CitizenFactory(language="ru"))
    with translation.override("ru"):  # the registrar works in Russian
        services.register(appeal=ukrainian, actor=registrar)
        services.register(appeal=russian, actor=registrar)
    mails = Notification.objects.filter(template="appeals/status", context__event="registered")
    _subject, text, html = render(mails.get(recipient=ukrainian.author))
    assert "Дорожній відділ" in text and "Дорожній відділ" in html
    assert "Дорожный отдел" not in text
    _subject, text, _html = render(mails.get(recipient=russian.author))
    assert "Дорожный отдел" in text


def test_a_co_signer_with_an_account_is_invited_in_their_own_language():
    appeal = AppealFactory(status=Status.REGISTERED, number="ADM-1")
    CitizenFactory(email="susid@example.org", language="uk")
    services.invite_cosigners(
        appeal=appeal, actor=appeal.author, emails=["susid@example.org", "new@example.org"]
    )
    invitations = Notification.objects.filter(template="appeals/cosign_invitation")
    assert invitations.get(email="susid@example.org").language == "uk"
    assert invitations.get(email="new@example.org").language == appeal.author.language


def test_mail_context_keeps_every_language_and_resolves_to_the_recipients():
    cabinet = CabinetFactory(**ROADS)
    stored = {"cabinet": in_every_language(cabinet, "name"), "items": [{"n": 1}]}
    assert resolved(stored, "en") == {"cabinet": "Roads Department", "items": [{"n": 1}]}
    assert resolved(stored, "uk")["cabinet"] == "Дорожній відділ"
    assert resolved(stored, "de")["cabinet"] == "Дорожный отдел"  # the default language


@pytest.mark.parametrize(
    "url, fields",
    [
        ("admin:appeals_category_add", ["name"]),
        ("admin:appeals_answertemplate_add", ["title", "body"]),
        ("admin:cabinets_cabinet_add", ["name", "short_name", "description"]),
        ("admin:cabinets_publication_add", ["title", "summary", "body"]),
        ("admin:geo_territory_add", ["name"]),
        ("admin:appeals_classifiercode_add", ["name"]),
        ("admin:analytics_indicator_add", ["name", "unit", "source", "description"]),
        ("admin:reception_receptionschedule_add", ["official_position", "place", "topics"]),
    ],
)
def test_the_admin_edits_every_language(admin_client, url, fields):
    html = admin_client.get(reverse(url)).content.decode()
    for field in fields:
        for code, _name in settings.LANGUAGES:
            assert f'name="{field}_{code}"' in html, f"{field}_{code}"
    assert "jquery-ui" not in html.lower()  # the plain admin: nothing from a CDN


def test_an_admin_form_saves_every_language(admin_client):
    response = admin_client.post(
        reverse("admin:appeals_category_add"),
        {**POTHOLES, "order": 0, "is_active": "on"},
    )
    assert response.status_code == 302
    category = Category.objects.get()
    assert (category.name_ru, category.name_uk, category.name_en) == ("Ямы", "Ями", "Potholes")


def test_a_cabinets_position_is_translated():
    cabinet = CabinetFactory()
    membership = Membership.objects.create(
        cabinet=cabinet,
        user=CitizenFactory(),
        role=Role.HEAD,
        position_ru="Начальник управления",
        position_en="Head of department",
    )
    with translation.override("en"):
        assert Membership.objects.get(pk=membership.pk).position == "Head of department"
    with translation.override("uk"):  # no Ukrainian: the Russian one
        assert Membership.objects.get(pk=membership.pk).position == "Начальник управления"


def test_a_publication_is_rendered_in_each_language(client):
    publication = PublicationFactory(
        title_ru="Ремонт моста",
        title_en="Bridge repair",
        body_ru="Движение **ограничено**.",
        body_en="Traffic is **restricted**.",
    )
    publication.render_body()
    publication.save()
    publication.refresh_from_db()
    assert publication.body_html_en == "<p>Traffic is <strong>restricted</strong>.</p>\n"
    assert "<strong>ограничено</strong>" in publication.body_html_ru
    assert publication.body_html_uk == ""
    url = publication.get_absolute_url()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(url).content.decode()
    assert "Bridge repair" in html and "<strong>restricted</strong>" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    html = client.get(url).content.decode()  # no Ukrainian text: the Russian one
    assert "Ремонт моста" in html and "<strong>ограничено</strong>" in html


def test_an_answer_template_is_checked_in_every_language(admin_client):
    response = admin_client.post(
        reverse("admin:appeals_answertemplate_add"),
        {"title_ru": "Ответ", "body_ru": "Уважаемый {name}!", "body_en": "Dear {fio}!"},
    )
    assert response.status_code == 200
    assert not AnswerTemplate.objects.exists()


def test_demo_data_rows_fill_every_language():
    row = {"name": "Северный район", "name_en": "Northern District"}
    assert translated_values(row, "name", "description") == {
        "name_ru": "Северный район",
        "name_uk": "",
        "name_en": "Northern District",
    }


def test_ukrainian_classifier_names_are_ukrainian_in_the_ukrainian_column():
    # The data migration copies a Ukrainian profile's names into name_uk as well; codes
    # loaded afterwards by the migration's starter list are in the database already.
    code = ClassifierCode.objects.filter(profile="ua").first()
    if code is None:
        pytest.skip("no Ukrainian starter classifier loaded")
    assert code.name_uk and code.name_ru == code.name_uk
