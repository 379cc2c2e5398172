import pytest
from django.urls import reverse
from django.utils import translation

from appeals.community import services
from appeals.community.models import Comment, CommentReport, ModerationEntry
from appeals.problems.models import PublicProblem
from cabinets.roles import Role
from tests.factories import CitizenFactory, UserFactory, member

from .factories import PublicAppealFactory

pytestmark = pytest.mark.django_db


def test_comments_are_sanitised_markdown():
    appeal = PublicAppealFactory()
    comment = services.add_comment(
        appeal=appeal,
        user=UserFactory(),
        text="**Да**, <script>alert(1)</script> [ссылка](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    assert "<strong>Да</strong>" in comment.text_html
    html = comment.text_html
    assert "<script" not in html and "<img" not in html  # raw HTML stays text
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    link = services.add_comment(
        appeal=appeal, user=UserFactory(), text="[карта](https://example.org)"
    )
    assert 'href="https://example.org"' in link.text_html and "nofollow" in link.text_html
    assert PublicProblem.objects.get(pk=appeal.pk).comment_count == 2


def test_comments_are_rate_limited_with_a_clear_reason():
    appeal, user = PublicAppealFactory(), UserFactory()
    for n in range(services.COMMENTS_PER_WINDOW):
        services.add_comment(appeal=appeal, user=user, text=f"Комментарий {n}")
    with translation.override("en"), pytest.raises(services.CommunityRefused, match="too often"):
        services.add_comment(appeal=appeal, user=user, text="Ещё один")
    services.add_comment(appeal=appeal, user=UserFactory(), text="Другой человек")  # per user
    assert Comment.objects.filter(appeal=appeal).count() == services.COMMENTS_PER_WINDOW + 1


def test_comment_form_keeps_the_input_and_shows_the_error(client):
    appeal, user = PublicAppealFactory(), UserFactory()
    client.force_login(user)
    url = reverse("community:comments", args=[appeal.pk])
    for n in range(services.COMMENTS_PER_WINDOW):
        assert client.post(url, {"text": f"Текст {n}"}).status_code == 302
    with translation.override("en"):
        response = client.post(url, {"text": "Мой неотправленный текст"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Мой неотправленный текст" in page
    assert 'class="errorlist' in page
    response = client.get(url)
    assert response.status_code == 200 and "Текст 4" in response.content.decode()
    response = client.post(url, {"text": "   "})
    assert response.status_code == 400


def test_comments_are_paginated(client):
    appeal = PublicAppealFactory()
    for n in range(25):
        Comment.objects.create(
            appeal=appeal, author=UserFactory(), text=f"c{n}", text_html=f"<p>номер-{n}</p>"
        )
    url = reverse("community:comments", args=[appeal.pk])
    first = client.get(url).content.decode()
    assert "номер-0<" in first and "номер-24<" not in first
    assert "номер-24<" in client.get(url + "?page=2").content.decode()


def test_staff_comments_are_official_and_staff_of_the_holding_cabinet_hide_with_a_reason(client):
    appeal = PublicAppealFactory()
    official = member(appeal.cabinet, Role.EXECUTOR)
    assert services.add_comment(appeal=appeal, user=official, text="Работы назначены").is_official
    comment = services.add_comment(appeal=appeal, user=UserFactory(), text="Грубость")
    assert not comment.is_official

    outsider = member(role=Role.HEAD)  # staff of another cabinet
    client.force_login(outsider)
    hide_url = reverse("community_service:hide_comment", args=[comment.pk])
    assert client.get(hide_url).status_code == 404
    assert client.post(hide_url, {"reason": "нет"}).status_code == 404

    client.force_login(official)
    assert client.post(hide_url, {"reason": ""}).status_code == 400
    assert client.post(hide_url, {"reason": "Оскорбления"}).status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "Оскорбления"
    assert ModerationEntry.objects.get(comment=comment).actor == official
    assert PublicProblem.objects.get(pk=appeal.pk).comment_count == 1
    page = client.get(reverse("problems:detail", args=[appeal.pk])).content.decode()
    assert "Оскорбления" in page and "Грубость" not in page
    assert "Работы назначены" in page


def test_a_user_reports_a_comment_once(client):
    appeal = PublicAppealFactory()
    comment = services.add_comment(appeal=appeal, user=UserFactory(), text="Реклама")
    reporter = CitizenFactory()
    client.force_login(reporter)
    url = reverse("community:report_comment", args=[comment.pk])
    assert client.get(url).status_code == 405
    client.post(url, {"reason": "спам"})
    client.post(url, {"reason": "спам"})
    assert CommentReport.objects.filter(comment=comment).count() == 1
    head = member(appeal.cabinet, Role.HEAD)
    client.force_login(head)
    page = client.get(reverse("community_service:reported_comments")).content.decode()
    assert "Реклама" in page
