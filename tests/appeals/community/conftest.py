import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English, whatever an earlier test left active, and pages
    rendered for a client without a language cookie come in English too."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
