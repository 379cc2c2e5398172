import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english(client):
    """Messages and pages are asserted in English (the msgids), whatever translations are
    installed: services run under English, and the test client asks for English pages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
