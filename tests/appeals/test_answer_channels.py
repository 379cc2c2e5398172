"""R3: the answer channels offered to citizens are those the portal can serve: the Gosuslugi
account only when the identity provider is connected."""

import pytest

from appeals import services
from appeals.forms import AppealForm
from appeals.models import Appeal
from edem.core.jurisdiction import offered_answer_channels
from tests.factories import CabinetFactory, CitizenFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "kind": "statement",
    "subject": "Не горят фонари",
    "text": "На улице Садовой третью неделю не горят фонари.",
    "last_name": "Иванова",
    "first_name": "Мария",
    "email": "ivanova@example.org",
}


def test_R3_without_an_identity_provider_the_gosuslugi_account_is_not_offered(settings):
    settings.EDEM_OIDC_SERVER_URL = ""
    assert Appeal.AnswerChannel.EPGU_ACCOUNT not in offered_answer_channels()
    choices = [value for value, _label in AppealForm().fields["answer_channel"].choices]
    assert Appeal.AnswerChannel.EPGU_ACCOUNT not in choices
    assert Appeal.AnswerChannel.EMAIL in choices


def test_R3_with_an_identity_provider_it_is_offered(settings):
    settings.EDEM_OIDC_SERVER_URL = "https://idp.example.org/realms/town"
    choices = [value for value, _label in AppealForm().fields["answer_channel"].choices]
    assert Appeal.AnswerChannel.EPGU_ACCOUNT in choices


def test_R3_the_service_refuses_a_channel_not_offered(settings):
    settings.EDEM_OIDC_SERVER_URL = ""
    CabinetFactory(code="adm", kind="administration")
    with pytest.raises(services.FilingRefused):
        services.file_appeal(
            author=CitizenFactory(), answer_channel=Appeal.AnswerChannel.EPGU_ACCOUNT, **FIELDS
        )
    assert not Appeal.objects.exists()
