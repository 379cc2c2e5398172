import time
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core.internal import ratelimit  # as allauth's adapter: returns a usage to roll back
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from edem.core.context_processors import portal
from edem.core.net import client_ip
from edem.notifications.services import notify

from . import devices, personkeys, services
from .cookies import set_language_cookie
from .models import User


class AccountAdapter(DefaultAccountAdapter):
    """allauth's mail goes through the outbox like every other message (retried, never lost),
    and the user's language follows them across devices."""

    def send_mail(self, template_prefix, email, context):
        request = getattr(self, "request", None)
        ctx = {
            **portal(None),
            "email": email,
            "current_site": get_current_site(request),
            "request": request,
            "site_url": settings.SITE_URL,
        }
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        recipient = get_user_model().objects.filter(email__iexact=email).first()
        notify(
            template=f"allauth:{template_prefix}",
            recipient=recipient,
            email=email,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
        )

    def get_login_redirect_url(self, request):
        """An official's home is the service cabinet; a citizen's is the personal cabinet."""
        if request.user.is_cabinet_member:
            return reverse("service:home")
        return super().get_login_redirect_url(request)

    def get_email_confirmation_url(self, request, emailconfirmation):
        """Links in mail point to the configured site (``SITE_URL``), not to whatever host the
        request that caused the mail happened to use."""
        return settings.SITE_URL + reverse("account_confirm_email", args=[emailconfirmation.key])

    def get_reset_password_from_key_url(self, key):
        return site_link(super().get_reset_password_from_key_url(key))

    def save_user(self, request, user, form, commit=True):
        user.language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
        if user.language not in User.Language.values:
            user.language = settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)

    def get_client_ip(self, request):
        """allauth's rate limits count per address the way the rest of the portal does."""
        return client_ip(request) or super().get_client_ip(request)

    def pre_authenticate(self, request, **credentials):
        """Failed passwords from a browser that signed in to this account before count
        against (account, device) only; all others against the address and the account
        (edem.accounts.devices, ``ACCOUNT_RATE_LIMITS``)."""
        login = credentials.get("email", credentials.get("username", "")) or ""
        device = devices.known_device(request, login)
        if device is None:
            return super().pre_authenticate(request, **credentials)
        key = f"{get_current_site(request).domain}:{login.lower()}:{device}"
        self._login_failed_rl_usage = ratelimit.consume(
            request, app="allauth.account", action="login_failed_known_device", key=key
        )
        if not self._login_failed_rl_usage:
            raise self.validation_error("too_many_login_attempts")
        return None

    def is_reauthentication_required(self, *, app, **kwargs):
        """allauth asks for the password again before any change of the second factor. An
        official who has just signed in to set up their first authenticator app (as the
        service cabinet and the admin demand) is not asked twice in a row; adding another
        factor, or removing one, still asks."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and app == "allauth.mfa" and self._fresh_sign_in_without_authenticator():
            return False
        return required

    def _fresh_sign_in_without_authenticator(self):
        request = getattr(self, "request", None)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if Authenticator.objects.filter(user=user).exists():
            return False
        records = get_authentication_records(request, user)
        return bool(records) and (
            time.time() - records[-1].get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
        )

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        devices.remember(response, user)
        if user.language:
            translation.activate(user.language)
            set_language_cookie(response, user.language)
        return response


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """A login through the identity provider (ESIA- or id.gov.ua-style OpenID Connect) verifies
    the person: their verification level becomes ``identity`` and the name comes from the
    provider."""

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        claims = provider_claims(sociallogin.account)
        user.patronymic = claims.get("middle_name", "") or user.patronymic
        return user

    def pre_social_login(self, request, sociallogin):
        user = sociallogin.user
        if user.pk and (
            user.verification_level != User.Verification.IDENTITY or not user.person_key
        ):
            account = sociallogin.account
            mark_identity_verified(user, account.provider, account.uid)

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        mark_identity_verified(user, sociallogin.account.provider, sociallogin.account.uid)
        return user


def provider_claims(account):
    """The person's claims as the identity provider sent them: allauth keeps an OpenID Connect
    login's userinfo and ID token side by side (older versions kept the claims flat)."""
    data = account.extra_data or {}
    return data.get("userinfo") or data.get("id_token") or data


def identity_connected(sender, request, sociallogin, **kwargs):
    """A signed-in person connected the identity provider to their account (allauth's
    ``social_account_added``): the provider confirmed who they are, so the account is verified
    and takes the name the provider confirmed."""
    services.adopt_identity(
        user=sociallogin.user,
        provider=sociallogin.account.provider,
        uid=sociallogin.account.uid,
        claims=provider_claims(sociallogin.account),
    )


def site_link(url):
    """``url`` (absolute or a path) moved onto the configured site."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return settings.SITE_URL + path


@transaction.atomic
def mark_identity_verified(user, provider, uid):
    """The identity provider vouched for ``user``: level ``identity``, and the person key from
    the provider's subject (R30; a keyed hash, R18) unless a verification recorded one before.
    Voices the account cast before move to that key in this transaction."""
    personkeys.record_keys(user, person_key=personkeys.identity_key(provider, uid))  # first:
    # the key the account voted under so far depends on its level before this sign-in
    user.person_key = User.objects.filter(pk=user.pk).values_list("person_key", flat=True)[0]
    user.verification_level = User.Verification.IDENTITY
    user.verified_at = timezone.now()
    user.verification_note = f"OpenID Connect: {provider}"[:255]
    user.save(update_fields=["verification_level", "verified_at", "verification_note"])
