from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.text import capfirst
from django.utils.translation import get_language_info

from .municipality import current

# The addresses the page chrome (templates/base.html) links to, by the name it uses.
CHROME_URLS = {
    "home": "home",
    "set_language": "set_language",
    "news": "cabinets:publication_list",
    "news_rss": "cabinets:feed_rss",
    "news_atom": "cabinets:feed_atom",
    "problems_rss": "problems:feed_rss",
    "territories_json": "map:territories_json",
    "authorities": "cabinets:public_list",
    "queue": "appeals_service:queue",
    "my_appeals": "appeals:my_list",
    "file_appeal": "appeals:file",
    "map": "map:index",
    "consultations": "consultations:index",
    "cabinet": "accounts:cabinet",
    "service": "service:home",
    "logout": "account_logout",
    "login": "account_login",
    "signup": "account_signup",
    "personal_data": "personal_data",
    "accessibility": "accessibility",
    "statistics": "analytics:statistics",
    "initiatives": "initiatives:list",
}
_chrome_urls = {}
_languages = {}


def _urls():
    """The chrome's addresses, reversed once per process (per URLconf and script prefix):
    they do not depend on the request, the user or the language."""
    where = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    urls = _chrome_urls.get(where)
    if urls is None:
        urls = {name: reverse(route) for name, route in CHROME_URLS.items()}
        _chrome_urls[where] = urls
    return urls


def _language_choices():
    """(code, local name) of each language of the switch, built once per process."""
    key = tuple(settings.LANGUAGES)
    choices = _languages.get(key)
    if choices is None:
        choices = [(code, capfirst(get_language_info(code)["name_local"])) for code, _ in key]
        _languages[key] = choices
    return choices


def portal(request):
    """Portal-wide values every page needs: its name, the municipality's, the contacts in the
    footer and the map's defaults (``edem.core.municipality``: the admin's settings, else the
    environment), and the chrome's addresses and languages."""
    user = getattr(request, "user", None)
    is_staff_member = bool(user and user.is_authenticated and user.is_cabinet_member)
    municipality = current()
    urls = _urls()
    if is_staff_member:
        appeals_url = urls["queue"]  # the "Appeals" item: the work queue, one's own, or filing
    elif user is not None and user.is_authenticated:
        appeals_url = urls["my_appeals"]
    else:
        appeals_url = urls["file_appeal"]
    return {
        "portal_name": municipality.portal_name,
        "municipality_name": municipality.name,
        "municipality_short_name": municipality.short_name,
        "municipality_logo": municipality.logo_url,
        "contact_email": municipality.contact_email,
        "contact_phone": municipality.contact_phone,
        "contact_address": municipality.contact_address,
        "reception_address": municipality.reception_address,
        "user_is_cabinet_member": is_staff_member,
        "map_tiles": municipality.map_tiles_url,
        "map_attribution": municipality.map_attribution,
        "map_center": ",".join(str(x) for x in municipality.map_center),
        "map_zoom": municipality.map_zoom,
        "chrome_urls": urls,
        "chrome_appeals_url": appeals_url,
        "chrome_languages": _language_choices(),
    }
