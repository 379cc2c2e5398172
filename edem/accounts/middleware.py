"""The Django admin opens only to staff who signed in with their second factor (like officials
in the service cabinet, edem.accounts.mfa): a superuser's password alone is not enough."""

from django.urls import reverse

from .mfa import requires_second_factor, second_factor_redirect


class StaffSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix = None

    def admin_prefix(self):
        if self._admin_prefix is None:
            self._admin_prefix = reverse("admin:index")
        return self._admin_prefix

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and request.path_info.startswith(self.admin_prefix())
            and requires_second_factor(user)
        ):
            refusal = second_factor_redirect(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)
