"""Petition pages: the public list and detail, the author's pages, the service cabinet (who
may see and do what), and the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cabinets.roles import Role
from consultations.petitions import services
from consultations.petitions.models import Petition, PetitionSettings, Signature
from consultations.petitions.workflow import Status
from tests.factories import CabinetFactory, CitizenFactory, TerritoryFactory, UserFactory, member

from .factories import CollectingPetitionFactory, PetitionFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"


# --- Public ----------------------------------------------------------------------------


def test_public_list_filters_sorts_paginates_and_hides_unpublished(
    client, django_assert_max_num_queries
):
    north = TerritoryFactory(name="North")
    popular = CollectingPetitionFactory(title="Popular one", signature_count=40, territory=north)
    newest = CollectingPetitionFactory(title="Newest one", signature_count=1)
    answered = CollectingPetitionFactory(title="Answered one", status=Status.ANSWERED)
    PetitionFactory(title="Secret draft")
    PetitionFactory(title="Waiting one", status=Status.MODERATION)
    url = reverse("petitions:list")
    with django_assert_max_num_queries(8):
        html = client.get(url).content.decode()
    assert "Popular one" in html and "Newest one" in html and "Answered one" in html
    assert "Secret draft" not in html and "Waiting one" not in html
    html = client.get(url, {"sort": "signatures"}).content.decode()
    assert html.index("Popular one") < html.index("Newest one")
    html = client.get(url, {"status": "answered"}).content.decode()
    assert "Answered one" in html and "Popular one" not in html
    html = client.get(url, {"territory": north.pk}).content.decode()
    assert "Popular one" in html and "Newest one" not in html
    html = client.get(url, {"cabinet": answered.cabinet_id}).content.decode()
    assert "Answered one" in html and "Popular one" not in html
    html = client.get(url, {"q": "newest"}).content.decode()
    assert "Newest one" in html and "Popular one" not in html
    assert "No petitions match" in client.get(url, {"q": "nothing like it"}).content.decode()
    for _n in range(21):
        CollectingPetitionFactory(cabinet=newest.cabinet)
    assert 'rel="next"' in client.get(url).content.decode()
    assert popular.pk


def test_unpublished_petitions_are_visible_to_their_author_only(client):
    draft = PetitionFactory()
    assert client.get(reverse("petitions:detail", args=[draft.pk])).status_code == 404
    client.force_login(CitizenFactory())
    assert client.get(reverse("petitions:detail", args=[draft.pk])).status_code == 404
    client.force_login(draft.author)
    html = client.get(reverse("petitions:detail", args=[draft.pk])).content.decode()
    assert "Send for moderation" in html and "Edit the draft" in html


def test_detail_paginates_the_signatories(client):
    petition = CollectingPetitionFactory(signature_threshold=500)
    for _n in range(55):
        SignatureFactory(petition=petition)
    services.recount(petition)
    url = reverse("petitions:detail", args=[petition.pk])
    first = client.get(url).content.decode()
    assert 'rel="next"' in first and ">55</span>" in first
    assert 'start="51"' in client.get(url, {"page": 2}).content.decode()


# --- The author ------------------------------------------------------------------------


def test_the_author_drafts_edits_and_sends_for_moderation_and_errors_keep_the_input(client):
    cabinet = CabinetFactory()
    author = CitizenFactory()
    client.force_login(author)
    url = reverse("petitions:create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "cabinet": cabinet.pk,
            "title": "Скамейки во дворе",
            "text": "Коротко",
            "proposed_solution": "",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Скамейки во дворе" in html and "at least 50 characters" in html
    assert "Коротко" in html
    text = "Во дворе дома № 5 нет ни одной скамейки, пожилым людям негде присесть. " * 2
    response = client.post(
        url,
        {
            "cabinet": cabinet.pk,
            "title": "Скамейки во дворе",
            "text": text,
            "proposed_solution": "Поставить три скамейки.",
        },
    )
    petition = Petition.objects.get()
    assert response.status_code == 302 and petition.status == Status.DRAFT
    response = client.post(
        reverse("petitions:edit", args=[petition.pk]),
        {
            "cabinet": cabinet.pk,
            "title": "Скамейки во дворе дома № 5",
            "text": text,
            "proposed_solution": "Поставить три скамейки.",
        },
    )
    assert response.status_code == 302
    client.post(reverse("petitions:author_action", args=[petition.pk, "submit"]))
    petition.refresh_from_db()
    assert petition.title.endswith("№ 5") and petition.status == Status.MODERATION
    assert client.get(reverse("petitions:edit", args=[petition.pk])).status_code == 302
    client.force_login(CitizenFactory())
    assert client.get(reverse("petitions:edit", args=[petition.pk])).status_code == 404


def test_my_petitions_lists_the_authored_and_the_signed(client, django_assert_max_num_queries):
    person = CitizenFactory()
    mine = PetitionFactory(author=person, title="My own draft")
    signed = SignatureFactory(user=person, confirmed_at=None)
    for _n in range(5):
        PetitionFactory(author=person)
        SignatureFactory(user=person)
    client.force_login(person)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("petitions:my")).content.decode()
    assert mine.title in html and signed.petition.title in html
    assert "waiting for e-mail confirmation" in html
    client.force_login(CitizenFactory())
    html = client.get(reverse("petitions:my")).content.decode()
    assert mine.title not in html and "You have not started any petitions yet." in html
    assert client.get(reverse("petitions:my")).status_code == 200


def test_the_personal_section_snippet_links_to_the_petition_pages():
    from django.template.loader import render_to_string

    person = CitizenFactory()
    mine = PetitionFactory(author=person, title="Benches in the yard")
    SignatureFactory(user=person)
    SignatureFactory(user=person, confirmed_at=None)
    with translation.override("en"):
        html = render_to_string("petitions/_personal_section.html", {"user": person})
    assert reverse("petitions:my") in html and reverse("petitions:create") in html
    assert mine.title in html and "You have signed 1 petition." in html
    assert "1 signature waits for e-mail confirmation." in html


def test_the_author_turns_an_expired_petition_into_an_appeal_through_the_page(client):
    petition = CollectingPetitionFactory(status=Status.EXPIRED)
    client.force_login(petition.author)
    html = client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
    assert "Turn into an appeal" in html
    response = client.post(reverse("petitions:author_action", args=[petition.pk, "to_appeal"]))
    petition.refresh_from_db()
    assert response.status_code == 302 and response.url == f"/appeals/my/{petition.appeal_id}/"


# --- Service cabinet -------------------------------------------------------------------


@pytest.fixture
def staff():
    cabinet = CabinetFactory()
    return {
        "cabinet": cabinet,
        "head": member(cabinet, Role.HEAD),
        "registrar": member(cabinet, Role.REGISTRAR),
        "executor": member(cabinet, Role.EXECUTOR),
        "outsider": member(CabinetFactory(), Role.HEAD),
    }


def test_service_cabinet_is_for_the_cabinets_staff_only(client, staff):
    petition = PetitionFactory(cabinet=staff["cabinet"], status=Status.MODERATION)
    card = reverse("petitions_service:card", args=[petition.pk])
    client.force_login(staff["outsider"])
    assert client.get(card).status_code == 404  # staff of another cabinet
    assert petition.title not in client.get(reverse("petitions_service:queue")).content.decode()
    client.force_login(CitizenFactory())
    assert client.get(card).status_code == 404  # not staff at all
    client.force_login(staff["executor"])
    html = client.get(card).content.decode()
    assert "Nothing for you to do" in html  # executors read, they do not moderate
    response = client.post(
        reverse("petitions_service:act", args=[petition.pk, "publish"]), {"publish-confirm": "on"}
    )
    assert response.status_code == 400
    petition.refresh_from_db()
    assert petition.status == Status.MODERATION


def test_moderation_queue_publish_and_refuse_through_the_views(
    client, staff, django_assert_max_num_queries
):
    waiting = PetitionFactory(
        cabinet=staff["cabinet"],
        status=Status.MODERATION,
        moderation_due=timezone.localdate() - timedelta(days=1),
    )
    other = PetitionFactory(cabinet=staff["cabinet"], status=Status.MODERATION)
    PetitionFactory(cabinet=staff["cabinet"], title="Draft nobody sees")
    for _n in range(5):
        PetitionFactory(cabinet=staff["cabinet"], status=Status.MODERATION)
    client.force_login(staff["registrar"])
    with django_assert_max_num_queries(15):
        html = client.get(reverse("petitions_service:queue")).content.decode()
    assert waiting.title in html and "overdue" in html and "Draft nobody sees" not in html
    second_cabinet = CabinetFactory()
    member(second_cabinet, Role.REGISTRAR, user=staff["registrar"])
    elsewhere = PetitionFactory(cabinet=second_cabinet, status=Status.MODERATION)
    html = client.get(
        reverse("petitions_service:queue"), {"cabinet": second_cabinet.pk, "status": ""}
    ).content.decode()
    assert elsewhere.title in html and waiting.title not in html
    response = client.post(
        reverse("petitions_service:act", args=[waiting.pk, "publish"]), {"publish-confirm": "on"}
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Status.COLLECTING and waiting.collection_ends_on
    response = client.post(
        reverse("petitions_service:act", args=[other.pk, "refuse"]),
        {"refuse-ground": "", "refuse-note": "Текст содержит призывы к насилию."},
    )
    assert response.status_code == 400
    assert "Текст содержит призывы к насилию." in response.content.decode()  # kept
    client.post(
        reverse("petitions_service:act", args=[other.pk, "refuse"]),
        {"refuse-ground": "violence", "refuse-note": "Текст содержит призывы к насилию."},
    )
    other.refresh_from_db()
    assert other.status == Status.REFUSED and other.refusal_ground == "violence"


def test_the_head_announces_and_answers_and_moderators_invalidate_in_bulk(client, staff):
    petition = CollectingPetitionFactory(
        cabinet=staff["cabinet"],
        status=Status.THRESHOLD_REACHED,
        announce_due=timezone.localdate() + timedelta(days=3),
        signature_threshold=2,
    )
    SignatureFactory(petition=petition, ip="203.0.113.7")
    SignatureFactory(petition=petition, ip="203.0.113.7")
    services.recount(petition)
    client.force_login(staff["registrar"])
    html = client.get(reverse("petitions_service:card", args=[petition.pk])).content.decode()
    assert "203.0.113.7" in html and "Announce the consideration</button>" not in html
    response = client.post(
        reverse("petitions_service:act", args=[petition.pk, "invalidate"]),
        {"invalidate-reason": "Накрутка"},
    )
    assert response.status_code == 400 and "at least one criterion" in response.content.decode()
    client.force_login(staff["head"])
    client.post(
        reverse("petitions_service:act", args=[petition.pk, "start_consideration"]),
        {"start_consideration-note": ""},
    )
    petition.refresh_from_db()
    assert petition.status == Status.UNDER_CONSIDERATION and petition.decision_due
    client.post(
        reverse("petitions_service:act", args=[petition.pk, "answer"]),
        {"answer-result": "not_supported", "answer-text": "Нет средств <script>x</script>"},
    )
    petition.refresh_from_db()
    assert petition.status == Status.ANSWERED
    html = client.get(reverse("petitions:detail", args=[petition.pk])).content.decode()
    assert "Нет средств" in html and "<script>x" not in html


def test_bulk_invalidation_through_the_view(client, staff):
    petition = CollectingPetitionFactory(cabinet=staff["cabinet"], signature_threshold=10)
    for _n in range(3):
        SignatureFactory(petition=petition, ip="203.0.113.7")
    SignatureFactory(petition=petition, ip="192.0.2.1")
    services.recount(petition)
    client.force_login(staff["registrar"])
    response = client.post(
        reverse("petitions_service:act", args=[petition.pk, "invalidate"]),
        {"invalidate-ip": "203.0.113.7", "invalidate-reason": "Накрутка с одного адреса"},
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.signature_count == 1
    assert Signature.objects.filter(invalidation_reason="Накрутка с одного адреса").count() == 3


# --- Admin -----------------------------------------------------------------------------


def test_admin_lists_queues_and_invalidates_with_a_logged_event(admin_client):
    PetitionSettings.load()
    petition = CollectingPetitionFactory(status=Status.MODERATION)
    signature = SignatureFactory(petition=CollectingPetitionFactory())
    for url in (
        "/admin/petitions/petition/",
        "/admin/petitions/petition/?queue=moderation",
        "/admin/petitions/petition/?queue=overdue",
        "/admin/petitions/petition/?queue=consideration",
        f"/admin/petitions/petition/{petition.pk}/change/",
        "/admin/petitions/signature/",
        "/admin/petitions/petitionsettings/",
    ):
        assert admin_client.get(url).status_code == 200, url
    admin_client.post(
        "/admin/petitions/signature/",
        {"action": "invalidate_selected", "_selected_action": [signature.pk]},
    )
    signature.refresh_from_db()
    assert signature.invalidated_at is not None
    assert signature.petition.events.filter(action="invalidate").exists()
    assert admin_client.get("/admin/petitions/petition/add/").status_code == 403
    assert UserFactory()


@pytest.mark.parametrize(
    ("who", "queue", "card", "may_publish"),
    [
        ("head", 200, 200, True),
        ("registrar", 200, 200, True),
        ("executor", 200, 200, False),
        ("observer", 200, 200, False),
        ("outsider", 200, 404, False),
        ("citizen", 404, 404, False),
        ("anonymous", 302, 302, False),
    ],
)
def test_authorisation_matrix_of_the_service_views(client, who, queue, card, may_publish):
    cabinet = CabinetFactory()
    people = {role.value: member(cabinet, role) for role in Role}
    people["outsider"] = member(CabinetFactory(), Role.HEAD)
    people["citizen"] = CitizenFactory()
    petition = PetitionFactory(cabinet=cabinet, status=Status.MODERATION)
    if who != "anonymous":
        client.force_login(people[who])
    assert client.get(reverse("petitions_service:queue")).status_code == queue
    assert client.get(reverse("petitions_service:card", args=[petition.pk])).status_code == card
    client.post(
        reverse("petitions_service:act", args=[petition.pk, "publish"]), {"publish-confirm": "on"}
    )
    petition.refresh_from_db()
    assert (petition.status == Status.COLLECTING) is may_publish


def test_an_administrators_change_of_who_may_sign_goes_into_the_history(admin_client):
    petition = CollectingPetitionFactory()
    response = admin_client.post(
        f"/admin/petitions/petition/{petition.pk}/change/",
        {
            "eligible_territory": "",
            "min_age": "16",
            "territory": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "0",
        },
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.min_age == 16
    event = petition.events.get(action="admin_change")
    assert event.data["fields"] == ["min_age"] and not event.is_public


def test_the_form_warns_before_writing_when_the_author_could_not_send_it_yet(client):
    client.force_login(UserFactory())  # e-mail only: below the level needed to sign
    html = client.get(reverse("petitions:create")).content.decode()
    assert "before sending it for moderation" in html and "Resident" in html
    client.force_login(CitizenFactory())
    assert (
        "before sending it for moderation"
        not in client.get(reverse("petitions:create")).content.decode()
    )
