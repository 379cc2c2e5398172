"""The portal's language for a request: the visitor's choice (the language cookie), else what
the browser asks for, else the municipality's default language (set in the admin,
``edem.core.municipality``; ``LANGUAGE_CODE`` when not set there)."""

from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    language_code_re,
    parse_accept_lang_header,
)

from .municipality import current


def asked_language(request):
    """The language the request itself names (cookie or Accept-Language), or None."""
    from django.conf import settings

    wanted = [request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)]
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        if language_code_re.search(code):
            wanted.append(code)
    for code in wanted:
        if not code:
            continue
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return None


class MunicipalityLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        super().process_request(request)
        if asked_language(request) is None:
            try:
                language = get_supported_language_variant(current().language)
            except LookupError:
                return
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
