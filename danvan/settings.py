"""Settings for Dân Vận, read from environment variables (see ``.env.example``).

With no variables at all the app runs on SQLite in ``data/`` inside the checkout, in DEBUG mode.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from danvan.lib.env import envbool, envint, envlist, envstr

# Lets ModelAdmin[...] and QuerySet[...] be written at run time, as the type checker reads them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(envstr("DANVAN_DATA_DIR", str(BASE_DIR / "data")))

DEBUG = envbool("DEBUG", True)

_INSECURE_KEY = "django-insecure-danvan-development-only"
SECRET_KEY = envstr("SECRET_KEY", _INSECURE_KEY if DEBUG else "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 32 characters when DEBUG is off."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
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
    "danvan.accounts",
    "danvan.units",
    "danvan.organizations",
    "danvan.audit",
    "danvan.deadlines",
    "danvan.voices",
    "danvan.voter_contact",
    "danvan.skillful",
    "danvan.insight",
    "danvan.search",
    "danvan.alerts",
    "danvan.dashboards",
    "danvan.reports",
    "danvan.decisions",
    "danvan.notifications",
    "danvan.api",
    "danvan.web",
    "danvan.periodic",
    "danvan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "danvan.web.middleware.ContentSecurityPolicyMiddleware",
    # Without DATABASE_REPLICA_URL it only passes the request on.
    "danvan.lib.routers.PrimaryAfterWriteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "danvan.web.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads a request's body: an upload over its view's limit is left unread.
    "danvan.lib.uploads.UploadLimitMiddleware",
    "danvan.lib.hostile.HostileInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "danvan.accounts.middleware.TwoFactorEnforcementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "danvan.urls"
WSGI_APPLICATION = "danvan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "danvan.web.context_processors.navigation",
                "danvan.notifications.context_processors.unread",
            ],
        },
    }
]

# Database: SQLite in the data folder unless DATABASE_URL says otherwise. Persistent connections
# (DB_CONN_MAX_AGE seconds) are checked before each request reuses them, so a connection the
# server or a proxy dropped meanwhile is reopened instead of failing one request per worker.
_default_sqlite = f"sqlite:///{DATA_DIR / 'danvan.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", _default_sqlite),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
# A PostgreSQL streaming replica for the heavy reads (dashboards, search, report figures,
# exports): danvan/lib/routers.py and docs/topology.md. Never on SQLite; never migrated; its test
# database is the primary's, streamed to it (TEST MIRROR).
_replica_url = envstr("DATABASE_REPLICA_URL")
if _replica_url and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=envint("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["danvan.lib.routers.PrimaryReplicaRouter"]
# After a POST or a write, the browser's next requests read from the primary for this long.
DANVAN_REPLICA_PIN_SECONDS = envint("DANVAN_REPLICA_PIN_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_redis_url = envstr("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_USER_MODEL = "accounts.User"
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
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes): lock a username from one address after repeated failures.
AXES_ENABLED = envbool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# How many reverse proxies in front of the app append to X-Forwarded-For (0: none, trust nothing).
PROXY_COUNT = envint("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "danvan.audit.context.client_ip"

# Two-factor authentication is available to everyone and required for these roles.
TWO_FACTOR_REQUIRED_ROLES = envlist("TWO_FACTOR_REQUIRED_ROLES", ["system_admin"])
OTP_TOTP_ISSUER = envstr("OTP_TOTP_ISSUER", "Dân Vận")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "danvan" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(DATA_DIR / "media")))
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Dân Vận <no-reply@localhost>")

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and envbool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", False) else None
)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# The Content-Security-Policy of every HTML page (danvan.web.middleware): scripts and styles come
# only from this site's static files (htmx and Leaflet are vendored; templates carry no inline
# script, handler or style attribute, which danvan/web/tests/test_csp.py checks), nothing is
# embedded or framed, forms post here only. The one hash is the <style> of 500.html, which must
# render even when the static files cannot. The map's tile server, when DANVAN_MAP_TILE_URL names
# one, is added to img-src. The shape is that of Django 6.0's SECURE_CSP setting.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'sha256-lQgWvw7JURyPM0bqj1Nb2CxYoNQ+JjkCuhPQhfbezEQ='"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Keys that encrypt personal data at rest, newest first (Fernet keys; generate one with
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`).
# Empty: derived from SECRET_KEY, which is fine for development only.
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEYS")
if not DEBUG and not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")

# Background work (django-tasks). "database": tasks wait in a database table until a worker
# (`manage.py db_worker`, started by `python3 dev.py demo`) runs them; no broker needed.
# "immediate": they run at once in the process that enqueues them (the tests use it). The daily
# urging job runs from cron with `manage.py run_urging` (see danvan/notifications/README.md).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = envstr("DANVAN_TASKS_BACKEND", "database")
if _tasks_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"DANVAN_TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {_tasks_backend!r}."
    )
# Queues (danvan/lib/worker.py): "people" holds what a person waits for (voice imports, exports)
# and has its own worker, so an upload never waits behind batch work; "batch" holds analysis,
# training and scheduled drafts; "default" the rest, served with "batch". Workers run
# `manage.py run_worker --queue-name people` and `--queue-name batch,default`.
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[_tasks_backend],
        "QUEUES": ["people", "batch", "default"],
    }
}
# A running import whose heartbeat is older than this many minutes is taken for dead (its worker
# was killed or lost the database) and tried again, at most DANVAN_TASK_MAX_ATTEMPTS times in all;
# task rows still running after DANVAN_TASK_MAX_RUN_HOURS are failed.
DANVAN_TASK_STALE_MINUTES = envint("DANVAN_TASK_STALE_MINUTES", 3)
DANVAN_TASK_MAX_ATTEMPTS = envint("DANVAN_TASK_MAX_ATTEMPTS", 3)
DANVAN_TASK_MAX_RUN_HOURS = envint("DANVAN_TASK_MAX_RUN_HOURS", 6)
# A case is "due soon" this many working days before its due date.
DANVAN_DUE_SOON_DAYS = envint("DANVAN_DUE_SOON_DAYS", 3)
# Map tiles for the dashboard's map ("https://tiles.example.vn/{z}/{x}/{y}.png"); empty: no tiles.
DANVAN_MAP_TILE_URL = envstr("DANVAN_MAP_TILE_URL", "")
# The public address of the site, for links in emails (e.g. https://danvan.example.vn).
DANVAN_SITE_URL = envstr("DANVAN_SITE_URL", "")

# Spam limits per client address: citizens' web form and tracking-code lookups ("5/h", "30/h":
# a number, a slash and s, m, h or d), and submissions through the API and Open311 ("20/hour").
DANVAN_SUBMIT_RATE = envstr("DANVAN_SUBMIT_RATE", "5/h")
DANVAN_LOOKUP_RATE = envstr("DANVAN_LOOKUP_RATE", "30/h")
DANVAN_API_SUBMIT_RATE = envstr("DANVAN_API_SUBMIT_RATE", "20/hour")

# Formalism checks of "Skillful Mass Mobilization" models (danvan/skillful/checks.py): complaints
# in a model's field and area are "rising" when the last N months have at least MIN of them and
# RISE_PERCENT more than the N months before; evidence is expected after GRACE_DAYS under way.
DANVAN_SKILLFUL_COMPLAINTS_MONTHS = envint("DANVAN_SKILLFUL_COMPLAINTS_MONTHS", 6)
DANVAN_SKILLFUL_COMPLAINTS_MIN = envint("DANVAN_SKILLFUL_COMPLAINTS_MIN", 5)
DANVAN_SKILLFUL_COMPLAINTS_RISE_PERCENT = envint("DANVAN_SKILLFUL_COMPLAINTS_RISE_PERCENT", 50)
DANVAN_SKILLFUL_EVIDENCE_GRACE_DAYS = envint("DANVAN_SKILLFUL_EVIDENCE_GRACE_DAYS", 90)

# Hot-spot alerts (danvan/alerts/rules.py). Each *_LEVELS is three ascending numbers: attention,
# caution, serious. Surge: the voices of a commune on one topic in the last SURGE_DAYS against
# the SURGE_HISTORY periods of that length before; levels in standard deviations above the
# average, and no alert below SURGE_MIN voices. Mass complaint: distinct people on one issue in
# MASS_DAYS. Skipping levels: voices of an issue taken to the province in SKIP_DAYS while the
# commune's are unresolved. Land reopened: new land voices on an answered issue, or second
# complaints, in REOPEN_DAYS. A closed alert is not raised again at its level for COOLDOWN_DAYS.
DANVAN_ALERTS_SURGE_DAYS = envint("DANVAN_ALERTS_SURGE_DAYS", 7)
DANVAN_ALERTS_SURGE_HISTORY = envint("DANVAN_ALERTS_SURGE_HISTORY", 12)
DANVAN_ALERTS_SURGE_MIN = envint("DANVAN_ALERTS_SURGE_MIN", 5)
DANVAN_ALERTS_SURGE_LEVELS = envstr("DANVAN_ALERTS_SURGE_LEVELS", "2,3,5")
DANVAN_ALERTS_MASS_DAYS = envint("DANVAN_ALERTS_MASS_DAYS", 30)
DANVAN_ALERTS_MASS_LEVELS = envstr("DANVAN_ALERTS_MASS_LEVELS", "5,10,20")
DANVAN_ALERTS_SKIP_DAYS = envint("DANVAN_ALERTS_SKIP_DAYS", 90)
DANVAN_ALERTS_SKIP_LEVELS = envstr("DANVAN_ALERTS_SKIP_LEVELS", "1,3,5")
DANVAN_ALERTS_REOPEN_DAYS = envint("DANVAN_ALERTS_REOPEN_DAYS", 90)
DANVAN_ALERTS_REOPEN_LEVELS = envstr("DANVAN_ALERTS_REOPEN_LEVELS", "1,3,5")
DANVAN_ALERTS_COOLDOWN_DAYS = envint("DANVAN_ALERTS_COOLDOWN_DAYS", 7)

# Reports (danvan/reports). On the first working day after a month or a quarter, the daily
# ``run_report_drafts`` drafts the synthesis report of every active body of these kinds and tells
# its officers. Defaults: the province's Propaganda and Mass Mobilization Commission and the
# commune's Party Building Commission, which synthesize the people's situation since July 2025.
DANVAN_REPORTS_SCHEDULED_BODY_KINDS = envlist(
    "DANVAN_REPORTS_SCHEDULED_BODY_KINDS",
    ["propaganda_mass_mobilization_commission", "party_building_commission"],
)
DANVAN_REPORTS_SCHEDULED_PERIODS = envlist("DANVAN_REPORTS_SCHEDULED_PERIODS", ["month", "quarter"])

# The largest unit file (villages) an officer may upload.
DANVAN_MAX_IMPORT_BYTES = envint("DANVAN_MAX_IMPORT_BYTES", 5 * 1024 * 1024)
# The largest spreadsheet of voices (100,000 rows of .xlsx are about 10 MB).
DANVAN_MAX_VOICE_IMPORT_BYTES = envint("DANVAN_MAX_VOICE_IMPORT_BYTES", 20 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own logger prints to the console too; stop it also reaching the root handler.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
    },
}
