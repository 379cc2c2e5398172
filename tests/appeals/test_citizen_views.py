import pytest
from django.urls import reverse

from appeals.models import Appeal
from appeals.workflow import Status
from tests.factories import AppealFactory, CabinetFactory, CitizenFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administration():
    return CabinetFactory(code="adm", kind="administration")


def post_data(**overrides):
    data = {
        "kind": "statement",
        "cabinet": "",
        "subject": "Не вывозят мусор",
        "text": "Контейнеры во дворе дома 5 переполнены вторую неделю.",
        "place": "ул. Садовая, 5",
        "latitude": "56.001000",
        "longitude": "38.002000",
        "last_name": "Иванова",
        "first_name": "Мария",
        "patronymic": "",
        "answer_channel": "email",
        "email": "ivanova@example.org",
        "postal_address": "",
        "phone": "",
        "personal_data_consent": "on",
    }
    data.update(overrides)
    return data


def test_form_is_prefilled_from_the_profile(client, administration):
    citizen = CitizenFactory(last_name="Петрова", postal_address="ул. Лесная, 1")
    client.force_login(citizen)
    html = client.get(reverse("appeals:file")).content.decode()
    assert 'value="Петрова"' in html and "ул. Лесная, 1" in html and 'name="latitude"' in html


def test_R2_unverified_user_is_told_how_to_verify(client, administration):
    client.force_login(UserFactory())
    response = client.get(reverse("appeals:file"))
    assert response.status_code == 403
    assert reverse("accounts:cabinet") in response.content.decode()


def test_filing_through_the_form_registers_and_shows_the_appeal(client, administration):
    citizen = CitizenFactory()
    client.force_login(citizen)
    response = client.post(reverse("appeals:file"), post_data())
    appeal = Appeal.objects.get(author=citizen)
    assert response.status_code == 302 and response["Location"] == reverse(
        "appeals:my_detail", args=[appeal.pk]
    )
    assert appeal.status == Status.REGISTERED and str(appeal.latitude) == "56.001000"
    page = client.get(response["Location"]).content.decode()
    assert appeal.number in page and "Не вывозят мусор" in page
    listing = client.get(reverse("appeals:my_list")).content.decode()
    assert appeal.number in listing


def test_errors_keep_everything_typed_and_sit_beside_the_field(client, administration):
    client.force_login(CitizenFactory())
    response = client.post(
        reverse("appeals:file"), post_data(subject="", email="", personal_data_consent="")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Контейнеры во дворе дома 5" in html and 'value="ул. Садовая, 5"' in html
    assert 'value="56.001000"' in html
    assert html.count('aria-invalid="true"') >= 3
    assert not Appeal.objects.exists()


def test_a_status_posted_by_the_citizen_changes_nothing(client, administration):
    citizen = CitizenFactory()
    client.force_login(citizen)
    client.post(reverse("appeals:file"), post_data(status="answered", number="FAKE-1", cabinet=""))
    appeal = Appeal.objects.get(author=citizen)
    assert appeal.status == Status.REGISTERED and appeal.number != "FAKE-1"


def test_text_over_20000_characters_is_refused(client, administration):
    client.force_login(CitizenFactory())
    response = client.post(reverse("appeals:file"), post_data(text="а" * 20001))
    assert response.status_code == 400 and not Appeal.objects.exists()


def test_others_get_404_for_someone_elses_appeal(client):
    appeal = AppealFactory()
    client.force_login(CitizenFactory())
    for name in ("appeals:my_detail", "appeals:my_letter"):
        assert client.get(reverse(name, args=[appeal.pk])).status_code == 404
    assert (
        client.post(reverse("appeals:withdraw", args=[appeal.pk]), {"confirm": "on"}).status_code
        == 404
    )
    assert client.get(reverse("appeals:my_list")).content.decode().count(appeal.subject) == 0


def test_R10_withdrawal_from_the_cabinet_needs_confirmation(client):
    appeal = AppealFactory()
    client.force_login(appeal.author)
    client.post(reverse("appeals:withdraw", args=[appeal.pk]))
    appeal.refresh_from_db()
    assert appeal.status == Status.RECEIVED
    client.post(reverse("appeals:withdraw", args=[appeal.pk]), {"confirm": "on", "note": "Решено"})
    appeal.refresh_from_db()
    assert appeal.status == Status.WITHDRAWN


def test_my_list_query_count_does_not_grow_with_the_number_of_appeals(
    client, django_assert_max_num_queries
):
    citizen = CitizenFactory()
    client.force_login(citizen)
    for _ in range(3):
        AppealFactory(author=citizen)
    with django_assert_max_num_queries(6):
        client.get(reverse("appeals:my_list"))
    for _ in range(15):
        AppealFactory(author=citizen)
    with django_assert_max_num_queries(6):
        client.get(reverse("appeals:my_list"))
