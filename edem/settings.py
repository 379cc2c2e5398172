"""edem settings: one module, configured from the environment (12-factor).

With nothing set, the portal runs on its embedded default: a SQLite file under
``var/``, Celery tasks executed eagerly, mail written as ``.eml`` files under
``var/mail/``, DEBUG on. ``DJANGO_ENV=production`` switches to the hardened
profile, which refuses to start without a real SECRET_KEY and ALLOWED_HOSTS.
"""

import hashlib
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from edem.core.jurisdiction import default_time_zone

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A host deployment (gunicorn outside docker) keeps its configuration in ./.env; variables set
# in the environment win over the file. EDEM_ENV_FILE names another file; "" reads none.
ENV_FILE = os.environ.get("EDEM_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE, overwrite=False)

DJANGO_ENV = env("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

# --- Core -------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
_DEV_SECRET = "edem-development-only-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", default="" if PRODUCTION else _DEV_SECRET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["*"])

if PRODUCTION:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs SECRET_KEY: a random string of at least 50 characters."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs ALLOWED_HOSTS: the host names the portal answers to."
        )
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")

# The secret of the person keys (edem.accounts.personkeys, R18, R30): keyed hashes of identity
# documents and identity-provider subjects. Empty: derived from SECRET_KEY. Set it in
# production and never change it (nor SECRET_KEY while it is empty): the keys would change and
# one person could vote again.
EDEM_PERSON_KEY_SECRET = env("EDEM_PERSON_KEY_SECRET", default="")

SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")
EDEM_PORTAL_NAME = env("EDEM_PORTAL_NAME", default="")  # empty: the translated default name
EDEM_MUNICIPALITY_NAME = env("EDEM_MUNICIPALITY_NAME", default="")
EDEM_CONTACT_EMAIL = env("EDEM_CONTACT_EMAIL", default="info@edem.localhost")
EDEM_CONTACT_PHONE = env("EDEM_CONTACT_PHONE", default="")
EDEM_CONTACT_ADDRESS = env("EDEM_CONTACT_ADDRESS", default="")
# Open data (issue 14): the licence of the dumps (an SPDX code) and the Open311 jurisdiction_id
# (empty: the host of SITE_URL).
EDEM_OPEN_DATA_LICENCE = env("EDEM_OPEN_DATA_LICENCE", default="CC-BY-4.0")
EDEM_OPEN311_JURISDICTION = env("EDEM_OPEN311_JURISDICTION", default="")
# Jurisdiction profile: "ru" (59-FZ, default) or "ua" (Law of Ukraine "On citizens' appeals").
EDEM_JURISDICTION = env("EDEM_JURISDICTION", default="ru")
# Map tiles: on an intranet, point this to the municipality's own tile server, or set it empty
# for none (the maps then show the territories only; README, "Maps on an intranet").
EDEM_MAP_TILES_URL = env(
    "EDEM_MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
EDEM_MAP_ATTRIBUTION = env("EDEM_MAP_ATTRIBUTION", default="&copy; OpenStreetMap contributors")
EDEM_MAP_CENTER = env.tuple("EDEM_MAP_CENTER", default=(56.0000, 38.0000))
EDEM_MAP_ZOOM = env.int("EDEM_MAP_ZOOM", default=12)
# How many reverse proxies in front of the portal append to X-Forwarded-For (docker compose:
# 1, its caddy). 0: the header is ignored and the peer's address is the client's. Every use
# of the client's address goes through edem.core.net.client_ip.
EDEM_TRUSTED_PROXIES = env.int("EDEM_TRUSTED_PROXIES", default=0)

INSTALLED_APPS = [
    # Reference data in every language (categories, territories, cabinets, ...): registered
    # in each app's translation.py; it must come before the admin.
    "modeltranslation",
    "edem.core.apps.AdminConfig",  # Django's admin on edem's site (no autodiscovery)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "guardian",
    "leaflet",
    "django_celery_beat",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "edem.core",
    "edem.accounts",
    "edem.geo",
    "edem.notifications",
    "edem.documents",
    "cabinets",
    "appeals",
    "appeals.problems",
    "appeals.community",
    "appeals.reception",
    "appeals.initiatives",
    "consultations",
    "consultations.petitions",
    "consultations.budgets",
    "consultations.polls",
    "consultations.discussions",
    "analytics",
    "integrations",
    # The demo identity provider's views and page (no models); its URLs exist only while
    # EDEM_DEMO_IDP is on (see below).
    "edem.demo_idp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "edem.core.locale.MunicipalityLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Whole anonymous pages from the cache (issue 15): inside CSRF (a hit gets the visitor's
    # own token and cookie) and the language (part of the key), before authentication.
    "edem.core.pagecache.PageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "edem.accounts.middleware.StaffSecondFactorMiddleware",
]

ROOT_URLCONF = "edem.urls"
WSGI_APPLICATION = "edem.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "edem.core.context_processors.portal",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'edem.sqlite3'}"),
}
# Persistent connections (issue 15): a new PostgreSQL connection per request halves what a
# worker serves. Production keeps each one a minute; development closes it after each request
# (runserver starts a thread per request, and each would keep its own). The embedded SQLite
# default opens a file, not a connection: nothing to keep.
DATABASES["default"].setdefault(
    "CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
)
# A persistent connection broken by a database restart is replaced, not used for one more 5xx.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer costs a request seconds, not minutes (then a 503 page).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery ------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
# With no broker configured, tasks run in-process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
# The municipality's local time zone: TIME_ZONE if set, else the jurisdiction profile's
# (ru: Europe/Moscow, ua: Europe/Kyiv). Deadlines count local dates (RULES, Conventions).
TIME_ZONE = env("TIME_ZONE", default="") or default_time_zone(EDEM_JURISDICTION)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish that cannot reach the broker gives up quickly: the outbox sweep re-queues later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}

# The cache is an optimisation, never a dependency (DESIGN §5): while Redis does not answer,
# each process uses its own memory (edem.core.cache), and the short time-outs bound what a hung
# server can cost one request.
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "edem.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="edem"),
            "TIMEOUT": 300,
            "OPTIONS": {
                "socket_connect_timeout": CACHE_SOCKET_TIMEOUT,
                "socket_timeout": CACHE_SOCKET_TIMEOUT,
                "RETRY_AFTER": env.float("CACHE_RETRY_AFTER", default=5.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Whole anonymous pages from the cache (edem.core.pagecache); off only to rule it out.
EDEM_PAGE_CACHE = env.bool("EDEM_PAGE_CACHE", default=True)

# Sessions live in the database, so a Redis outage logs nobody out; they are read through
# the cache, each copy for a couple of minutes at most (edem.core.sessions).
SESSION_ENGINE = "edem.core.sessions"

# --- Authentication ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if env.bool("EDEM_FAST_PASSWORD_HASHER", default=False):
    # Only for the test suite: hashing speed, not strength.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:cabinet"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "edem.accounts.forms.SignupProfileForm"
# The forms with an address field, labelled from the portal's catalogue (edem.accounts.login_forms).
ACCOUNT_FORMS = {
    name: f"edem.accounts.login_forms.{form}"
    for name, form in (
        ("login", "LoginForm"),
        ("signup", "SignupForm"),
        ("add_email", "AddEmailForm"),
        ("change_email", "ChangeEmailForm"),
        ("reset_password", "ResetPasswordForm"),
        ("request_login_code", "RequestLoginCodeForm"),
    )
}
ACCOUNT_ADAPTER = "edem.accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
SOCIALACCOUNT_ADAPTER = "edem.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_ONLY = False
# An OpenID Connect identity provider (ESIA- or id.gov.ua-style gateway). Users who sign in
# through it get the "identity" verification level.
EDEM_OIDC_SERVER_URL = env("EDEM_OIDC_SERVER_URL", default="")
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []}}
if EDEM_OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": env("EDEM_OIDC_PROVIDER_ID", default="identity"),
            "name": env("EDEM_OIDC_NAME", default="Identity provider"),
            "client_id": env("EDEM_OIDC_CLIENT_ID", default=""),
            "secret": env("EDEM_OIDC_SECRET", default=""),
            "settings": {"server_url": EDEM_OIDC_SERVER_URL},
        }
    )
# The demo identity provider (edem.demo_idp): a small OpenID Connect provider inside the portal
# itself, so that a newcomer to the demo can walk the path to "verified" without a real ESIA or
# id.gov.ua gateway. It vouches for whatever identity the visitor types, so it exists only in
# development (never with DJANGO_ENV=production) and only while no real provider is configured.
EDEM_DEMO_IDP = env.bool("EDEM_DEMO_IDP", default=not PRODUCTION) and not EDEM_OIDC_SERVER_URL
if PRODUCTION and EDEM_DEMO_IDP:
    raise ImproperlyConfigured(
        "EDEM_DEMO_IDP vouches for any identity typed into it: it is for the demo only and "
        "cannot be enabled with DJANGO_ENV=production."
    )
EDEM_DEMO_IDP_PATH = "/demo-identity/"
if EDEM_DEMO_IDP:
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": "demo-identity",
            # Named after the jurisdiction's real provider (ESIA in Russia, Diia in Ukraine).
            "name": (_("Diia (demo)") if EDEM_JURISDICTION == "ua" else _("ESIA (demo)")),
            "client_id": "edem-demo",
            "secret": hashlib.sha256(f"edem-demo-idp:{SECRET_KEY}".encode()).hexdigest(),
            "settings": {
                # The portal asks itself over HTTP (discovery, token, userinfo): the address
                # it runs on, which `make run` puts into SITE_URL.
                "server_url": SITE_URL + EDEM_DEMO_IDP_PATH.rstrip("/"),
                "token_auth_method": "client_secret_post",
            },
        }
    )

# Sign-in rate limits, per account and per address (the address from edem.core.net.client_ip),
# on top of allauth's defaults for the other actions:
# - failed passwords: 5 per account in 5 minutes and 20 per address in 10 minutes. A browser
#   that has signed in to an account before carries a signed "known device" cookie
#   (edem.accounts.devices, OWASP's device cookies): there the failures count against that
#   account on that device only, so failures on other accounts from the same address (a
#   school's NAT, a guessing attack) or on this account from elsewhere never lock its owner out.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/10m/ip,5/5m/key",
    "login_failed_known_device": "5/5m/key",
}
# An IPv6 address counts by its /64 in every per-address limit, allauth's as the portal's own
# (edem.core.net.rate_key): one subscriber can change the rest of the address at will.
ALLAUTH_RATE_LIMIT_IPV6_PREFIX = 64
EDEM_DEVICE_COOKIE_NAME = "edem_device"
EDEM_DEVICE_COOKIE_AGE = 365 * 24 * 3600

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="edem")
MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("uk", _("Ukrainian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Reference data (django-modeltranslation): a column per language; an empty translation reads
# as the Russian one, and a value given without a language (Category(name=...), a fixture's
# "name") fills the Russian column too, so nothing is ever blank in the default language.
MODELTRANSLATION_DEFAULT_LANGUAGE = "ru"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ru",)
MODELTRANSLATION_AUTO_POPULATE = "default"
# Dates read "5 января 2027 г.", "5 січня 2027 р.", "5 January 2027" (edem/core/formats).
FORMAT_MODULE_PATH = ["edem.core.formats"]
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploads (appeal files, letters, photos): the local disk, or any S3-compatible object store
# shared by every web and worker node (EDEM_MEDIA_STORAGE=s3). The bucket stays private: files
# are read through the storage API and streamed by the views that check who may see them.
EDEM_MEDIA_STORAGE = env("EDEM_MEDIA_STORAGE", default="local")
if EDEM_MEDIA_STORAGE == "s3":
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
            "location": env("AWS_LOCATION", default=""),
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "signature_version": "s3v4",
            "default_acl": "private",
            "querystring_auth": True,  # any URL of a file is signed and short-lived
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "file_overwrite": False,
        },
    }
elif EDEM_MEDIA_STORAGE == "local":
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("EDEM_MEDIA_STORAGE must be 'local' or 's3'.")
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": tuple(float(x) for x in EDEM_MAP_CENTER),
    "DEFAULT_ZOOM": EDEM_MAP_ZOOM,
    # The portal's own maps ask edem.geo.basemap (and fall back to the territories); this is
    # django-leaflet's view of the same setting: no tile layer when it is empty.
    "TILES": [("", EDEM_MAP_TILES_URL, {"attribution": EDEM_MAP_ATTRIBUTION, "maxZoom": 19})]
    if EDEM_MAP_TILES_URL
    else [],
    "ATTRIBUTION_PREFIX": "",
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
    "PLUGINS": {
        "draw": {
            "css": ["leaflet/draw/leaflet.draw.css"],
            "js": ["leaflet/draw/leaflet.draw.js"],
            "auto-include": False,
        }
    },
}

# --- Mail -----------------------------------------------------------------------
MAIL_DIR = VAR_DIR / "mail"
if env("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "edem.notifications.backends.EmlFileBackend"
    EMAIL_FILE_PATH = str(MAIL_DIR)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="edem <noreply@edem.localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Outbox: how often delivery is retried and when the sweep picks up stragglers.
# Consultations (RULES section E; every number a setting with its default from the rule book).
EDEM_POLL_MIN_DAYS = env.int("EDEM_POLL_MIN_DAYS", default=14)  # R29: 14-30 days
EDEM_POLL_MAX_DAYS = env.int("EDEM_POLL_MAX_DAYS", default=30)
EDEM_DISCUSSION_DEFAULT_DAYS = env.int("EDEM_DISCUSSION_DEFAULT_DAYS", default=21)
# R28: who may propose a discussion of a draft act (then moderated).
EDEM_DISCUSSION_INITIATOR_VERIFICATION = env(
    "EDEM_DISCUSSION_INITIATOR_VERIFICATION", default="resident"
)
EDEM_DISCUSSION_INITIATOR_MIN_AGE = env.int("EDEM_DISCUSSION_INITIATOR_MIN_AGE", default=None)

# Readiness (/readyz/, manage.py health): the checks whose failure makes the portal unready
# (503); any other failing check only makes it "degraded". The outbox and beat are late when
# the oldest unsent mail, or beat's last run, is older than these.
EDEM_READY_REQUIRED = env.list("EDEM_READY_REQUIRED", default=["database"])
EDEM_READY_OUTBOX_MAX_AGE = timedelta(seconds=env.int("EDEM_READY_OUTBOX_MAX_AGE", default=15 * 60))
EDEM_READY_BEAT_MAX_AGE = timedelta(seconds=env.int("EDEM_READY_BEAT_MAX_AGE", default=10 * 60))
# An unreachable database gets a 503 page asking the browser to come back after this long.
EDEM_DB_UNAVAILABLE_RETRY_AFTER = env.int("EDEM_DB_UNAVAILABLE_RETRY_AFTER", default=30)

EDEM_NOTIFICATION_MAX_ATTEMPTS = env.int("EDEM_NOTIFICATION_MAX_ATTEMPTS", default=8)
EDEM_NOTIFICATION_SWEEP_AGE = timedelta(seconds=env.int("EDEM_NOTIFICATION_SWEEP_AGE", default=120))
# The domain-event outbox (edem.core.events): back-off base in seconds, attempts before a row
# is marked failed, and the age after which the sweep takes a row never tried.
EDEM_EVENT_RETRY_BASE = env.int("EDEM_EVENT_RETRY_BASE", default=30)
EDEM_EVENT_MAX_ATTEMPTS = env.int("EDEM_EVENT_MAX_ATTEMPTS", default=10)
EDEM_EVENT_SWEEP_AGE = timedelta(seconds=env.int("EDEM_EVENT_SWEEP_AGE", default=120))
# Webhooks of the API clients (integrations.webhooks): seconds a receiver has to answer, and
# hours the previous secret keeps signing after a rotation.
EDEM_WEBHOOK_TIMEOUT = env.int("EDEM_WEBHOOK_TIMEOUT", default=10)
EDEM_WEBHOOK_SECRET_GRACE_HOURS = env.int("EDEM_WEBHOOK_SECRET_GRACE_HOURS", default=24)

# The mail gateway (integrations.gateway). Letters to external bodies carry the reply address
# <local>+<token>@<domain> built from EDEM_GATEWAY_ADDRESS; the beat task reads that mailbox
# over IMAP (IMAPS unless EDEM_GATEWAY_IMAP_SSL is off; STARTTLS then if asked), files replies
# into their cases, answers citizens' mail with a pointer to the portal (R2) and notes
# bounces. With no EDEM_GATEWAY_IMAP_HOST the task reads nothing.
EDEM_GATEWAY_ADDRESS = env("EDEM_GATEWAY_ADDRESS", default="gateway@edem.localhost")
EDEM_GATEWAY_IMAP_HOST = env("EDEM_GATEWAY_IMAP_HOST", default="")
EDEM_GATEWAY_IMAP_PORT = env.int("EDEM_GATEWAY_IMAP_PORT", default=993)
EDEM_GATEWAY_IMAP_SSL = env.bool("EDEM_GATEWAY_IMAP_SSL", default=True)
EDEM_GATEWAY_IMAP_STARTTLS = env.bool("EDEM_GATEWAY_IMAP_STARTTLS", default=False)
EDEM_GATEWAY_IMAP_USER = env("EDEM_GATEWAY_IMAP_USER", default="")
EDEM_GATEWAY_IMAP_PASSWORD = env("EDEM_GATEWAY_IMAP_PASSWORD", default="")
EDEM_GATEWAY_IMAP_FOLDER = env("EDEM_GATEWAY_IMAP_FOLDER", default="INBOX")
EDEM_GATEWAY_IMAP_PROCESSED_FOLDER = env("EDEM_GATEWAY_IMAP_PROCESSED_FOLDER", default="Processed")
EDEM_GATEWAY_IMAP_TIMEOUT = env.int("EDEM_GATEWAY_IMAP_TIMEOUT", default=30)
# How many messages one run of the task reads; the next run takes the rest.
EDEM_GATEWAY_BATCH = env.int("EDEM_GATEWAY_BATCH", default=200)

# --- Security ----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# Every cookie the portal sets is Secure in production: session, CSRF, language (Django's
# switch and edem.accounts.cookies) and the known-device cookie (edem.accounts.devices).
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The map's covering indexes (INCLUDE columns) serve PostgreSQL; the embedded SQLite default
# keeps the key columns and drops the rest, which is all it needs.
SILENCED_SYSTEM_CHECKS = (
    ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []
)

if PRODUCTION:
    # Only the proxy can reach gunicorn (docker-compose.yml publishes nothing else), so the
    # scheme it reports is believed.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")


# Content-Security-Policy (django-csp 4), the same in every profile so that development
# meets it first. No 'unsafe-inline' anywhere: the portal's scripts and styles are files
# under static/, and an inline <script> or <style> must carry the request's nonce
# ({{ CSP_NONCE }}, csp.context_processors.nonce). Leaflet and Leaflet.draw position panes,
# markers, tooltips and drawing handles through element.style (the CSSOM), which style-src
# does not govern, so the map, the admin's boundary editor and the SVG charts (presentation
# attributes, no style=) need no hash and no 'unsafe-hashes' (tests/browser/test_csp.py
# proves it: 0 violations). Map tiles come from EDEM_MAP_TILES_URL's origin. Redirecting to
# HTTPS is SECURE_SSL_REDIRECT's and HSTS's job (no upgrade-insecure-requests).
_tiles = urlsplit(EDEM_MAP_TILES_URL.replace("{s}", "*"))
MAP_TILES_ORIGIN = f"{_tiles.scheme}://{_tiles.netloc}" if _tiles.netloc else None
_form_action = [SELF]
if EDEM_OIDC_SERVER_URL:
    # Chromium applies form-action to the redirect after a POST: the sign-in button posts to
    # allauth, which redirects to the identity provider.
    _oidc = urlsplit(EDEM_OIDC_SERVER_URL)
    _form_action.append(f"{_oidc.scheme}://{_oidc.netloc}")
if EDEM_DEMO_IDP:
    _site = urlsplit(SITE_URL)
    _form_action.append(f"{_site.scheme}://{_site.netloc}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *([MAP_TILES_ORIGIN] if MAP_TILES_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": _form_action,
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy: the portal uses none of these browser features; geolocation stays
# available to the portal's own pages (a place picker may ask for the user's position).
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "geolocation": ["self"],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
}

# The EDMS API (issue 14, integrations.api): token clients only (no session, so no CSRF), problem
# details for every error, the schema and the Swagger UI served from our own static files.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["integrations.api.auth.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["integrations.api.permissions.ApiClientPermission"],
    "DEFAULT_THROTTLE_CLASSES": ["integrations.api.throttling.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "integrations.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "edem EDMS API",
    "VERSION": "1",
    "DESCRIPTION": "Appeals of the client's cabinets for the municipality's document management system.",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EnteredChannelEnum": "integrations.api.serializers.ENTERED_CHANNEL_CHOICES",
        "AppealChannelEnum": "appeals.models.Appeal.Channel",
    },
}
# How long a write's Idempotency-Key is remembered (integrations.api.idempotency).
EDEM_API_IDEMPOTENCY_DAYS = env.int("EDEM_API_IDEMPOTENCY_DAYS", default=7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
