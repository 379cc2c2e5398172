from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from appeals.community import services
from appeals.community.models import StillNotFixed
from appeals.models import Appeal
from cabinets.roles import Role
from edem.notifications.models import Notification
from tests.factories import CitizenFactory, UserFactory, member
from tests.helpers import appeal_changed, read_streaming

from .factories import PublicAppealFactory, photo_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered():
    return PublicAppealFactory(
        status="answered", answered_at=timezone.now() - timedelta(days=3), subject="Яма у дома 7"
    )


def test_R18_a_follower_reports_still_not_fixed_with_a_photo_shown_publicly_without_a_name(
    client, answered
):
    follower = CitizenFactory()
    services.follow(appeal=answered, user=follower)
    client.force_login(follower)
    url = reverse("community:still_not_fixed", args=[answered.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Яма на месте"})  # no photo: kept input, error
    assert response.status_code == 400 and "Яма на месте" in response.content.decode()
    not_a_photo = SimpleUploadedFile("x.pdf", b"%PDF-1.4 a\n%%EOF", content_type="application/pdf")
    assert client.post(url, {"text": "Яма", "photo": not_a_photo}).status_code == 400
    response = client.post(url, {"text": "Яма на месте", "photo": photo_upload()})
    assert response.status_code == 302
    report = StillNotFixed.objects.get(appeal=answered)
    assert report.status == "open" and report.photo_type == "image/png"
    client.logout()
    page = client.get(reverse("problems:detail", args=[answered.pk])).content.decode()
    assert "Яма на месте" in page and follower.last_name not in page
    photo = client.get(reverse("community:still_photo", args=[answered.pk, report.pk]))
    assert photo.status_code == 200 and read_streaming(photo).startswith(b"\x89PNG")
    # The appeal leaves the public map: the photo goes with it.
    Appeal.objects.filter(pk=answered.pk).update(is_public=False)
    answered.refresh_from_db()
    answered.save()
    appeal_changed(answered)
    assert (
        client.get(reverse("community:still_photo", args=[answered.pk, report.pk])).status_code
        == 404
    )


def test_only_followers_within_30_days_of_an_answer(answered):
    stranger = CitizenFactory()
    with pytest.raises(services.CommunityRefused):
        services.report_still_not_fixed(
            appeal=answered, user=stranger, text="x", photo=photo_upload()
        )
    services.follow(appeal=answered, user=stranger)
    services.report_still_not_fixed(appeal=answered, user=stranger, text="x", photo=photo_upload())
    with pytest.raises(services.CommunityRefused):  # one open report per person
        services.report_still_not_fixed(
            appeal=answered, user=stranger, text="y", photo=photo_upload()
        )
    old = PublicAppealFactory(status="answered", answered_at=timezone.now() - timedelta(days=31))
    services.follow(appeal=old, user=stranger)
    with pytest.raises(services.CommunityRefused, match="30"):
        services.report_still_not_fixed(appeal=old, user=stranger, text="x", photo=photo_upload())
    in_work = PublicAppealFactory(status="in_work")
    services.follow(appeal=in_work, user=stranger)
    assert services.still_not_fixed_refusal(in_work, stranger)


def test_the_head_replies_publicly_and_followers_are_told(
    client, answered, django_capture_on_commit_callbacks
):
    follower = CitizenFactory(language="uk")
    services.follow(appeal=answered, user=follower)
    report = services.report_still_not_fixed(
        appeal=answered, user=follower, text="Не сделано", photo=photo_upload()
    )
    executor = member(answered.cabinet, Role.EXECUTOR)
    head = member(answered.cabinet, Role.HEAD)
    outsider = member(role=Role.HEAD)
    detail = reverse("community_service:still_detail", args=[report.pk])

    client.force_login(outsider)
    assert client.get(detail).status_code == 404
    assert "Не сделано" not in client.get(reverse("community_service:still_list")).content.decode()
    client.force_login(executor)
    assert client.get(detail).status_code == 200
    client.post(reverse("community_service:still_reply", args=[report.pk]), {"reply-reply": "Нет"})
    report.refresh_from_db()
    assert report.status == "open"  # only the head decides

    client.force_login(head)
    assert "Не сделано" in client.get(reverse("community_service:still_list")).content.decode()
    page = client.get(detail).content.decode()
    assert reverse("community_service:still_reopen", args=[report.pk]) in page  # the service exists
    assert (
        client.post(
            reverse("community_service:still_reply", args=[report.pk]), {"reply-reply": ""}
        ).status_code
        == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("community_service:still_reply", args=[report.pk]),
            {"reply-reply": "Ремонт по графику в мае"},
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "replied" and report.replied_by == head
    told = Notification.objects.get(template="community/still_reply", email=follower.email)
    assert told.language == "uk"
    assert any(
        "Ремонт по графику" in m.body and "/problems/unsubscribe/" in m.body for m in mail.outbox
    )
    client.logout()
    assert (
        "Ремонт по графику в мае"
        in client.get(reverse("problems:detail", args=[answered.pk])).content.decode()
    )


def test_the_head_reopens_the_case(client, answered, django_capture_on_commit_callbacks):
    follower, other = CitizenFactory(), UserFactory()
    services.follow(appeal=answered, user=follower)
    services.follow(appeal=answered, user=other)
    report = services.report_still_not_fixed(
        appeal=answered, user=follower, text="Не сделано", photo=photo_upload()
    )
    head = member(answered.cabinet, Role.HEAD)
    client.force_login(head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("community_service:still_reopen", args=[report.pk]),
            {"reopen-reason": "Проверка подтвердила"},
        )
    assert response.status_code == 302
    report.refresh_from_db()
    answered.refresh_from_db()
    assert report.status == "reopened" and answered.status == "reopened"
    alerts = Notification.objects.filter(
        template="community/event", context__action="reopen_by_head"
    )
    assert {n.email for n in alerts} == {follower.email, other.email}
