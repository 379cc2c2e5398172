import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from appeals.community import services
from appeals.community.models import Follow, Support
from appeals.problems.models import PublicProblem
from tests.conftest import needs_services
from tests.factories import AppealFactory, CitizenFactory, UserFactory

from .factories import PublicAppealFactory

pytestmark = pytest.mark.django_db


def counts(appeal):
    problem = PublicProblem.objects.get(pk=appeal.pk)
    return problem.support_count, problem.follower_count


def test_the_author_follows_a_new_public_problem():
    appeal = PublicAppealFactory()
    assert Follow.objects.filter(appeal=appeal, user=appeal.author, reason="author").exists()
    assert counts(appeal) == (0, 1)


def test_support_is_idempotent_makes_the_supporter_follow_and_can_be_withdrawn():
    appeal, resident = PublicAppealFactory(), CitizenFactory()
    assert services.support(appeal=appeal, user=resident) is True
    assert services.support(appeal=appeal, user=resident) is False  # twice: one row
    assert Support.objects.filter(appeal=appeal).count() == 1
    assert Follow.objects.filter(appeal=appeal, user=resident, reason="support").exists()
    assert counts(appeal) == (1, 2)
    assert services.withdraw_support(appeal=appeal, user=resident) is True
    assert services.withdraw_support(appeal=appeal, user=resident) is False
    assert counts(appeal) == (0, 2)  # still following until they unfollow
    services.unfollow(appeal=appeal, user=resident)
    services.unfollow(appeal=appeal, user=resident)
    assert counts(appeal) == (0, 1)


def test_support_needs_a_verified_resident_and_not_the_author():
    appeal = PublicAppealFactory()
    with pytest.raises(services.CommunityRefused, match="verified"):
        services.support(appeal=appeal, user=UserFactory())  # e-mail only
    with pytest.raises(services.CommunityRefused):
        services.support(appeal=appeal, user=appeal.author)
    assert counts(appeal) == (0, 1)


def test_follow_is_idempotent():
    appeal, user = PublicAppealFactory(), UserFactory()
    assert services.follow(appeal=appeal, user=user)[1] is True
    assert services.follow(appeal=appeal, user=user)[1] is False
    assert Follow.objects.filter(appeal=appeal, user=user).count() == 1
    assert counts(appeal) == (0, 2)


def test_support_and_follow_views_are_post_only_with_csrf_and_work_without_js(client):
    appeal, resident = PublicAppealFactory(), CitizenFactory()
    support_url = reverse("community:support", args=[appeal.pk])
    follow_url = reverse("community:follow", args=[appeal.pk])
    client.force_login(resident)
    assert client.get(support_url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(resident)
    assert strict.post(support_url, {"action": "support"}).status_code == 403
    response = client.post(support_url, {"action": "support"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("problems:detail", args=[appeal.pk]))
    page = response.content.decode()
    assert 'aria-pressed="true"' in page and "your support is counted" in page
    assert counts(appeal) == (1, 2)
    client.post(support_url, {"action": "withdraw", "next": "https://evil.example/"})
    assert counts(appeal) == (0, 2)
    client.post(follow_url, {"action": "unfollow"})
    assert counts(appeal) == (0, 1)
    client.post(follow_url, {"action": "follow"})
    assert counts(appeal) == (0, 2)


def test_nothing_works_on_a_non_public_appeal(client):
    private = AppealFactory(is_public=False, status="registered")
    client.force_login(CitizenFactory())
    for name in ("support", "follow", "comments", "still_not_fixed"):
        url = reverse(f"community:{name}", args=[private.pk])
        assert client.post(url, {"action": "support", "text": "x"}).status_code == 404, name
    assert client.get(reverse("community:comments", args=[private.pk])).status_code == 404
    assert not Support.objects.exists() and not Follow.objects.exists()
    assert not PublicProblem.objects.filter(pk=private.pk).exists()


def _in_parallel(workers, action):
    barrier = threading.Barrier(workers)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            action()
        except Exception as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@needs_services
@pytest.mark.django_db(transaction=True)
def test_parallel_supports_and_follows_of_one_person_make_one_row_each():
    appeal, resident = PublicAppealFactory(), CitizenFactory()
    errors = _in_parallel(8, lambda: services.support(appeal=appeal, user=resident))
    assert errors == []
    assert Support.objects.filter(appeal=appeal, user=resident).count() == 1
    errors = _in_parallel(8, lambda: services.follow(appeal=appeal, user=resident))
    assert errors == []
    assert Follow.objects.filter(appeal=appeal, user=resident).count() == 1
    assert counts(appeal) == (1, 2)
