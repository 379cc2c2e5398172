from allauth.account.views import RequestReauthenticationCodeView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from edem.core.pagecache import signed_in_page

from . import services
from .cookies import set_language_cookie
from .forms import ProfileForm
from .reauth_forms import ReauthenticationCodeRequestForm


@login_required
@signed_in_page
def cabinet(request):
    """The citizen's personal cabinet: profile, verification, and (as issues land) their
    appeals, signatures and votes."""
    ties = request.user.community_ties.select_related("territory").order_by("territory__name")
    today = timezone.localdate()
    return render(
        request,
        "accounts/cabinet.html",
        {
            "profile": request.user,
            "community_ties": [(tie, tie.counts_on(today)) for tie in ties],
        },
    )


def verify(request):
    """How to get verified: online through the identity provider, or in person at the
    registry office. Open to everyone, so that sign-up can point here."""
    return render(request, "accounts/verify.html", {"verify_next": safe_next(request)})


def safe_next(request, default="accounts:cabinet"):
    """The page to return to after verification: ``?next=`` when it stays on this site."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


@login_required
def profile_edit(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.update_profile(user=request.user, form=form)
        messages.success(request, _("Your profile is saved."))
        response = redirect("accounts:cabinet")
        translation.activate(user.language)
        set_language_cookie(response, user.language)
        return response
    return render(request, "accounts/profile_form.html", {"form": form})


@login_required
def mfa_required(request):
    """Shown to a cabinet member who has no second factor yet."""
    return render(request, "accounts/mfa_required.html")


@require_POST
def set_language(request):
    """Django's language switch, remembered on the account of a signed-in user."""
    response = django_set_language(request)
    lang = request.POST.get("language")
    user = request.user
    if user.is_authenticated and lang in dict(user.Language.choices) and user.language != lang:
        user.language = lang
        user.save(update_fields=["language"])
    return response


# allauth's page with our form (a label in the page's language); mounted before allauth's URLs.
request_reauthentication_code = RequestReauthenticationCodeView.as_view(
    form_class=ReauthenticationCodeRequestForm
)
