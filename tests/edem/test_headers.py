"""Under DJANGO_ENV=production every response carries the Content-Security-Policy (nonces, no
'unsafe-inline'), Permissions-Policy and HSTS, and every cookie the portal sets is Secure.
The production profile is built at import, so it runs in a process of its own."""

import json

from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory

from .test_settings import PRODUCTION, run

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from edem.accounts import devices
from edem.accounts.cookies import set_language_cookie
from edem.accounts.models import User

client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="edem.example.org")
page = client.get("/robots.txt")
switch = client.post("/i18n/setlang/", {"language": "uk", "next": "/"})
response = HttpResponse()
set_language_cookie(response, "en")
devices.remember(response, User(email="x@example.org"))
cookies = {**switch.cookies, **response.cookies}
print(json.dumps({
    "status": page.status_code,
    "csp": page.headers.get("Content-Security-Policy", ""),
    "permissions": page.headers.get("Permissions-Policy", ""),
    "hsts": page.headers.get("Strict-Transport-Security", ""),
    "cookies": {name: bool(morsel["secure"]) for name, morsel in cookies.items()},
    "settings": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,
                 settings.LANGUAGE_COOKIE_SECURE],
}))
"""


def probe(**extra):
    env = {**PRODUCTION, "DATABASE_URL": "sqlite:///:memory:", "REDIS_URL": "", **extra}
    result = run(PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_csp_permissions_policy_hsts_and_secure_cookies():
    seen = probe()
    assert seen["status"] == 200
    csp = dict(part.strip().split(" ", 1) for part in seen["csp"].split(";") if part.strip())
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert csp["img-src"] == "'self' data: https://tile.openstreetmap.org"
    assert "unsafe-inline" not in seen["csp"] and "unsafe-eval" not in seen["csp"]
    assert "camera=()" in seen["permissions"] and "microphone=()" in seen["permissions"]
    assert "geolocation=(self)" in seen["permissions"]
    assert seen["hsts"].startswith("max-age=31536000")
    assert seen["cookies"] == {"django_language": True, "edem_device": True}
    assert seen["settings"] == [True, True, True]


def test_the_identity_provider_may_receive_the_sign_in_form_redirect():
    seen = probe(EDEM_OIDC_SERVER_URL="https://id.example.org/realms/town/")
    assert "form-action 'self' https://id.example.org" in seen["csp"]


def test_a_page_with_an_inline_script_gets_the_nonce_into_the_header():
    """In any profile: a template that uses {{ CSP_NONCE }} makes the header carry it."""
    request = RequestFactory().get("/")
    middleware = CSPMiddleware(lambda request: None)
    middleware.process_request(request)
    html = (
        engines["django"]
        .from_string('<script nonce="{{ CSP_NONCE }}"></script>')
        .render(request=request)
    )
    response = middleware.process_response(request, HttpResponse(html))
    nonce = html.split('nonce="')[1].split('"')[0]
    assert len(nonce) >= 16
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
