"""R27: residents comment on a paragraph or propose a new wording; R30: supports go through the
shared eligibility check, one per person (a database constraint)."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from consultations.discussions import services
from consultations.discussions.models import Comment, Support
from consultations.discussions.workflow import Status
from consultations.eligibility import NotEligible, voter_key
from edem.core.workflow import TransitionNotAllowed
from tests.factories import CitizenFactory, TerritoryFactory, UserFactory

from .factories import CommentFactory, DiscussionFactory


def _first_paragraph(discussion):
    return discussion.current_version().paragraphs.order_by("order").first()


@pytest.mark.django_db
def test_R27_residents_comment_on_a_paragraph_and_propose_a_wording_shown_as_they_chose(client):
    discussion = DiscussionFactory()
    paragraph = _first_paragraph(discussion)
    anna = CitizenFactory(last_name="Смирнова", first_name="Анна", patronymic="")
    boris = CitizenFactory(last_name="Орлов", first_name="Борис", patronymic="")
    client.force_login(anna)
    url = reverse("discussions:comment", args=[discussion.pk, paragraph.pk])
    prefix = f"p{paragraph.pk}"
    response = client.post(
        url,
        {f"{prefix}-kind": "wording", f"{prefix}-text": "Изложить в новой редакции: «…».",
         f"{prefix}-show_name": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    client.force_login(boris)
    client.post(url, {f"{prefix}-kind": "comment", f"{prefix}-text": "Согласен с проектом."})
    comments = list(Comment.objects.filter(paragraph=paragraph).order_by("pk"))
    assert [(c.kind, c.author) for c in comments] == [("wording", anna), ("comment", boris)]
    page = client.get(discussion.get_absolute_url())
    html = page.content.decode()
    assert f"Comments on paragraph {paragraph.order}: 2" in html
    assert "Смирнова Анна" in html  # she chose to show her name
    assert "Орлов" not in html  # he did not
    assert "Изложить в новой редакции" in html and "Согласен с проектом." in html


@pytest.mark.django_db
def test_R27_a_comment_form_with_errors_keeps_what_was_typed(client):
    discussion = DiscussionFactory()
    paragraph = _first_paragraph(discussion)
    client.force_login(CitizenFactory())
    prefix = f"p{paragraph.pk}"
    response = client.post(
        reverse("discussions:comment", args=[discussion.pk, paragraph.pk]),
        {f"{prefix}-kind": "nonsense", f"{prefix}-text": "Мой текст остаётся"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Мой текст остаётся" in html and '<details class="paragraph-comments" open>' in html
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_R27_comments_only_while_active_and_on_the_current_version():
    discussion = DiscussionFactory(status=Status.SCHEDULED)
    citizen = CitizenFactory()
    paragraph = _first_paragraph(discussion)
    with pytest.raises(TransitionNotAllowed):
        services.add_comment(paragraph=paragraph, actor=citizen, kind="comment", text="Рано")
    late = DiscussionFactory(ends_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(TransitionNotAllowed):  # the beat has not run yet, the period is over
        services.add_comment(
            paragraph=_first_paragraph(late), actor=citizen, kind="comment", text="x"
        )
    active = DiscussionFactory()
    with pytest.raises(TransitionNotAllowed):
        services.add_comment(
            paragraph=_first_paragraph(active), actor=citizen, kind="comment", text=" "
        )


@pytest.mark.django_db
def test_R30_an_ineligible_user_is_refused_with_the_reason(client):
    district = TerritoryFactory(name="Заречный район")
    discussion = DiscussionFactory(eligible_territory=district)
    paragraph = _first_paragraph(discussion)
    outsider = CitizenFactory(territory=TerritoryFactory(name="Другой район"))
    with translation.override("en"), pytest.raises(NotEligible) as refused:
        services.add_comment(paragraph=paragraph, actor=outsider, kind="comment", text="Текст")
    assert str(refused.value.reason).startswith(
        "Only members of the community of Заречный район may take part"
    )
    client.force_login(outsider)
    prefix = f"p{paragraph.pk}"
    response = client.post(
        reverse("discussions:comment", args=[discussion.pk, paragraph.pk]),
        {f"{prefix}-kind": "comment", f"{prefix}-text": "Текст"},
    )
    assert response.status_code == 403
    assert "Заречный район" in response.content.decode()
    page = client.get(discussion.get_absolute_url()).content.decode()
    assert "Заречный район" in page and "Publish the comment" not in page
    unverified = UserFactory()
    proposal = CommentFactory(discussion=discussion, kind="wording")
    with pytest.raises(NotEligible):
        services.support(comment=proposal, actor=unverified)
    assert not Comment.objects.filter(author=outsider).exists() and not Support.objects.exists()


@pytest.mark.django_db
def test_R30_support_a_proposal_once_per_person(client):
    discussion = DiscussionFactory()
    proposal = CommentFactory(discussion=discussion, kind="wording")
    plain = CommentFactory(discussion=discussion, kind="comment")
    citizen = CitizenFactory()
    client.force_login(citizen)
    url = reverse("discussions:support", args=[proposal.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # refused politely the second time
    assert proposal.supports.count() == 1
    with pytest.raises(TransitionNotAllowed, match="already"):
        services.support(comment=proposal, actor=citizen)
    with pytest.raises(TransitionNotAllowed):  # a plain comment is not supported
        services.support(comment=plain, actor=citizen)
    with pytest.raises(TransitionNotAllowed):  # nor one's own proposal
        services.support(comment=proposal, actor=proposal.author)
    # the database itself refuses a second voice of the same person
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(comment=proposal, user=citizen, voter_key=voter_key(citizen))
    page = client.get(discussion.get_absolute_url()).content.decode()
    assert "You support it" in page and "Supported by 1 person" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks)")
@pytest.mark.django_db(transaction=True)
def test_R30_parallel_supports_of_one_person_count_once():
    discussion = DiscussionFactory()
    proposal = CommentFactory(discussion=discussion, kind="wording")
    citizen = CitizenFactory()
    results, errors = [], []
    barrier = threading.Barrier(6)

    def work():
        try:
            barrier.wait()
            services.support(comment=proposal, actor=citizen)
            results.append("ok")
        except TransitionNotAllowed:
            results.append("refused")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == ["ok"] + ["refused"] * 5
    assert Support.objects.filter(comment=proposal).count() == 1
