"""Pages: the public list (filters, pagination, empty state), the discussion page, "my
proposals", the resident's proposal form, and the service cabinet (outsiders get a 404)."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from consultations.discussions import services
from consultations.discussions.models import Decision, Discussion
from consultations.discussions.workflow import Status
from tests.factories import CabinetFactory, CitizenFactory, TerritoryFactory, UserFactory, member

from .factories import DRAFT_MD, CommentFactory, DiscussionFactory, docx_bytes

pytestmark = pytest.mark.django_db


def test_public_list_filters_paginates_and_hides_drafts(client, django_assert_max_num_queries):
    roads, parks = CabinetFactory(short_name="Дороги"), CabinetFactory(short_name="Парки")
    district = TerritoryFactory(name="Северный")
    DiscussionFactory(cabinet=roads, title="Проект о дорогах", territory=district)
    DiscussionFactory(cabinet=parks, title="Проект о парках", status=Status.SCHEDULED)
    DiscussionFactory(cabinet=parks, title="Черновик", status=Status.DRAFT)
    DiscussionFactory(cabinet=parks, title="На модерации", status=Status.MODERATION)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("discussions:list")).content.decode()
    assert "Проект о дорогах" in html and "Проект о парках" in html
    assert "Черновик" not in html and "На модерации" not in html
    by_cabinet = client.get(reverse("discussions:list"), {"cabinet": roads.pk}).content.decode()
    assert "Проект о дорогах" in by_cabinet and "Проект о парках" not in by_cabinet
    by_status = client.get(reverse("discussions:list"), {"status": "scheduled"}).content.decode()
    assert "Проект о парках" in by_status and "Проект о дорогах" not in by_status
    by_place = client.get(reverse("discussions:list"), {"territory": district.pk}).content.decode()
    assert "Проект о дорогах" in by_place and "Проект о парках" not in by_place
    empty = client.get(reverse("discussions:list"), {"q": "ничего такого"}).content.decode()
    assert "No discussions match these filters." in empty
    for n in range(21):
        DiscussionFactory(cabinet=roads, title=f"Серия {n}", text="")
    first = client.get(reverse("discussions:list")).content.decode()
    assert "Page 1 of 2" in first
    assert 'rel="next"' in first


def test_drafts_are_not_public_pages(client):
    for status in (Status.DRAFT, Status.MODERATION, Status.REJECTED):
        discussion = DiscussionFactory(status=status)
        assert client.get(discussion.get_absolute_url()).status_code == 404


def test_discussion_page_shows_sections_counts_and_a_form_per_paragraph(
    client, django_assert_max_num_queries
):
    discussion = DiscussionFactory()
    for _ in range(3):
        CommentFactory(discussion=discussion, kind="wording")
    client.force_login(CitizenFactory())
    with django_assert_max_num_queries(20):
        html = client.get(discussion.get_absolute_url()).content.decode()
    assert '<h2 id="section-' in html and "Общие положения" in html and "Порядок работ" in html
    assert "Comments on paragraph 1: 3" in html and "Comments on paragraph 2: 0" in html
    assert html.count('class="comment-form"') == 4  # every paragraph, without JavaScript
    assert "<summary>" in html and "<legend>Your comment on paragraph 1</legend>" in html


def test_anonymous_visitor_is_asked_to_sign_in(client):
    discussion = DiscussionFactory()
    html = client.get(discussion.get_absolute_url()).content.decode()
    assert "Sign in to take part." in html and 'class="comment-form"' not in html
    paragraph = discussion.current_version().paragraphs.first()
    response = client.post(reverse("discussions:comment", args=[discussion.pk, paragraph.pk]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_my_proposals_show_decisions_once_published(client):
    citizen = CitizenFactory()
    discussion = DiscussionFactory(status=Status.COMPLETED, title="Проект о парковках")
    comment = CommentFactory(discussion=discussion, author=citizen, text="Моё предложение")
    Decision.objects.create(
        comment=comment, outcome="accepted", reason="Учтено полностью", decided_by=UserFactory()
    )
    client.force_login(citizen)
    html = client.get(reverse("discussions:my")).content.decode()
    assert "Проект о парковках" in html and "Моё предложение" in html
    assert "Учтено полностью" not in html and "not yet published" in html
    discussion.status = Status.RESULTS_PUBLISHED
    discussion.save()
    assert "Учтено полностью" in client.get(reverse("discussions:my")).content.decode()
    client.force_login(CitizenFactory())
    assert (
        "You have not commented on any draft yet."
        in client.get(reverse("discussions:my")).content.decode()
    )


def test_personal_section_links_to_my_proposals():
    html = render_to_string("discussions/_personal_section.html")
    assert reverse("discussions:my") in html and reverse("discussions:list") in html


def test_R28_resident_proposal_form_keeps_what_was_typed_and_sends_to_moderation(client):
    cabinet = CabinetFactory()
    citizen = CitizenFactory(birth_date=timezone.localdate() - timedelta(days=365 * 40))
    client.force_login(citizen)
    response = client.post(
        reverse("discussions:propose"),
        {"cabinet": cabinet.pk, "title": "Правила тишины", "summary": "Важно", "markdown": ""},
    )
    assert response.status_code == 400
    assert 'value="Правила тишины"' in response.content.decode()
    response = client.post(
        reverse("discussions:propose"),
        {
            "cabinet": cabinet.pk,
            "title": "Правила тишины",
            "summary": "Важно",
            "markdown": DRAFT_MD,
        },
    )
    assert response.status_code == 302
    discussion = Discussion.objects.get(title="Правила тишины")
    assert discussion.status == Status.MODERATION and discussion.initiator == citizen
    assert "Правила тишины" in client.get(reverse("discussions:my")).content.decode()
    client.force_login(UserFactory())  # e-mail only: refused with the reason
    refused = client.get(reverse("discussions:propose"))
    assert refused.status_code == 403 and "verification level" in refused.content.decode()


# The service cabinet ---------------------------------------------------------------------


@pytest.fixture
def cabinet():
    return CabinetFactory()


@pytest.fixture
def head(cabinet):
    return member(cabinet, "head")


def test_service_lists_do_not_grow_queries_with_their_rows(
    client, cabinet, head, django_assert_max_num_queries
):
    client.force_login(head)
    discussion = DiscussionFactory(cabinet=cabinet, status=Status.COMPLETED)
    for _ in range(2):
        DiscussionFactory(cabinet=cabinet, status=Status.MODERATION, proposed_by_resident=True)
        CommentFactory(discussion=discussion, kind="wording")
    index = reverse("discussions_service:index")
    comments = reverse("discussions_service:comments", args=[discussion.pk])
    with django_assert_max_num_queries(30) as few:
        client.get(index)
        client.get(comments)
    for _ in range(10):
        DiscussionFactory(cabinet=cabinet, status=Status.MODERATION, proposed_by_resident=True)
        CommentFactory(discussion=discussion, kind="wording")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(index)
        client.get(comments)


def test_service_pages_are_for_the_cabinet_only(client, cabinet, head):
    discussion = DiscussionFactory(cabinet=cabinet)
    pages = [
        reverse("discussions_service:card", args=[discussion.pk]),
        reverse("discussions_service:comments", args=[discussion.pk]),
        reverse("discussions_service:edit", args=[discussion.pk]),
    ]
    client.force_login(member(CabinetFactory(), "head"))  # staff of another cabinet
    assert all(client.get(url).status_code == 404 for url in pages)
    client.force_login(CitizenFactory())  # not staff at all
    assert all(client.get(url).status_code == 404 for url in pages)
    client.force_login(member(cabinet, "registrar", mfa=False))  # no second factor yet
    assert client.get(pages[0])["Location"] == reverse("accounts:mfa_required")
    client.force_login(head)
    assert all(client.get(url).status_code in (200, 302) for url in pages)
    index = client.get(reverse("discussions_service:index")).content.decode()
    assert discussion.title in index and reverse("discussions_service:create") in index
    client.force_login(member(cabinet, "executor"))  # decides, but does not create
    index = client.get(reverse("discussions_service:index")).content.decode()
    assert discussion.title in index and reverse("discussions_service:create") not in index
    assert client.get(reverse("discussions_service:create")).status_code == 404


def test_service_create_from_docx_then_moderate_and_schedule(client, cabinet, head):
    client.force_login(head)
    now = timezone.localtime()
    data = {
        "cabinet": cabinet.pk,
        "title": "Проект устава",
        "summary": "",
        "starts_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "eligible_verification": "resident",
        "document": SimpleUploadedFile(
            "устав.docx", docx_bytes([("Heading1", "Глава 1"), ("", "Статья первая.")])
        ),
    }
    response = client.post(reverse("discussions_service:create"), data)
    assert response.status_code == 400  # closes before it opens: everything typed is kept
    assert 'value="Проект устава"' in response.content.decode()
    data["ends_at"] = (now + timedelta(days=24)).strftime("%Y-%m-%dT%H:%M")
    data["document"] = SimpleUploadedFile(
        "устав.docx", docx_bytes([("Heading1", "Глава 1"), ("", "Статья первая.")])
    )
    response = client.post(reverse("discussions_service:create"), data)
    discussion = Discussion.objects.get(title_ru="Проект устава")  # whatever the language
    assert response["Location"] == reverse("discussions_service:card", args=[discussion.pk])
    assert discussion.current_version().paragraphs.get().text == "Статья первая."
    card = client.get(response["Location"]).content.decode()
    assert "Send to moderation" in card and "Статья первая." in card
    client.post(reverse("discussions_service:act", args=[discussion.pk, "submit"]))
    client.post(reverse("discussions_service:act", args=[discussion.pk, "approve"]))
    discussion.refresh_from_db()
    assert discussion.status == Status.SCHEDULED
    refused = client.post(
        reverse("discussions_service:act", args=[discussion.pk, "terminate"]),
        {"terminate-reason": "technical_error", "terminate-note": ""},
    )
    assert refused.status_code == 400
    discussion.refresh_from_db()
    assert discussion.status == Status.SCHEDULED


def test_service_version_upload_refuses_a_non_docx_file_clearly(client, cabinet, head):
    discussion = DiscussionFactory(cabinet=cabinet, status=Status.SCHEDULED)
    client.force_login(head)
    response = client.post(
        reverse("discussions_service:new_version", args=[discussion.pk]),
        {"document": SimpleUploadedFile("v2.docx", b"not a word file"), "note": "Правки"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a Word document (.docx)" in html and 'value="Правки"' in html
    assert discussion.versions.count() == 1


def test_service_decisions_moderation_and_publication_through_the_pages(
    client, cabinet, head, django_capture_on_commit_callbacks
):
    discussion = DiscussionFactory(cabinet=cabinet, status=Status.COMPLETED)
    comment = CommentFactory(discussion=discussion, text="Добавить скамейки")
    spam = CommentFactory(discussion=discussion, text="Реклама казино")
    client.force_login(head)
    url = reverse("discussions_service:decide", args=[comment.pk])
    response = client.post(url, {f"c{comment.pk}-outcome": "accepted", f"c{comment.pk}-reason": ""})
    assert response.status_code == 400  # the reason is required and the choice is kept
    assert re.search(r'value="accepted"[^>]*checked', response.content.decode())
    assert "Give the reason for the decision" in response.content.decode()
    client.post(url, {f"c{comment.pk}-outcome": "accepted", f"c{comment.pk}-reason": "Учтено"})
    client.post(
        reverse("discussions_service:hide", args=[spam.pk]),
        {f"h{spam.pk}-reason": "advertising", f"h{spam.pk}-note": ""},
    )
    spam.refresh_from_db()
    assert spam.is_hidden and comment.decision.outcome == "accepted"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("discussions_service:act", args=[discussion.pk, "publish_results"]),
            {"publish_results-confirm": "on"},
        )
    assert response.status_code == 302
    discussion.refresh_from_db()
    assert discussion.status == Status.RESULTS_PUBLISHED
    pending = client.get(
        reverse("discussions_service:comments", args=[discussion.pk]), {"state": "hidden"}
    ).content.decode()
    assert "Реклама казино" in pending and "Добавить скамейки" not in pending
    services.run_calendar()  # nothing to do for a published discussion
    discussion.refresh_from_db()
    assert discussion.status == Status.RESULTS_PUBLISHED


def test_service_edit_before_opening_and_frozen_after(client, cabinet, head):
    discussion = DiscussionFactory(cabinet=cabinet, status=Status.SCHEDULED)
    client.force_login(head)
    url = reverse("discussions_service:edit", args=[discussion.pk])
    form = client.get(url).content.decode()
    assert discussion.title in form
    start = timezone.localtime(discussion.starts_at)
    data = {
        "title": "Уточнённое название",
        "summary": "",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "eligible_verification": "resident",
    }
    assert client.post(url, data).status_code == 302
    discussion.refresh_from_db()
    assert discussion.title == "Уточнённое название"
    assert discussion.events.filter(action="edit").exists()
    discussion.status = Status.ACTIVE
    discussion.save()
    response = client.post(url, {**data, "title": "Поздно"})
    assert response.status_code == 302  # R29: frozen, back to the card with the reason
    discussion.refresh_from_db()
    assert discussion.title == "Уточнённое название"


def test_admin_lists_discussions_comments_with_moderation_filters_and_decisions(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    discussion = DiscussionFactory(title="Проект в админке")
    comment = CommentFactory(discussion=discussion, text="Спам-ссылка")
    client.force_login(admin)
    pages = {
        "admin:discussions_discussion_changelist": [],
        "admin:discussions_discussion_change": [discussion.pk],
        "admin:discussions_comment_changelist": [],
        "admin:discussions_comment_change": [comment.pk],
        "admin:discussions_decision_changelist": [],
    }
    for name, args in pages.items():
        assert client.get(reverse(name, args=args)).status_code == 200, name
    queue = client.get(
        reverse("admin:discussions_comment_changelist"), {"decided": "no", "is_hidden__exact": "0"}
    ).content.decode()
    assert "Проект в админке" in queue
    client.post(
        reverse("admin:discussions_comment_changelist"),
        {"action": "hide_as_ads", "_selected_action": [comment.pk]},
    )
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "advertising"
