"""MFA policy: every member of a service cabinet has a second factor before entering it."""

from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect


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
        if not is_mfa_enabled(user, types=["totp"]):
            return redirect("accounts:mfa_required")
        return view(request, *args, **kwargs)

    return wrapper
