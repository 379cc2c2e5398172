"""edem settings: one module, configured from the environment (12-factor).

With nothing set, the portal runs on its embedded default: a SQLite file under
``var/``, Celery tasks executed eagerly, mail written as ``.eml`` files under
``var/mail/``, DEBUG on. ``DJANGO_ENV=production`` switches to the hardened
profile, which refuses to start without a real SECRET_KEY and ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

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

SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")
EDEM_PORTAL_NAME = env("EDEM_PORTAL_NAME", default="")  # empty: the translated default name
EDEM_MUNICIPALITY_NAME = env("EDEM_MUNICIPALITY_NAME", default="")
EDEM_CONTACT_EMAIL = env("EDEM_CONTACT_EMAIL", default="info@edem.localhost")
EDEM_CONTACT_PHONE = env("EDEM_CONTACT_PHONE", default="")
EDEM_CONTACT_ADDRESS = env("EDEM_CONTACT_ADDRESS", default="")
# Jurisdiction profile: "ru" (59-FZ, default) or "ua" (Law of Ukraine "On citizens' appeals").
EDEM_JURISDICTION = env("EDEM_JURISDICTION", default="ru")
# Map tiles: on an intranet, point this to the municipality's own tile server.
EDEM_MAP_TILES_URL = env(
    "EDEM_MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
EDEM_MAP_ATTRIBUTION = env("EDEM_MAP_ATTRIBUTION", default="&copy; OpenStreetMap contributors")
EDEM_MAP_CENTER = env.tuple("EDEM_MAP_CENTER", default=(56.0000, 38.0000))
EDEM_MAP_ZOOM = env.int("EDEM_MAP_ZOOM", default=12)

INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "guardian",
    "leaflet",
    "django_celery_beat",
    "edem.core",
    "edem.accounts",
    "edem.geo",
    "edem.notifications",
    "edem.documents",
    "cabinets",
    "appeals",
    "appeals.problems",
    "appeals.community",
    "consultations",
    "consultations.petitions",
    "consultations.budgets",
    "consultations.polls",
    "consultations.discussions",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'edem.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
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
CELERY_TIMEZONE = env("TIME_ZONE", default="Europe/Moscow")
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

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="edem"),
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database, so a Redis outage logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

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
# Dates read "5 января 2027 г.", "5 січня 2027 р.", "5 January 2027" (edem/core/formats).
FORMAT_MODULE_PATH = ["edem.core.formats"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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
    "TILES": [("", EDEM_MAP_TILES_URL, {"attribution": EDEM_MAP_ATTRIBUTION, "maxZoom": 19})],
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

EDEM_NOTIFICATION_MAX_ATTEMPTS = env.int("EDEM_NOTIFICATION_MAX_ATTEMPTS", default=8)
EDEM_NOTIFICATION_SWEEP_AGE = timedelta(seconds=env.int("EDEM_NOTIFICATION_SWEEP_AGE", default=120))

# --- Security ----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
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
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")

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
