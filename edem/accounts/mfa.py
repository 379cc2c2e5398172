"""MFA policy: whoever holds power over other people's data signs in with a second factor.

Members of a service cabinet before entering it (``service_cabinet_required``), and staff and
superusers before the Django admin (``edem.accounts.middleware``): an authenticator app set
up, and used by this very session."""

from functools import wraps
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse


def session_used_second_factor(request):
    """Whether this session's sign-in (or a later re-authentication) included the code."""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def requires_second_factor(user):
    """Whether ``user`` must have signed in with a second factor: officials, staff, superusers."""
    return bool(
        user.is_authenticated and (user.is_superuser or user.is_staff or user.is_cabinet_member)
    )


def second_factor_redirect(request):
    """None when the signed-in user has an authenticator app and this session used it;
    otherwise the response that leads there: the setup page, or the code prompt."""
    if not request.user.has_totp_app:
        return redirect("accounts:mfa_required")
    if not session_used_second_factor(request):
        # Having a device is not enough: this session must have used it (a password alone,
        # e.g. through another sign-in, never opens the service cabinet or the admin).
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
    return None


def service_cabinet_required(view):
    """Only active cabinet members with TOTP set up may pass. Others: sign in, set up the
    second factor (a page explains how), or 404 for people who are not staff at all."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_cabinet_member:
            raise Http404
        refusal = second_factor_redirect(request)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    return wrapper


def count_setup_as_second_factor(sender, request, user, authenticator, **kwargs):
    """Setting up the authenticator app means typing a fresh code from it: this session has
    used the second factor, so the official goes on to the service cabinet (or the admin)
    without being asked for another code at once. Connected in ``AccountsConfig.ready``."""
    if request is None or authenticator.type != Authenticator.Type.TOTP:
        return
    record_authentication(request, user, method="mfa", type="totp", id=authenticator.pk)
