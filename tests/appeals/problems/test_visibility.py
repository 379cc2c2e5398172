"""A non-public appeal is invisible everywhere public; personal data never leaks (R13, R18)."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.models import Answer, Appeal, Attachment
from appeals.problems.models import PublicProblem
from tests.factories import UserFactory
from tests.helpers import appeal_changed

from .helpers import personal_appeal, personal_values, photo, public_appeal

pytestmark = pytest.mark.django_db


def status(client, url):
    response = client.get(url)
    if response.streaming:  # read it through, which closes the file
        b"".join(response.streaming_content)
    return response.status_code


BOX = {"bbox": "37.9,55.9,38.1,56.1", "zoom": "14"}


def public_pages(client, appeal):
    pages = [
        client.get(reverse("problems:detail", args=[appeal.pk])),
        client.get(reverse("problems:list")),
        client.get(reverse("map:problems_json"), BOX),
        client.get(reverse("map:index")),
        client.get(reverse("home")),
        client.get(reverse("problems:feed_rss")),
        client.get(reverse("problems:feed_atom")),
    ]
    return pages


def test_projection_follows_is_public():
    appeal = public_appeal()
    assert PublicProblem.objects.filter(pk=appeal.pk).exists()
    appeal.is_public = False
    appeal.save()
    appeal_changed(appeal)
    assert not PublicProblem.objects.filter(pk=appeal.pk).exists()
    appeal.is_public = True
    appeal.status = "in_work"
    appeal.save()
    appeal_changed(appeal)
    problem = PublicProblem.objects.get(pk=appeal.pk)
    assert problem.get_state_display() == "Being dealt with"


def test_non_public_appeal_is_invisible_everywhere(client):
    visible = public_appeal(subject="Видимая проблема")
    hidden = public_appeal(subject="Скрытая проблема", is_public=False)
    attachment = photo(hidden)
    assert client.get(reverse("problems:detail", args=[hidden.pk])).status_code == 404
    for url in (
        reverse("problems:photo", args=[hidden.pk, attachment.pk]),
        reverse("problems:photo_thumb", args=[hidden.pk, attachment.pk]),
        reverse("problems:photo", args=[visible.pk, attachment.pk]),  # another problem's id
    ):
        assert status(client, url) == 404
    data = client.get(reverse("map:problems_json"), BOX).json()
    assert data["kind"] == "points"
    assert [p[0] for p in data["points"]] == [visible.pk]
    listing = client.get(reverse("problems:list")).content.decode()
    assert "Видимая проблема" in listing and "Скрытая проблема" not in listing
    home = client.get(reverse("home")).content.decode()
    assert "Видимая проблема" in home and "Скрытая проблема" not in home
    for feed in ("problems:feed_rss", "problems:feed_atom"):
        body = client.get(reverse(feed)).content.decode()
        assert "Видимая проблема" in body and "Скрытая проблема" not in body


def test_unpublishing_removes_it_at_once(client):
    appeal = public_appeal(subject="Была публичной")
    attachment = photo(appeal)
    assert status(client, reverse("problems:photo", args=[appeal.pk, attachment.pk])) == 200
    assert client.get(reverse("map:problems_json"), BOX).json()["total"] == 1  # now cached
    appeal.is_public = False
    appeal.save()
    appeal_changed(appeal)
    assert client.get(reverse("problems:detail", args=[appeal.pk])).status_code == 404
    assert status(client, reverse("problems:photo", args=[appeal.pk, attachment.pk])) == 404
    assert client.get(reverse("map:problems_json"), BOX).json()["total"] == 0
    assert "Была публичной" not in client.get(reverse("problems:list")).content.decode()


def test_scans_of_paper_appeals_are_never_public(client):
    appeal = public_appeal()
    scan = photo(appeal, stage=Attachment.Stage.SCAN)
    assert status(client, reverse("problems:photo", args=[appeal.pk, scan.pk])) == 404


def test_no_personal_data_on_any_public_page_or_json(client):
    appeal = personal_appeal()
    photo(appeal)
    problem = PublicProblem.objects.get(pk=appeal.pk)
    for field in problem._meta.concrete_fields:
        value = str(getattr(problem, field.attname))
        for secret in personal_values(appeal):
            assert secret not in value, (field.name, secret)
    for response in public_pages(client, appeal):
        assert response.status_code == 200
        body = response.content.decode()
        for secret in personal_values(appeal):
            assert secret not in body, (response.request["PATH_INFO"], secret)
    assert (
        "Фонарь не горит"
        in client.get(reverse("problems:detail", args=[appeal.pk])).content.decode()
    )


def test_author_name_only_when_chosen(client):
    appeal = personal_appeal()
    url = reverse("problems:detail", args=[appeal.pk])
    assert "Аристарх" not in client.get(url).content.decode()
    appeal = Appeal.objects.get(pk=appeal.pk)
    appeal.show_author_name = True
    appeal.save()
    appeal_changed(appeal)
    body = client.get(url).content.decode()
    assert "Аристарх Засекреченный" in body
    assert "Евлампиевич" not in body  # the name, not more
    assert "secret.author@example.org" not in body


def test_R13_public_answer_without_personal_data(client):
    appeal = personal_appeal()
    signer = UserFactory()
    Answer.objects.create(
        appeal=appeal,
        text=(
            "Уважаемый Аристарх Евлампиевич!\n\nФонарь заменён 1 июня. Ответ направлен по адресу "
            "Демоград, ул. Тайная, д. 13, кв. 77 и на secret.author@example.org."
        ),
        drafted_by=signer,
        signed_by=signer,
        signer_name="Б. Б. Подписантов",
        signer_position="Начальник управления",
        signed_at=timezone.now(),
        on_time=True,
    )
    appeal.status = "answered"
    appeal.answered_at = timezone.now()
    appeal.save()
    appeal_changed(appeal)
    body = client.get(reverse("problems:detail", args=[appeal.pk])).content.decode()
    assert "Фонарь заменён 1 июня." in body
    assert "Начальник управления" in body and "Б. Б. Подписантов" in body
    assert "Уважаемый" not in body  # the greeting line named the citizen: dropped
    for secret in personal_values(appeal):
        assert secret not in body
    problem = PublicProblem.objects.get(pk=appeal.pk)
    assert problem.answered_on_time is True


def test_json_has_no_text_fields(client):
    appeal = personal_appeal()
    raw = client.get(reverse("map:problems_json"), BOX).content.decode()
    data = json.loads(raw)
    assert data["points"][0][0] == appeal.pk
    assert "Сломан" not in raw and "@" not in raw


def test_mine_filter_needs_sign_in_and_shows_only_own(client):
    mine = public_appeal()
    public_appeal()
    data = client.get(reverse("map:problems_json"), {**BOX, "mine": "on"}).json()
    assert data["total"] == 2  # anonymous: the filter is not offered, so it is ignored
    client.force_login(mine.author)
    data = client.get(reverse("map:problems_json"), {**BOX, "mine": "on"}).json()
    assert [p[0] for p in data["points"]] == [mine.pk]


def test_counts_of_the_home_page_skip_non_public(client):
    public_appeal()
    public_appeal(is_public=False)
    from appeals.problems.selectors import month_counts

    assert month_counts()["filed"] == 1
