"""The one settings file. Everything a deployer changes comes from the environment.

Local defaults are safe and need nothing: SQLite under var/, mail to a file outbox, DEBUG off.
With ANNULUS_ENV=production start-up refuses a missing or default secret.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from annulus.audit.keys import AuditKeyError, load_keys
from annulus.lib.env import (
    EnvError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_str,
)
from annulus.ops.tasks_backend import TaskBackendError, backend_name, task_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ANNULUS_VAR_DIR", str(BASE_DIR / "var")))
DEV_SECRET_KEY = "annulus-local-development-key-not-for-production"  # noqa: S105

try:
    ANNULUS_ENV = env_choice("ANNULUS_ENV", ("development", "production", "test"), "development")
    PRODUCTION = ANNULUS_ENV == "production"
    DEBUG = env_bool("DEBUG", False)
    SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else DEV_SECRET_KEY)
    ALLOWED_HOSTS = env_list(
        "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
    )
    RATE_LIMITS_ON = env_choice("ANNULUS_RATE_LIMITS", ("on", "off"), "on") == "on"
    DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'annulus.sqlite3'}")
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    # The reverse proxies whose X-Forwarded-For is believed (annulus/lib/middleware.py).
    TRUSTED_PROXIES = env_networks("ANNULUS_TRUSTED_PROXIES")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
    ANNULUS_UPLOAD_MAX_BYTES = env_int("ANNULUS_UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
    # This site's address for links in emails, read when each email is built (never stored).
    ANNULUS_SITE_URL = env_str("ANNULUS_SITE_URL").rstrip("/")
    if ANNULUS_SITE_URL and not ANNULUS_SITE_URL.startswith(("http://", "https://")):
        raise EnvError(
            f"ANNULUS_SITE_URL must start with http:// or https:// (got {ANNULUS_SITE_URL!r})"
        )
except EnvError as exc:
    raise ImproperlyConfigured(str(exc)) from None

if PRODUCTION and (not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value (50+ characters) when "
        "ANNULUS_ENV=production. Generate one with: "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )
try:
    AUDIT_KEYS = load_keys(os.environ, production=PRODUCTION, secret_key=SECRET_KEY)
    # Encrypts TOTP seeds and keys the backup codes' hashes (annulus/accounts/mfa_secrets.py).
    MFA_KEYS = load_keys(
        os.environ,
        production=PRODUCTION,
        secret_key=SECRET_KEY,
        var="ANNULUS_MFA_KEY",
        purpose="the key that encrypts MFA secrets",
    )
except AuditKeyError as exc:
    raise ImproperlyConfigured(str(exc)) from None
# The last id of the rows written before the chain was keyed (set once after upgrading).
# Production allows none unless told; development accepts unkeyed rows before the first keyed one.
_legacy = env_str("ANNULUS_AUDIT_LEGACY_UNTIL")
if _legacy and not _legacy.isdigit():
    raise ImproperlyConfigured(f"ANNULUS_AUDIT_LEGACY_UNTIL must be an event id (got {_legacy!r})")
AUDIT_LEGACY_UNTIL = int(_legacy) if _legacy else (0 if PRODUCTION else None)
AUDIT_ANCHOR_PATH = env_str("ANNULUS_AUDIT_ANCHOR", str(VAR_DIR / "audit-anchor.jsonl"))
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names in production.")

# --- applications -----------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "annulus.accounts",
    "annulus.audit",
    "annulus.notifications",
    "annulus.patients",
    "annulus.clinical",
    "annulus.consents",
    "annulus.scheduling",
    "annulus.candidacy",
    "annulus.outcomes",
    "annulus.analytics",
    "annulus.website",
    "annulus.leads",
    "annulus.screening",
    "annulus.workbench",
    "annulus.interop",
    "annulus.research",
    "annulus.ops",
    "annulus.safety",
    "annulus.documents",
    "annulus.frontoffice",
]

MIDDLEWARE = [
    "annulus.lib.middleware.RequestIdMiddleware",
    "annulus.lib.middleware.RateLimitRefundMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: /es/ pages are Spanish, everything unprefixed is English.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "annulus.accounts.middleware.RotateSessionOnVerifyMiddleware",
    "annulus.accounts.middleware.SessionLifetimeMiddleware",
    "annulus.accounts.middleware.DenyByDefaultMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "annulus.lib.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "annulus.urls"
WSGI_APPLICATION = "annulus.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "annulus.accounts.context_processors.clinic",
                "annulus.website.languages.language_context",
                "annulus.workbench.context_processors.staff_nav",
            ],
        },
    }
]

# --- database ---------------------------------------------------------------------------------

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so writes are serialized
    # (audit chain, bookings) instead of failing half-way with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # FULL: a commit is on disk before it is acknowledged, even across a power loss
        # (NORMAL in WAL mode may lose the last commits). Cost: bench/results/.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- auth -------------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]  # fmt: skip
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: 15 idle minutes (the cookie age is renewed on every request) and 12 hours in total
# (SessionLifetimeMiddleware). Stored in the database so logging out ends them on the server.
# Django's database store, but an outage is a 503, not a 400 (annulus/lib/sessions.py).
SESSION_ENGINE = "annulus.lib.sessions"
SESSION_COOKIE_AGE = 15 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
ANNULUS_SESSION_MAX_AGE = timedelta(hours=12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-axes: lock an account after repeated failures, whatever address they come from.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field, which holds the email
# Locking by address would lock a whole clinic out behind its one shared NAT address after a few
# typos; the account is what attackers guess at, so the account is what locks.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client's address behind trusted proxies, the same one rate limits and audit rows use.
AXES_CLIENT_IP_CALLABLE = "annulus.lib.middleware.client_ip"

OTP_TOTP_ISSUER = "Annulus"
OTP_TOTP_THROTTLE_FACTOR = 1

# --- security headers -------------------------------------------------------------------------

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Probes from the proxy or a supervisor on the host speak plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host-: the browser keeps the cookie only if Secure, for this exact host, on path /,
    # so a sibling subdomain cannot plant or overwrite it.
    SESSION_COOKIE_NAME = "__Host-annulus_session"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- mail -------------------------------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "outbox")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Annulus <no-reply@annulus.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- background tasks -------------------------------------------------------------------------

# ANNULUS_TASK_BACKEND=database (default: the queue lives in the database) or rq (Redis at
# REDIS_URL through django-tasks-rq); see annulus/ops/tasks_backend.py.
try:
    _tasks = task_settings()
except TaskBackendError as exc:
    raise ImproperlyConfigured(str(exc)) from None
TASK_BACKEND = backend_name()
TASKS = _tasks["TASKS"]
RQ_QUEUES = _tasks["RQ_QUEUES"]
INSTALLED_APPS += _tasks["APPS"]
# A readiness probe fails when an audit event older than this has not been anchored.
AUDIT_ANCHOR_MAX_AGE_SECONDS = env_int("ANNULUS_AUDIT_ANCHOR_MAX_AGE", 15 * 60, minimum=60)
# A task RUNNING longer than this lost its worker; housekeeping retries it once.
TASK_TIMEOUT_SECONDS = env_int("ANNULUS_TASK_TIMEOUT", 15 * 60, minimum=60)

# --- static files, i18n -----------------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
LANGUAGE_CODE = "en"
# Patient-facing pages come in these; staff pages stay English (issue #18).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "annulus" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Shared by every process (rate limits must hold across gunicorn workers).
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "annulus_cache",
    },
    # The report's charts, shared by every process and kept across restarts: drawing them costs
    # seconds, and only new numbers need new drawings. A table of its own, so that culling old
    # charts never evicts a rate-limit counter.
    "charts": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "annulus_chart_cache",
        "TIMEOUT": 30 * 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}

# --- logging: no PHI, request ids only --------------------------------------------------------

# Secret link tokens are scrubbed from every record (annulus/lib/logscrub.py).
LOGGING_CONFIG = "annulus.lib.logscrub.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "scrub_tokens": {"()": "annulus.lib.logscrub.ScrubTokens"},
        "no_403_traceback": {"()": "annulus.workbench.errors.ForbiddenWithoutTraceback"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": {
                "scrub_tokens": {"()": "annulus.lib.logscrub.ScrubTokens"},
                "no_403_traceback": {"()": "annulus.workbench.errors.ForbiddenWithoutTraceback"},
            },
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Signed consent PDFs: private files, served only through an audited staff view.
    "consents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private")},
    },
    # Uploaded outside records (annulus/documents). Swap for django-storages' S3 backend by setting.
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "documents"), "file_permissions_mode": 0o600},
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# WhiteNoise warns on every start when the collectstatic target does not exist yet.
if not PRODUCTION:
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
