"""The demo identity provider: a small but real OpenID Connect provider (authorization code
flow with PKCE) that the portal's own allauth ``openid_connect`` client talks to over HTTP,
exactly as it talks to ESIA's or Diia's gateway in production.

It stands in for the state identity system in the demo and in development only
(``EDEM_DEMO_IDP``; settings refuse it in production): its page asks the visitor for the
name a real provider would confirm from the state register, and vouches for it. It keeps no
state of its own: the authorization code and the access token are signed, short-lived
envelopes of the confirmed claims; a code is accepted once (the cache remembers it).

Endpoints (under ``EDEM_DEMO_IDP_PATH``): discovery, authorize (the page), token, userinfo,
jwks. ID tokens are signed with the client's secret (HS256, OpenID Connect Core 10.1); the
client receives them straight from the token endpoint.
"""

import base64
import hashlib
import hmac
import secrets
import time
from urllib.parse import urlencode, urlsplit

import jwt
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .forms import IdentityForm

PROVIDER_ID = "demo-identity"
CODE_SALT = "edem.demo_idp.code"
TOKEN_SALT = "edem.demo_idp.access"  # noqa: S105 (a signing salt, not a secret)
CODE_MAX_AGE = 300
TOKEN_MAX_AGE = 600
ID_TOKEN_LIFETIME = 300


def client():
    """The one registered client: the portal's own ``openid_connect`` app for this provider."""
    for app in settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", []):
        if app.get("provider_id") == PROVIDER_ID:
            return app
    return None


def issuer(request):
    return request.build_absolute_uri(settings.EDEM_DEMO_IDP_PATH).rstrip("/")


def _endpoint(request, name):
    return request.build_absolute_uri(reverse(f"demo_idp:{name}"))


def _json_error(error, status=400):
    return JsonResponse({"error": error}, status=status)


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def _redirect_uri_allowed(request, redirect_uri):
    """Only the portal's own callback for this provider, on the portal's own host: this one,
    the configured site's, or the loopback (a demo opened at localhost while SITE_URL says
    127.0.0.1)."""
    parts = urlsplit(redirect_uri)
    callback = reverse("openid_connect_callback", kwargs={"provider_id": PROVIDER_ID})
    if parts.scheme not in ("http", "https") or parts.path != callback or not parts.hostname:
        return False
    own = {request.get_host(), urlsplit(settings.SITE_URL).netloc}
    return parts.netloc in own or parts.hostname in LOOPBACK


def _redirect_back(redirect_uri, **params):
    """Back to the client. The form on this page posts here, and Chromium applies the page's
    form-action to the redirect that follows, so the client's origin is allowed for it."""
    response = HttpResponseRedirect(f"{redirect_uri}?{urlencode(params)}")
    parts = urlsplit(redirect_uri)
    response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
    return response


@require_GET
def discovery(request):
    return JsonResponse(
        {
            "issuer": issuer(request),
            "authorization_endpoint": _endpoint(request, "authorize"),
            "token_endpoint": _endpoint(request, "token"),
            "userinfo_endpoint": _endpoint(request, "userinfo"),
            "jwks_uri": _endpoint(request, "jwks"),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["HS256"],
            "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "family_name",
                "given_name",
                "middle_name",
                "name",
                "birthdate",
            ],
        }
    )


@require_GET
def jwks(request):
    # HS256 ID tokens are checked with the client's secret: there is no public key to publish.
    return JsonResponse({"keys": []})


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request):
    params = request.POST if request.method == "POST" else request.GET
    app = client()
    redirect_uri = params.get("redirect_uri", "")
    if (
        app is None
        or params.get("client_id") != app["client_id"]
        or not _redirect_uri_allowed(request, redirect_uri)
    ):
        return HttpResponseBadRequest("Unknown client or redirect_uri.")
    state = params.get("state", "")
    if params.get("response_type") != "code" or "openid" not in params.get("scope", "").split():
        return _redirect_back(redirect_uri, error="unsupported_response_type", state=state)
    challenge = params.get("code_challenge", "")
    if challenge and params.get("code_challenge_method", "plain") != "S256":
        return _redirect_back(redirect_uri, error="invalid_request", state=state)
    if request.method == "POST" and "cancel" in request.POST:
        return _redirect_back(redirect_uri, error="access_denied", state=state)
    form = IdentityForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        code = signing.dumps(
            {
                "client_id": app["client_id"],
                "redirect_uri": redirect_uri,
                "nonce": params.get("nonce", ""),
                "challenge": challenge,
                "claims": form.claims(),
                "jti": secrets.token_hex(8),  # every code is a new one, even for the same person
            },
            salt=CODE_SALT,
        )
        return _redirect_back(redirect_uri, code=code, state=state)
    request_fields = [
        (name, params.get(name, ""))
        for name in (
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
        )
        if params.get(name)
    ]
    return render(
        request,
        "demo_idp/authorize.html",
        {"form": form, "request_fields": request_fields, "provider_name": app["name"]},
    )


def _client_credentials(request):
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            raw = base64.b64decode(header[6:]).decode()
        except (ValueError, UnicodeDecodeError):
            return "", ""
        client_id, _colon, secret = raw.partition(":")
        return client_id, secret
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


def _pkce_ok(challenge, verifier):
    if not challenge:
        return True
    digest = hashlib.sha256(verifier.encode()).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(expected, challenge)


@csrf_exempt  # a server-to-server call authenticated by the client's secret
@never_cache
@require_POST
def token(request):
    app = client()
    client_id, secret = _client_credentials(request)
    if (
        app is None
        or client_id != app["client_id"]
        or not hmac.compare_digest(secret, app["secret"])
    ):
        return _json_error("invalid_client", status=401)
    if request.POST.get("grant_type") != "authorization_code":
        return _json_error("unsupported_grant_type")
    code = request.POST.get("code", "")
    try:
        grant = signing.loads(code, salt=CODE_SALT, max_age=CODE_MAX_AGE)
    except signing.BadSignature:
        return _json_error("invalid_grant")
    if (
        grant["client_id"] != client_id
        or grant["redirect_uri"] != request.POST.get("redirect_uri")
        or not _pkce_ok(grant["challenge"], request.POST.get("code_verifier", ""))
    ):
        return _json_error("invalid_grant")
    used_key = "demo-idp-code:" + hashlib.sha256(code.encode()).hexdigest()
    if not cache.add(used_key, True, timeout=CODE_MAX_AGE * 2):
        return _json_error("invalid_grant")  # a code is good for one exchange only
    claims = grant["claims"]
    now = int(time.time())
    id_token = {
        "iss": issuer(request),
        "aud": client_id,
        "iat": now,
        "exp": now + ID_TOKEN_LIFETIME,
        **claims,
    }
    if grant["nonce"]:
        id_token["nonce"] = grant["nonce"]
    return JsonResponse(
        {
            "access_token": signing.dumps(claims, salt=TOKEN_SALT),
            "token_type": "Bearer",
            "expires_in": TOKEN_MAX_AGE,
            "id_token": jwt.encode(id_token, app["secret"], algorithm="HS256"),
        }
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def userinfo(request):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return _json_error("invalid_token", status=401)
    try:
        claims = signing.loads(header[7:], salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return _json_error("invalid_token", status=401)
    return JsonResponse(claims)
