"""Whole public pages for anonymous visitors from the cache (issue 15).

A GET by a visitor who carries no session cookie (nobody signed in, no messages waiting) and
no ``Authorization`` header is answered from the cache when the same page, in the same
language, was rendered since the last write to public content. What is cached and when:

- the key is the scheme, host, full path with its query and the active language (the language
  cookie, ``Accept-Language`` or the municipality's default, as ``request.LANGUAGE_CODE`` has
  it); the responses say ``Vary: Cookie, Accept-Language`` for any cache on the way;
- the entry carries the data version it was rendered at: a single counter, bumped after every
  write that can change a public page (the commit of any domain event, ``edem.core.events``,
  and any successful POST, PUT, PATCH or DELETE but sign-in and language switching); an entry
  of an older version is not served. ``TIMEOUT`` seconds bound what a write made outside both
  (a shell, a management command) can leave on a page;
- only ``200 text/html`` responses without cookies of their own, without ``Cache-Control``
  private, no-cache or no-store, and without a ``Vary`` on anything else, are stored;
- CSRF: a page's forms carry the visitor's own token. Before storing, every
  ``csrfmiddlewaretoken`` field is replaced by a placeholder, and a hit fills it with the
  token of the visitor being served (``get_token``, which also sets their CSRF cookie). A page
  that shows the token anywhere else is not stored.

The cache is an optimisation, never a dependency (DESIGN §5): any cache error renders the page
as if nothing was cached, and ``ResilientRedisCache`` keeps answering from local memory while
Redis is away. ``EDEM_PAGE_CACHE`` (on by default) switches the whole thing off.

Signed-in pages (``signed_in_page``, a view decorator, opt-in per view): a page is reused only
by the very session it was rendered for. The decorator sits inside the view's own guards
(``login_required``, ``service_cabinet_required``), which still run on every request; it
skips the view's body and its template. Its key adds the user, the session's key and a digest
of everything in the session (sign-in records, second factor) to the anonymous key; an entry
carries both the data version and the user's own version, bumped after every successful POST,
PUT, PATCH or DELETE the user makes, the account pages included. Nothing is reused while
messages wait (before or after the view), for a view that changed the session or set a cookie,
nor for a view whose response is not a stored-kind page (CSV, a redirect). Views with side
effects on GET do them in ``on_hit`` too (the official's card writes the access log on every
view, served from the cache or not).
"""

import hashlib
import json
import logging
import re
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, get_token
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html

from edem.core.cache import bump_counter, start_counter

logger = logging.getLogger(__name__)

VERSION_KEY = "pages:version"
KEY_PREFIX = "pages:v1"
SIGNED_KEY_PREFIX = "pages:signed:v2"
USER_VERSION_KEY = "pages:user:{}"
USER_VERSION_TIMEOUT = 24 * 3600  # seconds; an evicted counter restarts past any entry
TIMEOUT = 60  # seconds
MAX_SIZE = 1024 * 1024  # bytes; larger pages are rendered each time
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Writes here change nobody's public page (signing in or out, choosing a language).
NO_BUMP_PREFIXES = ("/account/", "/i18n/")
# Never cached, whoever asks: the service side, personal pages, machine interfaces, health.
SKIP_PREFIXES = (
    "/admin/",
    "/service/",
    "/me/",
    "/account/",
    "/appeals/",
    "/i18n/",
    "/healthz/",
    "/readyz/",
    "/open311/",
    "/open-data/",
    "/widget/",
    "/api/",
)
# Never HTML (the map's JSON, the duplicates' hints): not stored, so not even looked up.
SKIP_SUFFIXES = (".json", ".csv", ".xml")
VARY = ("Cookie", "Accept-Language")
ALLOWED_VARY = {"cookie", "accept-language"}
CSRF_FIELD = re.compile(
    rb'<input type="hidden" name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}">'
)
PLACEHOLDER = b'<input type="hidden" name="csrfmiddlewaretoken" value="\x00edem-csrf\x00">'
TOKEN_LIKE = re.compile(rb"[A-Za-z0-9]{32,64}")


def _version(value):
    """The version as stored, or None (no counter yet)."""
    return value if isinstance(value, int) else None


def bump():
    """A write changed public content: every cached page is out of date. Never raises."""
    bump_counter(VERSION_KEY)


def bump_user(user_id):
    """The user wrote something: their own cached pages are out of date. Never raises."""
    bump_counter(USER_VERSION_KEY.format(user_id), USER_VERSION_TIMEOUT)


def _key(request, prefix=KEY_PREFIX, parts=()):
    """The key of a page: its address and language, and for a signed-in page (``prefix``)
    what else it is kept for (``parts``)."""
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    raw = "\n".join((address, *parts)).encode()
    language = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    return f"{prefix}:{language}:{hashlib.sha256(raw).hexdigest()}"


def _signed_key(request):
    """The key of a signed-in page for this session, or None when it must be rendered."""
    if not getattr(settings, "EDEM_PAGE_CACHE", True) or request.method != "GET":
        return None
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or not user.is_authenticated or session is None or not session.session_key:
        return None
    if "HTTP_AUTHORIZATION" in request.META or len(get_messages(request)):
        return None
    state = json.dumps(dict(session.items()), sort_keys=True, default=str)
    return _key(request, SIGNED_KEY_PREFIX, (str(user.pk), session.session_key, state))


def signed_in_page(view=None, *, on_hit=None):
    """Cache a signed-in GET page per session (see the module's docstring). Put it innermost,
    under the view's guards.

    ``on_hit(request, note)`` runs before a stored page is served, for what a view must do on
    every visit (the official's card writes the access log, R18); ``note`` is what the view put
    in ``response.page_cache_note`` when it rendered the page (None if nothing)."""
    if view is None:
        return lambda view: signed_in_page(view, on_hit=on_hit)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = _signed_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        user_key = USER_VERSION_KEY.format(request.user.pk)
        try:
            found = cache.get_many([VERSION_KEY, user_key, key])
        except Exception as error:  # degrade to rendering (DESIGN §5)
            logger.warning("Cache unreadable (%s); rendering the page.", error)
            return view(request, *args, **kwargs)
        version = _version(found.get(VERSION_KEY))
        user_version = _version(found.get(user_key))
        entry = found.get(key)
        if (
            version is not None
            and user_version is not None
            and entry is not None
            and entry[:2] == (version, user_version)
        ):
            _versions_a, _versions_b, status, headers, content, note = entry
            if on_hit is not None:
                on_hit(request, note)
            return _replay(request, status, headers, content)
        modified = request.session.modified
        response = view(request, *args, **kwargs)
        if (
            not getattr(response, "is_rendered", True)
            or request.session.modified != modified
            or len(get_messages(request))
        ):
            return response
        stored = storable(request, response)
        if stored is None:
            return response
        if version is None or user_version is None:  # start the counters: store next time
            if version is None:
                start_counter(VERSION_KEY)
            if user_version is None:
                start_counter(user_key, USER_VERSION_TIMEOUT)
        else:
            note = getattr(response, "page_cache_note", None)
            _store(key, (version, user_version, response.status_code, *stored, note))
        response["X-Page-Cache"] = "miss"
        return response

    return wrapper


def cacheable_request(request):
    if not getattr(settings, "EDEM_PAGE_CACHE", True) or request.method != "GET":
        return False
    if request.path_info.startswith(SKIP_PREFIXES) or request.path_info.endswith(SKIP_SUFFIXES):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return "HTTP_AUTHORIZATION" not in request.META


def _unmask(token):
    mask, cipher = token[:32], token[32:]
    pairs = zip(
        (CSRF_ALLOWED_CHARS.index(x) for x in cipher),
        (CSRF_ALLOWED_CHARS.index(x) for x in mask),
        strict=True,
    )
    return "".join(CSRF_ALLOWED_CHARS[x - y] for x, y in pairs)


def _shows_secret(content, secret):
    """Whether the CSRF secret is on the page other than in a form field (raw or masked)."""
    for match in TOKEN_LIKE.finditer(content):
        token = match.group().decode()
        if token == secret or (len(token) == 64 and _unmask(token) == secret):
            return True
    return False


def storable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-cache", "no-store")):
        return None
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if vary - ALLOWED_VARY:
        return None
    content = response.content
    if len(content) > MAX_SIZE:
        return None
    content = CSRF_FIELD.sub(PLACEHOLDER, content)
    secret = request.META.get("CSRF_COOKIE")
    if secret and _shows_secret(content, secret):
        return None
    headers = [(k, v) for k, v in response.items() if k.lower() != "set-cookie"]
    return headers, content


def _replay(request, status, headers, content):
    """A stored page served again, with this visitor's own CSRF token in its forms."""
    response = HttpResponse(_fill(request, content), status=status, headers=headers)
    response["X-Page-Cache"] = "hit"
    return response


def _store(key, entry):
    try:
        cache.set(key, entry, TIMEOUT)
    except Exception as error:  # the cache must never fail a page (DESIGN §5)
        logger.warning("Cache unwritable (%s).", error)


def _fill(request, content):
    if PLACEHOLDER not in content:
        return content
    field = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    return content.replace(PLACEHOLDER, field.encode())


class PageCacheMiddleware:
    """Placed after ``CsrfViewMiddleware`` (which sets the CSRF cookie of a hit) and
    ``LocaleMiddleware`` (the language of the key), before the authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable_request(request):
            response = self.get_response(request)
            if request.method in UNSAFE and response.status_code < 400:
                if not request.path_info.startswith(NO_BUMP_PREFIXES):
                    bump()
                user = getattr(request, "user", None)
                if user is not None and user.is_authenticated:
                    bump_user(user.pk)  # their own pages, the account's included
            return response
        key = _key(request)
        try:
            found = cache.get_many([VERSION_KEY, key])
        except Exception as error:  # degrade to rendering (DESIGN §5)
            logger.warning("Cache unreadable (%s); rendering the page.", error)
            return self.get_response(request)
        version = _version(found.get(VERSION_KEY))
        entry = found.get(key)
        if version is not None and entry is not None and entry[0] == version:
            _version_at, status, headers, content = entry
            response = _replay(request, status, headers, content)
            patch_vary_headers(response, VARY)
            return response
        response = self.get_response(request)
        patch_vary_headers(response, VARY)
        stored = storable(request, response)
        if stored is not None:
            if version is None:
                start_counter(VERSION_KEY)
            else:
                _store(key, (version, response.status_code, *stored))
            response["X-Page-Cache"] = "miss"
        return response
