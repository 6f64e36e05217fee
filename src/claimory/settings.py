"""The one settings module: everything that varies comes from the environment (CONTRACT.md)."""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from claimory.core.file_storage import default_storage_config
from claimory.env import envbool, envint, envstr

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(envstr("CLAIMORY_DATA_DIR", "./var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("CLAIMORY_DEBUG", False)
TESTING = "pytest" in sys.modules or envbool("CLAIMORY_TESTING", False)


def _secret_key() -> str:
    key = envstr("SECRET_KEY")
    if key:
        return key
    # `demo`, tests and local commands keep a generated key in the data dir; `serve` refuses
    # to start without SECRET_KEY (checked in cli.py).
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters")

ALLOWED_HOSTS = [h.strip() for h in envstr("CLAIMORY_ALLOWED_HOSTS", "*").split(",") if h.strip()]
BASE_URL = envstr("CLAIMORY_BASE_URL", "").rstrip("/")
CSRF_TRUSTED_ORIGINS = [BASE_URL] if BASE_URL.startswith("http") else []

INSTALLED_APPS = [
    "claimory.core.admin_site.ClaimoryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # its Swagger UI templates and static files serve /api/v1/docs locally
    "claimory.core",
    "claimory.shops",
    "claimory.claims",
    "claimory.messaging",
    "claimory.sms",
    "claimory.drafts",
    "claimory.photos",
    "claimory.money",
    "claimory.estimates",
    "claimory.mail",
    "claimory.appointments",
    "claimory.survey",
    "claimory.reports",
    "claimory.notifications",
    "claimory.esign",
    "claimory.printables",
    "claimory.realtime",
    "claimory.portal",
    "claimory.backoffice",
    "claimory.api",
]

MIDDLEWARE = [
    "claimory.core.db_pool.StreamingResponseReleasesConnection",  # outermost: after the rest
    "claimory.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "claimory.core.too_big.RequestTooBigMiddleware",  # 413 before anything reads the body
    "claimory.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "claimory.urls"
ASGI_APPLICATION = "claimory.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

_db_url = envstr("DATABASE_URL")
if _db_url:
    # Under ASGI every request runs in a fresh thread, so persistent per-thread connections
    # pile up. Each server process instead keeps one psycopg pool of at most
    # CLAIMORY_DB_POOL_SIZE connections (README "PostgreSQL connections"); a request that
    # finds it empty waits up to CLAIMORY_DB_POOL_TIMEOUT seconds. The pool needs
    # conn_max_age=0: "closing" hands the connection back.
    DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=0)}
    DB_POOL_SIZE = envint("CLAIMORY_DB_POOL_SIZE", 8)
    if DB_POOL_SIZE > 0 and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DB_POOL_SIZE,
            "timeout": envint("CLAIMORY_DB_POOL_TIMEOUT", 10),
            "max_idle": 60,  # idle connections above min_size close after a minute
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "claimory.sqlite3",
            "OPTIONS": {
                # WAL lets the portal read while the board writes; IMMEDIATE avoids the
                # "database is locked" upgrade deadlock between worker processes.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:claims"
LOGOUT_REDIRECT_URL = "backoffice:login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
# Only the hashed copies (and their .gz/.br) in STATIC_ROOT: half the files to compress.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    # Uploaded photos and documents: the data dir, or an S3-compatible bucket (file_storage.py).
    "default": default_storage_config(os.environ),
    # Hashed names, far-future caching and .gz/.br copies, written by collectstatic, which
    # `claimory serve` and `claimory demo` run first (claimory/core/static.py). The test suite
    # reads the source files, so it needs no collectstatic.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                    if TESTING else "claimory.core.static.StaticStorage"},
}

EMAIL_BACKEND = envstr("CLAIMORY_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("CLAIMORY_FROM_EMAIL", "Claimory <no-reply@claimory.local>")

REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    # Short socket timeouts: a hung Redis must slow a request by a second, not stall it.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Real-time doorbell (claimory.realtime): "auto" = Redis pub/sub when REDIS_URL is set, else
# this process only; "postgres" = LISTEN/NOTIFY; "memory". The per-process poll of the newest
# events (every REALTIME_POLL_MS) always runs as the catch-up.
REALTIME_NOTIFIER = envstr("CLAIMORY_NOTIFIER", "auto")
REALTIME_CHANNEL_PREFIX = envstr("CLAIMORY_REALTIME_PREFIX", "claimory")
REALTIME_POLL_MS = envint("CLAIMORY_REALTIME_POLL_MS", 500)

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# The largest multipart request (a burst of photos from the bay, a customer's files): refused
# with a 413 from its Content-Length before anything is read (core/too_big.py). Each file is
# still held to its own limit (photos/uploads.py).
MAX_UPLOAD_REQUEST_BYTES = envint("CLAIMORY_MAX_UPLOAD_REQUEST_BYTES", 100 * 1024 * 1024)

# Durable work (core/durable.py): how long a worker holds a row before another may take it
# over (the first one is presumed dead), how long a queued row may wait before the sweep
# queues it again, and how often `claimory worker` sweeps.
DURABLE_LEASE_SECONDS = envint("CLAIMORY_WORK_LEASE_SECONDS", 60)
DURABLE_PICKUP_GRACE_SECONDS = envint("CLAIMORY_WORK_GRACE_SECONDS", 30)
DURABLE_SWEEP_SECONDS = envint("CLAIMORY_WORK_SWEEP_SECONDS", 5)

TELNYX_API_KEY = envstr("TELNYX_API_KEY")
TELNYX_PUBLIC_KEY = envstr("TELNYX_PUBLIC_KEY")
TELNYX_API_BASE = envstr("TELNYX_API_BASE", "https://api.telnyx.com")
# Inbound MMS media are fetched only from public addresses (SSRF guard, sms/mms.py); tests
# serving media on 127.0.0.1 turn this on.
SMS_MEDIA_ALLOW_PRIVATE = envbool("CLAIMORY_SMS_MEDIA_ALLOW_PRIVATE", False)
# Connecting a shop's Gmail / Microsoft 365 mailbox (mail/oauth.py): the OAuth app's client id
# and secret per provider (a provider without a client id is offered as "not set up on this
# server"), the Microsoft tenant ("common" takes work and personal accounts), and the
# providers' origins (tests point them at a local fake token endpoint).
GOOGLE_CLIENT_ID = envstr("CLAIMORY_GOOGLE_CLIENT_ID")
GOOGLE_CLIENT_SECRET = envstr("CLAIMORY_GOOGLE_CLIENT_SECRET")
MICROSOFT_CLIENT_ID = envstr("CLAIMORY_MICROSOFT_CLIENT_ID")
MICROSOFT_CLIENT_SECRET = envstr("CLAIMORY_MICROSOFT_CLIENT_SECRET")
MICROSOFT_TENANT = envstr("CLAIMORY_MICROSOFT_TENANT", "common") or "common"
OAUTH_GOOGLE_BASE = envstr("CLAIMORY_OAUTH_GOOGLE_BASE").rstrip("/")
OAUTH_MICROSOFT_BASE = envstr("CLAIMORY_OAUTH_MICROSOFT_BASE").rstrip("/")
LLM_BASE_URL = envstr("CLAIMORY_LLM_BASE_URL")
LLM_API_KEY = envstr("CLAIMORY_LLM_API_KEY")
LLM_MODEL = envstr("CLAIMORY_LLM_MODEL")

# E-signature seal (esign/identity.py): the key + certificate (PEM, optional chain) or a
# PKCS#12 file that seal signed PDFs; unset → made on first use in <data dir>/esign. A time-stamp
# authority's URL adds an RFC 3161 timestamp to every seal (PAdES B-T).
ESIGN_KEY_FILE = envstr("CLAIMORY_ESIGN_KEY_FILE")
ESIGN_CERT_FILE = envstr("CLAIMORY_ESIGN_CERT_FILE")
ESIGN_CHAIN_FILE = envstr("CLAIMORY_ESIGN_CHAIN_FILE")
ESIGN_P12_FILE = envstr("CLAIMORY_ESIGN_P12_FILE")
ESIGN_P12_PASSWORD = envstr("CLAIMORY_ESIGN_P12_PASSWORD")
ESIGN_TSA_URL = envstr("CLAIMORY_ESIGN_TSA_URL")

# Unknown portal tokens: at most this many 404s per client per minute before 429.
PORTAL_404_LIMIT_PER_MINUTE = envint("CLAIMORY_PORTAL_404_LIMIT", 30)
# Accounts (core/ratelimit.py): failed sign-ins per 15 minutes, reset emails per hour.
SIGNIN_LIMIT_PER_ACCOUNT = envint("CLAIMORY_SIGNIN_LIMIT_PER_ACCOUNT", 5)
SIGNIN_LIMIT_PER_CLIENT = envint("CLAIMORY_SIGNIN_LIMIT_PER_CLIENT", 20)
RESET_LIMIT_PER_EMAIL = envint("CLAIMORY_RESET_LIMIT_PER_EMAIL", 3)
RESET_LIMIT_PER_CLIENT = envint("CLAIMORY_RESET_LIMIT_PER_CLIENT", 10)
# Where the counts live: "auto" = Redis when REDIS_URL is set, else the database; never per
# process (core/rate_window.py).
RATE_LIMIT_STORE = envstr("CLAIMORY_RATE_LIMIT_STORE", "auto")
if RATE_LIMIT_STORE not in ("auto", "database", "cache"):
    raise ImproperlyConfigured("CLAIMORY_RATE_LIMIT_STORE must be auto, database or cache")
# Proxies whose X-Forwarded-For is believed (core/clients.py): comma-separated IPs or CIDRs.
TRUSTED_PROXIES = [p.strip() for p in envstr("CLAIMORY_TRUSTED_PROXIES").split(",") if p.strip()]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"CLAIMORY_TRUSTED_PROXIES: {_proxy!r} is not an IP or CIDR") \
            from _exc

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_tokens": {"()": "claimory.core.logging.RedactPortalTokens"},
        "one_line_warning": {"()": "claimory.core.logging.OneLineWarning"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "uvicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # runserver's access log: without this it keeps Django's default, unredacted handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # A spoofed Host or an oversized body is the client's doing (answered 400/413): one
        # WARNING line, not an ERROR with a traceback.
        "django.security.DisallowedHost": {"level": "WARNING", "filters": ["one_line_warning"]},
        "django.security.RequestDataTooBig": {"level": "WARNING",
                                              "filters": ["one_line_warning"]},
    },
}
