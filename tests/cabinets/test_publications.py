from datetime import timedelta
from html.parser import HTMLParser

import feedparser
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cabinets import services
from cabinets.models import Publication
from cabinets.roles import Role
from edem.core.markup import sanitize_html
from tests.factories import CabinetFactory, PublicationFactory, TerritoryFactory, member

pytestmark = pytest.mark.django_db

HOSTILE = (
    "Hello <script>alert('x')</script>\n\n"
    '[click](javascript:alert(1)) <a href="javascript:alert(2)" onclick="evil()">raw</a>\n\n'
    "<img src=x onerror=alert(3)> [ok](https://example.org)"
)


class _Tags(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_harmless(html):
    for tag, attrs in _Tags(html).tags:
        assert tag not in ("script", "iframe", "object", "style"), tag
        assert not any(name.startswith("on") for name in attrs), attrs
        for name in ("href", "src"):
            assert (
                not (attrs.get(name) or "").strip().lower().startswith(("javascript:", "data:"))
            ), attrs


def test_markdown_is_sanitised_no_script_no_javascript_links():
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    publication = services.save_publication(
        actor=head, cabinet=cabinet, publish=True, title="T", body=HOSTILE
    )
    assert_harmless(publication.body_html)
    assert ("a", {"href": "https://example.org", "rel": "noopener noreferrer nofollow"}) in _Tags(
        publication.body_html
    ).tags


def test_raw_html_is_cleaned_by_the_sanitiser():
    html = sanitize_html(
        '<p onclick="x()">a</p><script>alert(1)</script><a href="javascript:alert(1)">b</a>'
        '<img src="javascript:alert(2)" onerror="y()"><iframe src="https://evil"></iframe>'
        '<a href="JaVaScRiPt:alert(3)">c</a><a href="https://ok.example">d</a>'
    )
    assert_harmless(html)
    assert "https://ok.example" in html and ">b<" in html


def test_published_page_shows_sanitised_html(client):
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    publication = services.save_publication(
        actor=head, cabinet=cabinet, publish=True, title="Заголовок", body=HOSTILE
    )
    page = client.get(publication.get_absolute_url()).content.decode()
    assert "Заголовок" in page
    assert "<script>alert" not in page
    assert_harmless(page.split('<article class="prose">')[1].split("</article>")[0])


def test_only_publishers_of_the_cabinet_may_publish():
    cabinet = CabinetFactory()
    executor = member(cabinet, Role.EXECUTOR)
    with pytest.raises(PermissionDenied):
        services.save_publication(
            actor=executor, cabinet=cabinet, publish=True, title="T", body="b"
        )
    outsider_head = member(CabinetFactory(), Role.HEAD)
    with pytest.raises(PermissionDenied):
        services.save_publication(
            actor=outsider_head, cabinet=cabinet, publish=True, title="T", body="b"
        )


def test_drafts_and_future_publications_are_not_public(client):
    draft = PublicationFactory(status=Publication.Status.DRAFT, published_at=None, title="Черновик")
    future = PublicationFactory(published_at=timezone.now() + timedelta(days=1), title="Завтра")
    visible = PublicationFactory(title="Сегодня")
    listing = client.get(reverse("cabinets:publication_list")).content.decode()
    assert "Сегодня" in listing and "Черновик" not in listing and "Завтра" not in listing
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404
    assert client.get(visible.get_absolute_url()).status_code == 200


def test_list_filters_by_cabinet_and_territory_and_paginates(client):
    housing, roads = CabinetFactory(code="housing"), CabinetFactory(code="roads")
    north = TerritoryFactory(name="North")
    PublicationFactory(cabinet=housing, title="Вода", territory=north)
    PublicationFactory(cabinet=roads, title="Мост")
    for i in range(13):
        PublicationFactory(cabinet=roads, title=f"Дорога {i}")
    by_cabinet = client.get(
        reverse("cabinets:publication_list"), {"cabinet": "housing"}
    ).content.decode()
    assert "Вода" in by_cabinet and "Мост" not in by_cabinet
    by_territory = client.get(
        reverse("cabinets:publication_list"), {"territory": north.pk}
    ).content.decode()
    assert "Вода" in by_territory and "Мост" not in by_territory
    first = client.get(reverse("cabinets:publication_list"), {"cabinet": "roads"}).content.decode()
    assert 'rel="next"' in first and "cabinet=roads&amp;page=2" in first
    empty = client.get(reverse("cabinets:publication_list"), {"q": "нет такого"}).content.decode()
    assert "empty-state" in empty


def test_list_issues_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(12):
        PublicationFactory()
    with django_assert_max_num_queries(8):
        client.get(reverse("cabinets:publication_list"))


@pytest.mark.parametrize("name", ["feed_rss", "feed_atom"])
def test_overall_feeds_validate_and_list_published_items(client, name):
    PublicationFactory(title="В ленте", body_html="<p>текст</p>")
    PublicationFactory(title="Черновик", status=Publication.Status.DRAFT, published_at=None)
    response = client.get(reverse(f"cabinets:{name}"))
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version in ("rss20", "atom10")
    assert [entry.title for entry in feed.entries] == ["В ленте"]


@pytest.mark.parametrize("name", ["cabinet_feed_rss", "cabinet_feed_atom"])
def test_cabinet_feeds_contain_only_that_cabinet(client, name):
    one, other = CabinetFactory(), CabinetFactory()
    PublicationFactory(cabinet=one, title="Своя")
    PublicationFactory(cabinet=other, title="Чужая")
    feed = feedparser.parse(client.get(reverse(f"cabinets:{name}", args=[one.code])).content)
    assert not feed.bozo
    assert [entry.title for entry in feed.entries] == ["Своя"]
    assert client.get(reverse(f"cabinets:{name}", args=["no-such"])).status_code == 404


def test_official_publishes_through_the_service_cabinet_form(client):
    cabinet = CabinetFactory()
    registrar = member(cabinet, Role.REGISTRAR)
    client.force_login(registrar)
    url = reverse("service:publication_new", args=[cabinet.code])
    # An error keeps what was typed.
    response = client.post(
        url, {"kind": "news", "title": "", "body": "Текст о ремонте", "publish": "on"}
    )
    assert response.status_code == 200
    assert "Текст о ремонте" in response.content.decode()
    response = client.post(
        url, {"kind": "news", "title": "Ремонт", "body": "Текст о ремонте", "publish": "on"}
    )
    assert response.status_code == 302
    publication = Publication.objects.get(title="Ремонт")
    assert publication.is_visible and publication.author == registrar


def test_executor_cannot_open_the_publication_form(client):
    cabinet = CabinetFactory()
    client.force_login(member(cabinet, Role.EXECUTOR))
    assert client.get(reverse("service:publication_new", args=[cabinet.code])).status_code == 403
    other = CabinetFactory()
    assert client.get(reverse("service:publication_new", args=[other.code])).status_code == 404


def test_publisher_unpublishes_after_confirming_and_readers_no_longer_see_it(client):
    cabinet = CabinetFactory()
    head = member(cabinet, Role.HEAD)
    publication = PublicationFactory(cabinet=cabinet, title="Отключение воды")
    reader = Client()
    assert reader.get(publication.get_absolute_url()).status_code == 200
    client.force_login(head)
    url = reverse("service:publication_unpublish", args=[cabinet.code, publication.pk])
    edit = client.get(reverse("service:publication_edit", args=[cabinet.code, publication.pk]))
    assert url in edit.content.decode()  # the action is offered on the publication's form
    cabinet_page = reverse("service:cabinet", args=[cabinet.code])
    assert url in client.get(cabinet_page).content.decode()  # and in the cabinet's list
    confirm = client.get(url)  # a page that asks first changes nothing
    assert confirm.status_code == 200 and "Отключение воды" in confirm.content.decode()
    publication.refresh_from_db()
    assert publication.status == Publication.Status.PUBLISHED
    assert client.post(url).status_code == 302
    publication.refresh_from_db()
    assert publication.status == Publication.Status.DRAFT
    assert publication.title == "Отключение воды"  # kept as a draft, text and all
    assert reader.get(publication.get_absolute_url()).status_code == 404
    listing = reader.get(reverse("cabinets:publication_list")).content.decode()
    assert "Отключение воды" not in listing
    assert client.get(url).status_code == 404  # a draft has nothing to unpublish
    assert url not in client.get(cabinet_page).content.decode()


def test_only_a_publisher_of_the_cabinet_may_unpublish(client):
    cabinet = CabinetFactory()
    publication = PublicationFactory(cabinet=cabinet)
    url = reverse("service:publication_unpublish", args=[cabinet.code, publication.pk])
    client.force_login(member(cabinet, Role.EXECUTOR))
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    client.force_login(member(CabinetFactory(), Role.HEAD))
    assert client.post(url).status_code == 404
    publication.refresh_from_db()
    assert publication.status == Publication.Status.PUBLISHED
    with pytest.raises(PermissionDenied):
        services.unpublish(actor=member(cabinet, Role.EXECUTOR), publication=publication)


def test_the_publication_form_takes_every_language_and_keeps_them_on_an_error(client):
    cabinet = CabinetFactory()
    client.force_login(member(cabinet, Role.HEAD))
    url = reverse("service:publication_new", args=[cabinet.code])
    typed = {
        "kind": "news",
        "title": "",
        "title_uk": "Ремонт дороги",
        "title_en": "Road repair",
        "body": "Текст",
        "body_uk": "Текст українською",
        "publish": "on",
    }
    response = client.post(url, typed, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["title"]  # required in the default language only
    page = response.content.decode()
    for value in ("Ремонт дороги", "Road repair", "Текст українською"):
        assert value in page
    for name in ("title_uk", "title_en", "body_uk", "body_en", "summary_uk"):
        assert f'name="{name}"' in page
    assert client.post(url, {**typed, "title": "Ремонт"}).status_code == 302
    publication = Publication.objects.get(title_ru="Ремонт")
    assert (publication.title_uk, publication.title_en) == ("Ремонт дороги", "Road repair")
    assert "українською" in publication.body_html_uk
    assert publication.body_en in ("", None)


def test_readers_see_the_publication_in_their_language_or_the_default(client):
    cabinet = CabinetFactory()
    client.force_login(member(cabinet, Role.HEAD))
    client.post(
        reverse("service:publication_new", args=[cabinet.code]),
        {
            "kind": "news",
            "title": "Ремонт моста",
            "title_uk": "Ремонт мосту",
            "body": "Мост закрыт",
            "body_uk": "Міст закрито",
            "publish": "on",
        },
    )
    publication = Publication.objects.get(title_ru="Ремонт моста")
    ukrainian = Client()
    ukrainian.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    page = ukrainian.get(publication.get_absolute_url()).content.decode()
    assert "Ремонт мосту" in page and "Міст закрито" in page
    assert "Ремонт моста" not in page
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get(publication.get_absolute_url()).content.decode()
    assert "Ремонт моста" in page and "Мост закрыт" in page  # no English text: the default
