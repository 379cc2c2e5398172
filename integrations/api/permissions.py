"""What a client may reach: a token (401 without), an address among its allowed networks
(403), the scope of the operation (``read`` for reads, ``write`` for writes; 403). Whether
its account may do *this* to *this* appeal is the workflow's and the services' question, as on
the screens."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from edem.core.net import client_ip
from integrations.models import ApiClient

SAFE = ("GET", "HEAD", "OPTIONS")


def required_scope(request, view):
    """The scope an operation needs: the view's ``scope``, else read for GET, write otherwise."""
    explicit = getattr(view, "required_scope", None)
    if explicit:
        return explicit
    return ApiClient.Scope.READ if request.method in SAFE else ApiClient.Scope.WRITE


class ApiClientPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        client = request.auth
        if not isinstance(client, ApiClient):
            raise exceptions.NotAuthenticated(_("Send the API token: Authorization: Bearer …"))
        if not client.allows_address(client_ip(request)):
            raise exceptions.PermissionDenied(_("This API client may not call from this address."))
        scope = required_scope(request, view)
        if scope not in (client.scopes or []):
            raise exceptions.PermissionDenied(
                _("This API client lacks the “%(scope)s” scope.") % {"scope": scope}
            )
        return True
