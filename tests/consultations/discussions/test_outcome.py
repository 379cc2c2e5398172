"""R31: comments are moderated; every comment and proposal gets a decision with a reason before
the outcome is published (page and PDF); participants are told; the archive keeps it all."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from consultations.discussions import services
from consultations.discussions.models import Decision
from consultations.discussions.workflow import Status
from edem.core.workflow import TransitionNotAllowed
from edem.documents.pdf import html_to_pdf
from tests.factories import CabinetFactory, CitizenFactory, member
from tests.helpers import read_streaming

from .factories import CommentFactory, DiscussionFactory

pytestmark = pytest.mark.django_db


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def cabinet():
    return CabinetFactory(name="Управление благоустройства")


@pytest.fixture
def head(cabinet):
    return member(cabinet, "head")


@pytest.fixture
def executor(cabinet):
    return member(cabinet, "executor")


def test_R31_every_proposal_must_be_considered_before_the_outcome_is_published(
    cabinet, head, executor
):
    discussion = DiscussionFactory(cabinet=cabinet, status=Status.COMPLETED)
    first = CommentFactory(discussion=discussion, kind="wording", text="Новая редакция пункта.")
    second = CommentFactory(discussion=discussion)
    spam = CommentFactory(discussion=discussion, text="Купите окна недорого!")
    services.hide_comment(comment=spam, actor=head, reason="advertising")
    services.decide(comment=first, actor=executor, outcome="accepted", reason="Учтено в п. 2.")
    with pytest.raises(TransitionNotAllowed, match="1 still without a decision"):
        services.publish_results(discussion=discussion, actor=head)
    with pytest.raises(TransitionNotAllowed):  # a decision needs its reason
        services.decide(comment=second, actor=executor, outcome="rejected", reason="  ")
    with pytest.raises(TransitionNotAllowed):  # a hidden comment is not decided on
        services.decide(comment=spam, actor=executor, outcome="not_related", reason="Реклама")
    services.decide(comment=second, actor=executor, outcome="partly_accepted", reason="Частично.")
    services.decide(comment=second, actor=head, outcome="rejected", reason="Противоречит закону.")
    assert Decision.objects.get(comment=second).outcome == "rejected"  # revised, not duplicated
    discussion = services.publish_results(discussion=discussion, actor=head)
    assert discussion.status == Status.RESULTS_PUBLISHED and discussion.results_published_at
    with pytest.raises(TransitionNotAllowed):  # decisions are frozen once published
        services.decide(comment=second, actor=head, outcome="accepted", reason="Передумали")


def test_R31_decisions_are_made_only_after_the_period_by_the_responsible_cabinet(cabinet, head):
    discussion = DiscussionFactory(cabinet=cabinet, status=Status.ACTIVE)
    comment = CommentFactory(discussion=discussion)
    with pytest.raises(TransitionNotAllowed):
        services.decide(comment=comment, actor=head, outcome="accepted", reason="Рано")
    discussion.status = Status.COMPLETED
    discussion.save()
    stranger = member(CabinetFactory(), "head")
    with pytest.raises(TransitionNotAllowed):
        services.decide(comment=comment, actor=stranger, outcome="accepted", reason="Чужой")
    observer = member(cabinet, "observer")
    with pytest.raises(TransitionNotAllowed):
        services.decide(comment=comment, actor=observer, outcome="accepted", reason="Наблюдатель")


def test_R31_outcome_page_and_pdf_report_and_participants_are_notified(
    client, cabinet, head, django_capture_on_commit_callbacks
):
    discussion = DiscussionFactory(
        cabinet=cabinet, status=Status.COMPLETED, title="Проект правил содержания собак"
    )
    named = CitizenFactory(last_name="Кузнецова", first_name="Ольга", patronymic="")
    hidden_name = CitizenFactory(last_name="Тайнов", first_name="Пётр", patronymic="")
    supporter = CitizenFactory()
    proposal = CommentFactory(
        discussion=discussion, kind="wording", author=named, show_name=True,
        text="Разрешить выгул в скверах до 8 утра.",
    )  # fmt: skip
    plain = CommentFactory(discussion=discussion, author=hidden_name, text="Нужны урны.")
    proposal.supports.create(user=supporter, voter_key="k" * 64)
    services.decide(
        comment=proposal, actor=head, outcome="partly_accepted", reason="Только в Сквере Победы."
    )
    services.decide(
        comment=plain, actor=head, outcome="not_related", reason="Вопрос благоустройства."
    )
    assert client.get(reverse("discussions:outcome", args=[discussion.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_results(discussion=discussion, actor=head)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [named.email, hidden_name.email, supporter.email]
    )
    assert all(reverse("discussions:outcome", args=[discussion.pk]) in m.body for m in mail.outbox)

    page = client.get(reverse("discussions:outcome", args=[discussion.pk])).content.decode()
    assert "Кузнецова Ольга" in page and "Тайнов" not in page and "a resident" in page
    assert "Partly accepted" in page and "Только в Сквере Победы." in page
    assert "Not related to the draft" in page and "Вопрос благоустройства." in page

    response = client.get(reverse("discussions:outcome_pdf", args=[discussion.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "Проект правил содержания собак" in text and "Управление благоустройства" in text
    assert "Разрешить выгул в скверах до 8 утра." in text and "Кузнецова Ольга" in text
    assert "Только в Сквере Победы." in text and "Тайнов" not in text


def test_R31_comments_are_moderated_hidden_with_the_reason_in_place(client, cabinet, head):
    discussion = DiscussionFactory(cabinet=cabinet)
    rude = CommentFactory(discussion=discussion, text="Грубое слово")
    executor = member(cabinet, "executor")
    with pytest.raises(TransitionNotAllowed):  # an executor does not moderate
        services.hide_comment(comment=rude, actor=executor, reason="obscenity")
    with pytest.raises(TransitionNotAllowed):
        services.hide_comment(comment=rude, actor=head, reason="dislike")
    services.hide_comment(comment=rude, actor=head, reason="obscenity", note="Нецензурная брань")
    page = client.get(discussion.get_absolute_url()).content.decode()
    assert "Грубое слово" not in page
    assert "Hidden by the moderator: Obscene language." in page and "Нецензурная брань" in page
    assert discussion.events.filter(action="hide_comment", actor=head).exists()
    services.restore_comment(comment=rude, actor=head)
    assert "Грубое слово" in client.get(discussion.get_absolute_url()).content.decode()
    moderator = CitizenFactory()  # a portal-wide moderator, not in the cabinet
    with pytest.raises(TransitionNotAllowed):
        services.hide_comment(comment=rude, actor=moderator, reason="hate")
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    moderator = type(moderator).objects.get(pk=moderator.pk)  # fresh permission cache
    services.hide_comment(comment=rude, actor=moderator, reason="hate")
    rude.refresh_from_db()
    assert rude.is_hidden and rude.hidden_by == moderator


def test_R31_results_archive_lists_published_outcomes_with_the_adopted_text(client, cabinet, head):
    published = DiscussionFactory(
        cabinet=cabinet, status=Status.RESULTS_PUBLISHED, title="Архивный"
    )
    DiscussionFactory(cabinet=cabinet, status=Status.ACTIVE, title="Текущий")
    archive = client.get(reverse("discussions:list"), {"status": "results_published"})
    html = archive.content.decode()
    assert "Архивный" in html and "Текущий" not in html
    pdf = html_to_pdf("<p>Решение совета № 5</p>")
    with pytest.raises(TransitionNotAllowed, match="not a PDF"):
        services.attach_final_text(
            discussion=published,
            actor=head,
            upload=SimpleUploadedFile("act.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100),
        )
    with pytest.raises(TransitionNotAllowed):
        services.attach_final_text(
            discussion=published,
            actor=member(cabinet, "registrar"),
            upload=SimpleUploadedFile("act.pdf", pdf),
        )
    services.attach_final_text(
        discussion=published, actor=head, upload=SimpleUploadedFile("Решение.pdf", pdf)
    )
    response = client.get(reverse("discussions:final_text", args=[published.pk]))
    assert response.status_code == 200
    assert "Решение совета № 5" in pdf_text(read_streaming(response))
    assert (
        reverse("discussions:final_text", args=[published.pk])
        in client.get(reverse("discussions:outcome", args=[published.pk])).content.decode()
    )
