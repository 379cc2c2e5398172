import pytest

from cabinets.models import ExternalBody
from cabinets.roles import Role
from tests.factories import CabinetFactory, member

from . import dovecot


@pytest.fixture(scope="session")
def dovecot_server():
    """A real IMAP server (Debian's dovecot-imapd) for the whole session."""
    if not dovecot.available():
        pytest.fail("dovecot is not installed: apt-get install dovecot-imapd (see .ci/run)")
    with dovecot.dovecot_server() as server:
        yield server


@pytest.fixture
def imap(dovecot_server, settings):
    """The gateway pointed at the test server, with an empty inbox and processed folder."""
    settings.EDEM_GATEWAY_IMAP_HOST = dovecot_server["host"]
    settings.EDEM_GATEWAY_IMAP_PORT = dovecot_server["port"]
    settings.EDEM_GATEWAY_IMAP_USER = dovecot_server["user"]
    settings.EDEM_GATEWAY_IMAP_PASSWORD = dovecot_server["password"]
    settings.EDEM_GATEWAY_IMAP_SSL = False
    settings.EDEM_GATEWAY_IMAP_STARTTLS = False
    settings.EDEM_GATEWAY_IMAP_FOLDER = "INBOX"
    settings.EDEM_GATEWAY_IMAP_PROCESSED_FOLDER = "Processed"
    settings.EDEM_GATEWAY_ADDRESS = "gateway@demograd.example"
    dovecot.empty(dovecot_server, "INBOX", "Processed")
    return dovecot_server


@pytest.fixture
def cabinet(db):
    return CabinetFactory(code="adm", name="Администрация Демограда")


@pytest.fixture
def head(cabinet):
    return member(cabinet, Role.HEAD, email="head@demograd.example")


@pytest.fixture
def registrar(cabinet):
    return member(cabinet, Role.REGISTRAR, email="registrar@demograd.example")


@pytest.fixture
def prosecutor(db):
    return ExternalBody.objects.create(
        name="Прокуратура Демограда",
        kind=ExternalBody.Kind.LAW_ENFORCEMENT,
        email="prokuratura@demograd.example",
        postal_address="Демоград, ул. Ленина, 5",
    )
