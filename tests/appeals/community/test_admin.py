import pytest
from django.urls import reverse

from appeals.community import services
from appeals.community.models import Comment
from tests.factories import UserFactory

from .factories import PublicAppealFactory, offset

pytestmark = pytest.mark.django_db


def test_the_administrator_reads_every_community_list_and_hides_comments(admin_client):
    appeal = PublicAppealFactory()
    user = UserFactory()
    comment = services.add_comment(appeal=appeal, user=user, text="Спам")
    services.report_comment(comment=comment, user=UserFactory(), reason="реклама")
    services.subscribe_area(user=user, latitude=offset()[0], longitude=offset()[1], radius_m=300)
    for model in (
        "support",
        "follow",
        "comment",
        "commentreport",
        "moderationentry",
        "areasubscription",
        "stillnotfixed",
    ):
        response = admin_client.get(reverse(f"admin:community_{model}_changelist"))
        assert response.status_code == 200, model
    url = reverse("admin:community_comment_changelist")
    assert "Спам" in admin_client.get(url + "?reported=open").content.decode()
    admin_client.post(url, {"action": "hide_selected", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.is_hidden and comment.moderation.count() == 1
    assert not Comment.objects.filter(reports__resolved=False).exists()
