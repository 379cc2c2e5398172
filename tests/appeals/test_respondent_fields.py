"""R6 through the forms: the citizen's filing form and the registrar's entry form name the
body and/or official a complaint is about; the appeal stores them, the card shows them, and
the service rules of R6 then apply (the official takes no decision on it)."""

import pytest
from django.urls import reverse
from django.utils import translation

from appeals import services, workflow
from appeals.models import Appeal
from cabinets.roles import Role
from edem.core.workflow import TransitionNotAllowed
from tests.appeals.test_citizen_views import post_data
from tests.appeals.test_intake import entry
from tests.factories import CabinetFactory, CitizenFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    administration = CabinetFactory(code="adm", kind="administration")
    roads = CabinetFactory(code="roads")
    return {
        "administration": administration,
        "registrar": member(administration, Role.REGISTRAR),
        "roads": roads,
        "roads_head": member(roads, Role.HEAD, last_name="Дорожный"),
        "roads_registrar": member(roads, Role.REGISTRAR),
    }


def test_R6_citizen_names_the_body_and_official_complained_about_in_the_filing_form(client, town):
    citizen = CitizenFactory()
    client.force_login(citizen)
    form = client.get(reverse("appeals:file")).content.decode()
    assert 'name="respondent_cabinet"' in form and 'name="respondent_official"' in form
    assert f'<option value="{town["roads_head"].pk}">' in form
    response = client.post(
        reverse("appeals:file"),
        post_data(
            kind="complaint",
            cabinet=town["roads"].pk,
            respondent_cabinet=town["roads"].pk,
            respondent_official=town["roads_head"].pk,
        ),
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(author=citizen)
    assert appeal.respondent_cabinet == town["roads"]
    assert appeal.respondent_official == town["roads_head"]
    page = client.get(response["Location"]).content.decode()
    assert 'id="respondents"' in page and town["roads_head"].full_name in page
    # R6 then holds: the head complained about takes no decision on it.
    names = {a.name for a in workflow.available_actions(appeal, town["roads_head"])}
    assert not names & {"assign", "sign_answer", "close_no_merits", "forward", "extend"}


def test_R6_only_a_complaint_names_whom_it_is_about_beside_the_field_and_in_the_service(
    client, town
):
    citizen = CitizenFactory()
    client.force_login(citizen)
    response = client.post(
        reverse("appeals:file"),
        post_data(kind="statement", respondent_official=town["roads_head"].pk),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_respondent_official"' in html and html.count('aria-invalid="true"') == 1
    assert not Appeal.objects.exists()
    with pytest.raises(services.FilingRefused):  # the service refuses it on its own
        services.file_appeal(
            author=citizen,
            **{
                k: v
                for k, v in post_data(kind="statement").items()
                if k not in ("cabinet", "personal_data_consent", "latitude", "longitude")
            },
            respondent_cabinet=town["roads"],
        )
    with pytest.raises(services.FilingRefused):  # a person who is no official
        services.file_appeal(
            author=citizen,
            **{
                k: v
                for k, v in post_data(kind="complaint").items()
                if k not in ("cabinet", "personal_data_consent", "latitude", "longitude")
            },
            respondent_official=UserFactory(),
        )
    assert not Appeal.objects.exists()


def test_R6_registrar_enters_a_paper_complaint_about_an_official_and_the_card_shows_it(
    client, town
):
    client.force_login(town["registrar"])
    form = client.get(reverse("appeals_service:enter")).content.decode()
    assert 'name="respondent_official"' in form
    response = client.post(
        reverse("appeals_service:enter"),
        entry(
            town["administration"],
            kind="complaint",
            respondent_official=town["roads_head"].pk,
            respondent_cabinet=town["roads"].pk,
        ),
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.respondent_official, appeal.respondent_cabinet) == (
        town["roads_head"],
        town["roads"],
    )
    card = client.get(response["Location"]).content.decode()
    assert 'id="respondents"' in card and town["roads_head"].full_name in card
    # R6: the administration may not forward it to the body it is about.
    head = member(town["administration"], Role.HEAD)
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="challenges"):
        services.forward(appeal=appeal, actor=head, to_cabinet=town["roads"], reason="competence")
    # A statement entered with an official named comes back with the error beside the field.
    refused = client.post(
        reverse("appeals_service:enter"),
        entry(town["administration"], kind="statement", respondent_official=town["roads_head"].pk),
    )
    assert refused.status_code == 400 and Appeal.objects.count() == 1
