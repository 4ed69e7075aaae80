"""Settings for Legemiddel, read from the environment (see docs/operations.md).

``LEGEMIDDEL_MODE`` selects the profile:

* ``production`` (default): secrets are required, HTTPS hardening is on.
* ``demo``: a throw-away key and local defaults so that ``legemiddel demo`` works with no set-up.
* ``test``: used by the test settings module only.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from legemiddel.lib.env import ConfigError, env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
_CHECKOUT = PACKAGE_DIR.parent.parent
# In a source checkout, data lives in <checkout>/var; an installed package uses ./var.
DEFAULT_VAR_DIR = (
    _CHECKOUT / "var" if (_CHECKOUT / "pyproject.toml").exists() else Path.cwd() / "var"
)
VAR_DIR = Path(env_str("LEGEMIDDEL_VAR_DIR") or DEFAULT_VAR_DIR)

MODE = (env_str("LEGEMIDDEL_MODE") or "production").strip().lower()
if MODE not in {"production", "demo", "test"}:
    raise ConfigError(f"LEGEMIDDEL_MODE={MODE!r}; use production, demo or test.")
IS_PRODUCTION = MODE == "production"

DEBUG = env_bool("DEBUG", default=False)

# Demo and test only: fixed keys are fine because their data is synthetic. Production refuses
# to start (one line naming every missing key, see the end of this block) without its own.
SECRET_KEY = env_str("SECRET_KEY") or (
    "" if IS_PRODUCTION else "demo-only-insecure-key-" + "x" * 40
)

# The key that turns fødselsnummer into pseudonyms at import (HMAC-SHA256). Never stored in the
# database; keep it in a secret file. Changing it breaks the link to earlier pseudonyms. Imports
# of patient-level data refuse to run without it; production refuses to start without it, so
# that a missing key is found when the service is installed, not at the first import.
PSEUDONYM_KEY = env_str("PSEUDONYM_KEY") or ("" if IS_PRODUCTION else "demo-only-pseudonym-key")
_missing = [
    name
    for name, value in [("SECRET_KEY", SECRET_KEY), ("PSEUDONYM_KEY", PSEUDONYM_KEY)]
    if not value
]
if IS_PRODUCTION and _missing:
    raise ConfigError(
        f"{' and '.join(_missing)} must be set in production, in the environment or as "
        f"{_missing[0]}_FILE naming a file that holds it. Generate a key with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "legemiddel.core",
    "legemiddel.accounts",
    "legemiddel.organisation",
    "legemiddel.catalogue",
    "legemiddel.usage",
    "legemiddel.agreements",
    "legemiddel.analytics",
    "legemiddel.findings",
    "legemiddel.coding",
    "legemiddel.methods",
    "legemiddel.governance",
    "legemiddel.demo",
    "legemiddel.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before any header below: they are the same for everyone.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # After CSP's (so it runs first on the way out): the identity provider joins form-action.
    "legemiddel.accounts.oidc.middleware.ProviderFormActionMiddleware",
    # Permissions-Policy, and no-store on every answer to a logged-in user.
    "legemiddel.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "legemiddel.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Deny by default: every view must declare who may see it.
    "legemiddel.accounts.access.AccessRuleMiddleware",
    # Axes last, as its documentation requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "legemiddel.config.urls"
WSGI_APPLICATION = "legemiddel.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "legemiddel.web.context_processors.shell",
            ],
            "builtins": ["legemiddel.core.templatetags.nb"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'legemiddel.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL") or DEFAULT_SQLITE
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASE_URL == DEFAULT_SQLITE:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the web server reads; IMMEDIATE avoids
    # "database is locked" on write upgrades inside transactions.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # User name and password; refuses when LOCAL_PASSWORD_LOGIN is off.
    "legemiddel.accounts.backends.PasswordBackend",
    # The identity provider; does nothing unless OIDC_ISSUER is set.
    "legemiddel.accounts.oidc.backend.OidcBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:start"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Failed-login throttling: after AXES_FAILURE_LIMIT failures for the same user name from the
# same address, that combination is locked for the cool-off period.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_WHITELIST_CALLABLE = "legemiddel.accounts.backends.not_a_password_attempt"

# Single sign-on with the trust's identity provider (OpenID Connect: HelseID or Entra ID), set
# up when OIDC_ISSUER is given. See docs/operations.md, "Felles pålogging (SSO)".
OIDC_ISSUER = (env_str("OIDC_ISSUER") or "").strip().rstrip("/")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME") or "HelseID"
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID") or ""
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET") or ""
# client_secret_basic or client_secret_post (Entra ID), private_key_jwt (HelseID).
OIDC_CLIENT_AUTH_METHOD = (env_str("OIDC_CLIENT_AUTH_METHOD") or "client_secret_basic").strip()
# For private_key_jwt: the RSA private key as a JWK (with "kid") or PEM, normally given as a
# file with OIDC_PRIVATE_KEY_FILE; OIDC_PRIVATE_KEY_ID names the key when the file is PEM.
OIDC_PRIVATE_KEY = env_str("OIDC_PRIVATE_KEY") or ""
OIDC_PRIVATE_KEY_ID = env_str("OIDC_PRIVATE_KEY_ID") or ""
OIDC_CLIENT_ASSERTION_ALG = (env_str("OIDC_CLIENT_ASSERTION_ALG") or "RS256").strip()
# The assertion's audience: the token endpoint (OpenID Connect Core) or the issuer, which
# providers hardened against audience injection may require.
OIDC_CLIENT_ASSERTION_AUDIENCE = (
    env_str("OIDC_CLIENT_ASSERTION_AUDIENCE") or "token_endpoint"
).strip()
OIDC_RP_SCOPES = env_str("OIDC_SCOPES") or "openid profile email"
OIDC_RP_SIGN_ALGO = (env_str("OIDC_ID_TOKEN_ALG") or "RS256").strip()
# Endpoints come from <issuer>/.well-known/openid-configuration unless given here.
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_ENDPOINT") or ""
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_ENDPOINT") or ""
OIDC_OP_USER_ENDPOINT = env_str("OIDC_USERINFO_ENDPOINT") or ""
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_JWKS_ENDPOINT") or ""
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_END_SESSION_ENDPOINT") or ""
# Claims: roles (through the role map, a YAML file), unit codes, and how a person is matched
# to an existing account: sub (with the issuer), hpr (HPR number claim) or email.
# Empty OIDC_ROLES_CLAIM leaves roles to the admin; empty OIDC_UNITS_CLAIM leaves memberships.
OIDC_ROLES_CLAIM = env_str("OIDC_ROLES_CLAIM", default="roles") or ""
OIDC_UNITS_CLAIM = env_str("OIDC_UNITS_CLAIM") or ""
OIDC_ROLE_MAP_FILE = env_str("OIDC_ROLE_MAP_FILE") or ""
OIDC_USER_MATCH = (env_str("OIDC_USER_MATCH") or "sub").strip().lower()
OIDC_HPR_CLAIM = env_str("OIDC_HPR_CLAIM") or "helseid://claims/hpr/hpr_number"
OIDC_CREATE_USER = env_bool("OIDC_CREATE_USERS", default=True)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_VERIFY_SSL = True
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
# Local accounts with a password. Turn off once everyone logs in through the provider.
LOCAL_PASSWORD_LOGIN = env_bool("LOCAL_PASSWORD_LOGIN", default=True)
if OIDC_CLIENT_AUTH_METHOD not in {"client_secret_basic", "client_secret_post", "private_key_jwt"}:
    raise ConfigError(
        f"OIDC_CLIENT_AUTH_METHOD={OIDC_CLIENT_AUTH_METHOD!r}; use client_secret_basic, "
        "client_secret_post or private_key_jwt."
    )
if OIDC_USER_MATCH not in {"sub", "hpr", "email"}:
    raise ConfigError(f"OIDC_USER_MATCH={OIDC_USER_MATCH!r}; use sub, hpr or email.")
if OIDC_CLIENT_ASSERTION_ALG not in {"RS256", "PS256"}:
    raise ConfigError(
        f"OIDC_CLIENT_ASSERTION_ALG={OIDC_CLIENT_ASSERTION_ALG!r}; use RS256 or PS256."
    )
if OIDC_CLIENT_ASSERTION_AUDIENCE not in {"token_endpoint", "issuer"}:
    raise ConfigError(
        f"OIDC_CLIENT_ASSERTION_AUDIENCE={OIDC_CLIENT_ASSERTION_AUDIENCE!r}; "
        "use token_endpoint or issuer."
    )
if OIDC_ISSUER and not OIDC_RP_CLIENT_ID:
    raise ConfigError("OIDC_ISSUER is set but OIDC_CLIENT_ID is not.")
if OIDC_ISSUER and OIDC_CLIENT_AUTH_METHOD == "private_key_jwt" and not OIDC_PRIVATE_KEY:
    raise ConfigError("OIDC_CLIENT_AUTH_METHOD=private_key_jwt needs OIDC_PRIVATE_KEY_FILE.")
if OIDC_ISSUER and OIDC_CLIENT_AUTH_METHOD != "private_key_jwt" and not OIDC_RP_CLIENT_SECRET:
    raise ConfigError(
        f"OIDC_CLIENT_AUTH_METHOD={OIDC_CLIENT_AUTH_METHOD} needs OIDC_CLIENT_SECRET_FILE."
    )
if not LOCAL_PASSWORD_LOGIN and not OIDC_ISSUER:
    raise ConfigError("LOCAL_PASSWORD_LOGIN=false needs OIDC_ISSUER: nobody could log in.")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["legemiddel.config.formats"]

# --- Static files and uploads ---------------------------------------------------------------
STATIC_URL = "/static/"
# Only production collects files; elsewhere whitenoise serves straight from the app folders.
STATIC_ROOT = VAR_DIR / "static" if IS_PRODUCTION else None
MEDIA_ROOT = VAR_DIR / "uploads"
# Working copies an import makes of a file (a Windows-1252 or UTF-16 file transcoded to UTF-8);
# they may hold fødselsnummer, so the folder is private (0700) and swept (core/tempfiles.py).
TEMP_DIR = Path(env_str("LEGEMIDDEL_TEMP_DIR") or VAR_DIR / "tmp")
# Production serves the files `legemiddel serve` collects into STATIC_ROOT before it loads the
# application, under names that carry a hash of their content (app.3f2a….css): an upgrade
# that changes a file changes its address, so browsers never keep an old copy and whitenoise
# can let them cache each file for a year. Demo and development serve straight from the app
# folders, with no collecting.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Background jobs ------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Each worker records a heartbeat this often; one on another host that has not beaten for
# WORKER_DEAD_AFTER_SECONDS is taken for dead and its running jobs are failed (a worker on the
# same host is dead when its process is gone). See docs/operations.md.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 15)
WORKER_DEAD_AFTER_SECONDS = env_int("WORKER_DEAD_AFTER_SECONDS", 120)
if WORKER_DEAD_AFTER_SECONDS < 2 * WORKER_HEARTBEAT_SECONDS:
    raise ConfigError("WORKER_DEAD_AFTER_SECONDS must be at least twice WORKER_HEARTBEAT_SECONDS.")

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "legemiddel@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How often a message is tried when the failure is temporary (a 4xx reply, a dropped, refused or
# timed-out connection), waiting MAIL_RETRY_SECONDS times the attempt number in between.
# Permanent failures (5xx, a refused address) are not tried again.
MAIL_ATTEMPTS = env_int("MAIL_ATTEMPTS", 3)
MAIL_RETRY_SECONDS = env_int("MAIL_RETRY_SECONDS", 2)

# --- Security -------------------------------------------------------------------------------
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", default=False)
# Address of the reverse proxy whose X-Forwarded-* headers `legemiddel serve` trusts.
TRUSTED_PROXY = env_str("TRUSTED_PROXY") or "127.0.0.1"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: every script, style, font and image comes from this site, no inline
# script or style attribute, no plug-ins, no framing, forms post only here. Templates and
# scripts must keep to it (tests/web/test_security_headers.py and the browser tests check).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Browser features the product never uses, switched off for every page (Permissions-Policy).
PERMISSIONS_POLICY_FEATURES = [
    "accelerometer",
    "autoplay",
    "bluetooth",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
SESSION_COOKIE_HTTPONLY = True
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"forbidden_one_line": {"()": "legemiddel.web.logfilters.ForbiddenOneLine"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {
        # A 403 is one line (user, path, rule), not a stack trace.
        "django.request": {"filters": ["forbidden_one_line"]},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Product settings -----------------------------------------------------------------------
# Where the product is reached; links in e-mails are built from it.
SITE_URL = env_str("SITE_URL") or "http://127.0.0.1:8000"
# The national page of a method in Nye metoder; "{id}" becomes the ID (ID2019_073). The page's
# own address holds a slug that the ID does not give, so the default is the site's search.
METHODS_PUBLIC_URL = env_str("METHODS_PUBLIC_URL") or "https://www.nyemetoder.no/metoder/?q={id}"
# A new LIS agreement's start-up meeting is due this many days before the agreement starts.
STARTUP_MEETING_DAYS_BEFORE = env_int("STARTUP_MEETING_DAYS_BEFORE", 14)
# Participants get a reminder of a meeting this many days before it (once per meeting).
MEETING_REMINDER_DAYS = env_int("MEETING_REMINDER_DAYS", 2)
# The largest attachment a meeting takes, in bytes.
MEETING_ATTACHMENT_MAX_BYTES = env_int("MEETING_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Sales statistics are corrected backwards: the newest months of data are provisional, marked
# as such and never used as a headline or for the monthly alerts.
ANALYTICS_PROVISIONAL_MONTHS = env_int("ANALYTICS_PROVISIONAL_MONTHS", 2)
# A share over fewer cases than this is shown muted, with the note "few cases".
ANALYTICS_SMALL_DENOMINATOR = env_int("ANALYTICS_SMALL_DENOMINATOR", 10)
LEGEMIDDEL_TRUST_NAME = env_str("LEGEMIDDEL_TRUST_NAME") or "Helse Bergen HF"
# Nye metoder: a patient's use of a substance is a new treatment start (checked against the
# decisions) when the patient had none of it in this many days before.
METHODS_START_LOOK_BACK_DAYS = env_int("METHODS_START_LOOK_BACK_DAYS", 365)

# --- Retention and backups ------------------------------------------------------------------
# How long the logs are kept before `legemiddel prune` deletes them (docs/operations.md says
# why): the audit trail, with every read of personal data, ten years; login records one year.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 3653)
LOGIN_LOG_RETENTION_DAYS = env_int("LOGIN_LOG_RETENTION_DAYS", 365)
# Further settings holding keys the data depends on (field encryption keys): their fingerprints
# go into every backup with those of PSEUDONYM_KEY and SECRET_KEY, and a restore under other
# keys is refused.
BACKUP_KEY_SETTINGS = env_list("BACKUP_KEY_SETTINGS")
