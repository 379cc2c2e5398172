"""Who is calling: ``Authorization: Bearer <token>`` names an active ``ApiClient``; the request
then acts as the client's ``acts_as`` account. An unknown, revoked or rotated-away token is
refused with 401 (and ``WWW-Authenticate: Bearer``)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from integrations.models import ApiClient

# ``last_used_at`` is written at most once a minute per client: the admin wants "when", not a
# write on every call.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def bearer_token(request):
    """The token of ``Authorization: Bearer <token>``, "" when absent; None when the header is
    there but is not a bearer token."""
    header = authentication.get_authorization_header(request).decode("latin-1").strip()
    if not header:
        return ""
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or " " in token.strip():
        return None
    return token.strip()


def touch(client):
    """Note that ``client`` was used now, cheaply: one conditional UPDATE at most a minute."""
    now = timezone.now()
    if client.last_used_at is not None and now - client.last_used_at < LAST_USED_GRANULARITY:
        return
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    client.last_used_at = now


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        token = bearer_token(request)
        if token == "":
            return None  # the permission check answers 401 "not authenticated"
        client = ApiClient.by_token(token) if token else None
        if client is None or not client.acts_as.is_active:
            raise exceptions.AuthenticationFailed(_("The API token is unknown or revoked."))
        touch(client)
        return client.acts_as, client

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's word for this authentication: an HTTP bearer token."""

    target_class = ApiTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "The API client's token."}
