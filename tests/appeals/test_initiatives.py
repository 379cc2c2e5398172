"""Civic initiatives: proposing, joining and leaving, the initiator's updates by mail,
moderation, and the public pages."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from appeals.initiatives import services
from appeals.initiatives.models import Initiative, Member
from appeals.initiatives.services import InitiativeRefused
from edem.notifications.models import Notification
from tests.factories import CitizenFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def _propose(user, title="Square on Sadovaya", **extra):
    return services.propose(user=user, title=title, summary="Let us plant trees.", **extra)


def test_a_verified_resident_proposes_and_is_the_first_participant():
    initiator = CitizenFactory()
    initiative = _propose(initiator)
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.OPEN
    assert initiative.member_count == 1
    assert Member.objects.filter(initiative=initiative, user=initiator).exists()
    assert [line.action for line in initiative.events.all()] == ["propose"]


def test_unverified_people_and_empty_texts_are_refused():
    with pytest.raises(InitiativeRefused, match="verified residents"):
        _propose(UserFactory())
    with pytest.raises(InitiativeRefused, match="title"):
        services.propose(user=CitizenFactory(), title=" ", summary="x")
    assert not Initiative.objects.exists()


def test_a_person_leads_at_most_three_open_initiatives():
    initiator = CitizenFactory()
    first = _propose(initiator, "1")
    _propose(initiator, "2")
    _propose(initiator, "3")
    with pytest.raises(InitiativeRefused, match="3 open initiatives"):
        _propose(initiator, "4")
    services.close(initiative=first, actor=initiator)
    _propose(initiator, "4")  # a closed one no longer counts


def test_joining_twice_counts_once_and_leaving_counts_down():
    initiative = _propose(CitizenFactory())
    resident = UserFactory()  # joining needs no verification
    assert services.join(initiative=initiative, user=resident) is True
    assert services.join(initiative=initiative, user=resident) is False
    initiative.refresh_from_db()
    assert initiative.member_count == 2
    assert services.leave(initiative=initiative, user=resident) is True
    assert services.leave(initiative=initiative, user=resident) is False
    initiative.refresh_from_db()
    assert initiative.member_count == 1


def test_the_initiator_cannot_leave_and_nobody_joins_a_closed_one():
    initiator = CitizenFactory()
    initiative = _propose(initiator)
    with pytest.raises(InitiativeRefused, match="close it instead"):
        services.leave(initiative=initiative, user=initiator)
    services.close(initiative=initiative, actor=initiator)
    with pytest.raises(InitiativeRefused, match="closed"):
        services.join(initiative=initiative, user=UserFactory())
    with pytest.raises(InitiativeRefused, match="closed"):
        services.close(initiative=initiative, actor=initiator)


def test_updates_go_by_mail_to_everyone_who_joined_but_the_initiator():
    initiator = CitizenFactory()
    initiative = _propose(initiator)
    joined = [UserFactory(), UserFactory()]
    gone = UserFactory()
    for user in [*joined, gone]:
        services.join(initiative=initiative, user=user)
    services.leave(initiative=initiative, user=gone)
    with pytest.raises(InitiativeRefused, match="Only the initiator"):
        services.post_update(initiative=initiative, actor=joined[0], text="Hi")
    with pytest.raises(InitiativeRefused, match="empty"):
        services.post_update(initiative=initiative, actor=initiator, text="  ")
    services.post_update(initiative=initiative, actor=initiator, text="Saturday at 11")
    mails = Notification.objects.filter(template="initiatives/update")
    assert sorted(mails.values_list("email", flat=True)) == sorted(u.email for u in joined)
    assert all(m.context["text"] == "Saturday at 11" for m in mails)


def test_moderators_hide_with_a_reason_and_others_may_not():
    initiator = CitizenFactory()
    initiative = _propose(initiator)
    with pytest.raises(InitiativeRefused, match="may not moderate"):
        services.hide(initiative=initiative, actor=UserFactory(), reason="spam")
    moderator = UserFactory(is_staff=True)
    moderator.user_permissions.add(Permission.objects.get(codename="change_initiative"))
    moderator = type(moderator).objects.get(pk=moderator.pk)  # fresh permission cache
    with pytest.raises(InitiativeRefused, match="Say why"):
        services.hide(initiative=initiative, actor=moderator, reason=" ")
    services.hide(initiative=initiative, actor=moderator, reason="Advertising")
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.HIDDEN
    with pytest.raises(InitiativeRefused):
        services.join(initiative=initiative, user=UserFactory())
    services.restore(initiative=initiative, actor=moderator)
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.OPEN and not initiative.moderation_reason


# --- pages ----------------------------------------------------------------------------------


def test_list_filters_searches_and_hides_the_hidden(client):
    north, south = TerritoryFactory(name="North"), TerritoryFactory(name="South")
    initiator = CitizenFactory()
    _propose(initiator, "Trees in the north", territory=north)
    _propose(initiator, "Benches in the south", territory=south)
    hidden = _propose(initiator, "Spam offer")
    Initiative.objects.filter(pk=hidden.pk).update(status=Initiative.Status.HIDDEN)
    body = client.get(reverse("initiatives:list")).content.decode()
    assert "Trees in the north" in body and "Benches in the south" in body
    assert "Spam offer" not in body
    body = client.get(reverse("initiatives:list"), {"territory": north.pk}).content.decode()
    assert "Trees in the north" in body and "Benches in the south" not in body
    body = client.get(reverse("initiatives:list"), {"q": "bench"}).content.decode()
    assert "Benches in the south" in body and "Trees" not in body
    body = client.get(reverse("initiatives:list"), {"q": "nothing like it"}).content.decode()
    assert "No initiatives match these filters." in body
    assert client.get(reverse("initiatives:detail", args=[hidden.pk])).status_code == 404
    client.force_login(initiator)  # the initiator reads the reason
    assert client.get(reverse("initiatives:detail", args=[hidden.pk])).status_code == 200


def test_the_form_keeps_what_was_typed_when_refused(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("initiatives:new"), {"title": "My idea", "summary": "Typed text"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Only verified residents" in body
    assert 'value="My idea"' in body and "Typed text" in body
    assert not Initiative.objects.exists()
    response = client.post(reverse("initiatives:new"), {"title": "", "summary": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()


def test_a_resident_proposes_joins_and_posts_through_the_pages(client):
    initiator = CitizenFactory()
    client.force_login(initiator)
    response = client.post(
        reverse("initiatives:new"), {"title": "River clean-up", "summary": "Saturday, 10:00"}
    )
    initiative = Initiative.objects.get()
    assert response.status_code == 302 and response["Location"] == initiative.get_absolute_url()
    neighbour = UserFactory()
    client.force_login(neighbour)
    client.post(reverse("initiatives:membership", args=[initiative.pk]))
    assert client.get(initiative.get_absolute_url()).content.decode().count("Leave the initiative")
    response = client.post(
        reverse("initiatives:post_update", args=[initiative.pk]), {"text": "Not mine to post"}
    )
    assert response.status_code == 400
    assert "Only the initiator posts updates." in response.content.decode()
    client.force_login(initiator)
    response = client.post(
        reverse("initiatives:post_update", args=[initiative.pk]), {"text": "Bags are bought"}
    )
    assert response.status_code == 302
    assert Notification.objects.filter(template="initiatives/update", recipient=neighbour).exists()
    client.post(reverse("initiatives:close", args=[initiative.pk]))
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.CLOSED


def test_statistics_count_initiatives(client):
    initiator = CitizenFactory()
    initiative = _propose(initiator)
    _propose(initiator, "Second")
    services.close(initiative=initiative, actor=initiator)
    body = client.get(reverse("analytics:statistics")).content.decode()
    assert "Residents proposed 2 initiatives; 1 of them are gathering people now." in body
    assert "People who joined them: fewer than 3." in body
