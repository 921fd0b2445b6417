"""Settings for the partnership portal.

Everything comes from the environment (or a local, uncommitted ``.env`` that
``make install`` writes for development). ``.env.example`` lists every variable.
Production secrets have no defaults: ``DJANGO_SECRET_KEY`` must be set.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_url(name: str, default: str) -> str:
    """A URL from the environment; set but empty (as a copy of .env.example may leave it)
    counts as unset, so the default applies."""
    return env(name, default="") or default


SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("PORTAL_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "guardian",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "audit",
    "outbox",
    "accounts",
    "partnerships",
    "governance",
    "outcomes",
    "compliance",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.RejectNullCharactersMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "audit.context.AuditContextMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "csp.context_processors.nonce",
                "accounts.context_processors.portal",
                "governance.context_processors.notifications",
            ],
        },
    },
]

FORM_RENDERER = "portal.forms.NHSFormRenderer"

# Data: SQLite under var/ is only the zero-setup default of `make run` (and of the smoke set
# that checks it, tests/sqlite); PostgreSQL in production and in the test suite (DATABASE_URL).
DATABASES = {
    "default": env.db_url_config(
        env_url("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
# A connection kept between requests is checked before reuse, so after PostgreSQL restarts
# the next request connects afresh instead of failing on the dead one.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server fails a request within seconds (a 503 page) instead of hanging.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # make run's web server, worker and beat share one file. Each transaction takes the write
    # lock as it begins, waiting up to 20 s for another to finish, instead of failing with
    # "database is locked" when it first writes; SQLite has no row locks (select_for_update
    # does nothing there), so this is also what keeps two changes to one project apart.
    # In WAL mode pages read while a transaction writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url_config(env_url("CACHE_URL", "locmemcache://"))}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Keeps answering from process memory while Redis is down (portal/cache.py).
    CACHES["default"]["BACKEND"] = "portal.cache.ResilientRedisCache"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email login, closed sign-up, mandatory verification, MFA.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.allauth_forms.LoginForm",
    "reset_password": "accounts.allauth_forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.allauth_forms.ResetPasswordKeyForm",
    "change_password": "accounts.allauth_forms.ChangePasswordForm",
    "set_password": "accounts.allauth_forms.SetPasswordForm",
    "add_email": "accounts.allauth_forms.AddEmailForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Partnership portal] "
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For allauth trusts
# for per-address login throttling (0: use the connecting address).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("PORTAL_TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("PORTAL_LOGIN_FAILED_RATE", default="10/m/ip,5/5m/key"),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Partnership portal"
# A code typed as the authenticator app moves on to the next one (every 30 seconds) is still
# taken: one step either side, as RFC 6238 recommends for delay and clock drift. allauth
# still refuses a code used once already within that window.
MFA_TOTP_TOLERANCE = 1
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"

# Optional single sign-on (OpenID Connect, e.g. Microsoft Entra ID for NHSmail).
# The button appears only when all three values are in the environment.
OIDC_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", default="")
OIDC_SERVER_URL = env("OIDC_SERVER_URL", default="")
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="NHSmail (Microsoft Entra ID)")
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
if OIDC_CLIENT_ID and OIDC_CLIENT_SECRET and OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": "sso",
            "name": OIDC_PROVIDER_NAME,
            "client_id": OIDC_CLIENT_ID,
            "secret": OIDC_CLIENT_SECRET,
            "settings": {"server_url": OIDC_SERVER_URL},
        }
    )

# django-guardian: object permissions; no anonymous user row is needed.
ANONYMOUS_USER_NAME = None

# Demo data (seed_demo) is refused unless this is on; it is on by default only with DEBUG.
PORTAL_DEMO = env.bool("PORTAL_DEMO", default=DEBUG)

# The benchmark (make bench): an X-Query-Count header on every response and a floor page at
# /bench/floor. Never on a live instance.
PORTAL_BENCH = env.bool("PORTAL_BENCH", default=False)
if PORTAL_BENCH:
    MIDDLEWARE.insert(0, "portal.bench.QueryCountMiddleware")

# The final report and its public outcome summary are due this many months after the
# project's end date (DESIGN rule 9).
PORTAL_FINAL_REPORT_MONTHS = env.int("PORTAL_FINAL_REPORT_MONTHS", default=6)

# The REST API for partners' systems (/api/v1/, docs at /api/docs/): personal access tokens
# (at most PORTAL_API_TOKEN_MAX_DAYS long), rate limits per token and, for the public
# register, per address ("number/second|minute|hour|day").
PORTAL_API_TOKEN_MAX_DAYS = env.int("PORTAL_API_TOKEN_MAX_DAYS", default=365)
PORTAL_API_RATE = env("PORTAL_API_RATE", default="600/hour")
PORTAL_API_ANON_RATE = env("PORTAL_API_ANON_RATE", default="120/hour")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.TokenScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partnership portal API",
    "DESCRIPTION": "For partners' own systems: projects, gates, outcome reports, "
    "declarations, disclosure documents and the public transparency register. Authenticate "
    "with a personal access token from the portal's API tokens page: "
    "`Authorization: Bearer pp_...`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from drf-spectacular-sidecar's static files: the CSP allows no other scripts.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "partnerships.models.Project.Status",
        "ProjectKindEnum": "partnerships.models.Project.Kind",
        "OrganisationKindEnum": "accounts.models.Organisation.Kind",
        "GateKindEnum": "governance.models.Gate.Kind",
        "GateStatusEnum": "governance.models.Gate.Status",
        "DisclosureKindEnum": "outcomes.models.DisclosureDocument.Kind",
        "DisclosureStatusEnum": "outcomes.models.DisclosureDocument.Status",
        "ReportIssueKindEnum": "outcomes.models.ReportIssue.Kind",
    },
}

# Invitations
INVITATION_VALID_DAYS = env.int("PORTAL_INVITATION_VALID_DAYS", default=14)

# Roles that must set up multi-factor authentication before using the portal.
MFA_REQUIRED_ROLES = ["panel_member", "panel_chair", "auditor"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
]
# Stored files (uploaded documents, disclosure PDFs): on the local disk under MEDIA_ROOT by
# default; in S3-compatible object storage or Azure Blob Storage when several web and worker
# machines share them (README, Deployment). Never served by a public address: downloads are
# streamed through permission-checked views, so the bucket or container stays private.
PORTAL_STORAGE = env("PORTAL_STORAGE", default="").strip().lower() or "local"
if PORTAL_STORAGE == "local":
    # No OPTIONS: FileSystemStorage follows MEDIA_ROOT (and tests that change it).
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif PORTAL_STORAGE == "s3":
    if not env("PORTAL_S3_BUCKET", default=""):
        raise ImproperlyConfigured("PORTAL_STORAGE=s3 needs PORTAL_S3_BUCKET")
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("PORTAL_S3_BUCKET"),
            # Empty for AWS itself; the address of any other S3-compatible store (MinIO…).
            "endpoint_url": env("PORTAL_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("PORTAL_S3_REGION", default="") or None,
            # Empty to use the machine's own credentials (an instance role and so on).
            "access_key": env("PORTAL_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("PORTAL_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env("PORTAL_S3_PREFIX", default=""),
            "addressing_style": env("PORTAL_S3_ADDRESSING_STYLE", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }
elif PORTAL_STORAGE == "azure":
    if not env("PORTAL_AZURE_CONTAINER", default=""):
        raise ImproperlyConfigured("PORTAL_STORAGE=azure needs PORTAL_AZURE_CONTAINER")
    if not (
        env("PORTAL_AZURE_CONNECTION_STRING", default="")
        or env("PORTAL_AZURE_ACCOUNT_NAME", default="")
    ):
        raise ImproperlyConfigured(
            "PORTAL_STORAGE=azure needs PORTAL_AZURE_CONNECTION_STRING, or "
            "PORTAL_AZURE_ACCOUNT_NAME and PORTAL_AZURE_ACCOUNT_KEY"
        )
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.azure_storage.AzureStorage",
        "OPTIONS": {
            "azure_container": env("PORTAL_AZURE_CONTAINER"),
            # A connection string, or an account name and key.
            "connection_string": env("PORTAL_AZURE_CONNECTION_STRING", default="") or None,
            "account_name": env("PORTAL_AZURE_ACCOUNT_NAME", default="") or None,
            "account_key": env("PORTAL_AZURE_ACCOUNT_KEY", default="") or None,
            "location": env("PORTAL_AZURE_PREFIX", default=""),
            "azure_ssl": True,
            "expiration_secs": 60,
            "overwrite_files": False,
        },
    }
else:
    raise ImproperlyConfigured(
        f"PORTAL_STORAGE must be local, s3 or azure (it is {PORTAL_STORAGE!r})"
    )
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": env(
            "DJANGO_STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = Path(env("PORTAL_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: documents go through permission-checked views
# Uploaded documents (PDF, DOCX, XLSX, checked by content) may be at most this size.
PORTAL_DOCUMENT_MAX_BYTES = env.int("PORTAL_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)

# Email: console in development unless EMAIL_URL is given.
EMAIL_CONFIG = env.email_url_config(env_url("EMAIL_URL", "consolemail://"))
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Partnership portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport,
# which needs no server (the zero-setup default of `make run`).
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_FOLDER = Path(env("CELERY_BROKER_FOLDER", default=str(VAR_DIR / "celery" / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "control_folder": str(CELERY_BROKER_FOLDER.parent / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Publishing must not hold a request for long when Redis is down: the connection attempt
# gives up after CELERY_BROKER_CONNECTION_TIMEOUT seconds, and publishing from the outbox
# after PORTAL_OUTBOX_PUBLISH_TIMEOUT (below); what it could not publish stays in the outbox
# (outbox/) for the relay. Workers and beat keep trying to reconnect for as long as Redis is
# down (Celery's default gives up after 100 attempts and the worker exits).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_TRANSPORT_OPTIONS.setdefault(
    "socket_connect_timeout", CELERY_BROKER_CONNECTION_TIMEOUT
)
# A publish on a connection Redis dropped without closing it gives up after this long too.
CELERY_BROKER_TRANSPORT_OPTIONS.setdefault(
    "socket_timeout", env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=10.0)
)
# A task a worker took but did not finish (the worker was killed) goes back to the queue
# after this many seconds; longer than any task may run (the PDF render's time limit).
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env.int(
        "CELERY_VISIBILITY_TIMEOUT", default=60 * 60
    )
# Publishing from the outbox (after commit, and the relay) waits at most this many seconds
# for Redis and does not retry: what it could not publish, the relay tries again.
PORTAL_OUTBOX_PUBLISH_TIMEOUT = env.float("PORTAL_OUTBOX_PUBLISH_TIMEOUT", default=2.0)
PORTAL_OUTBOX_PUBLISH_RETRY = {"max_retries": 0}
PORTAL_OUTBOX_RELAY_SECONDS = env.int("PORTAL_OUTBOX_RELAY_SECONDS", default=30)
PORTAL_OUTBOX_KEEP_DAYS = env.int("PORTAL_OUTBOX_KEEP_DAYS", default=7)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# The queue the portal's tasks go to and its workers take them from: portals (or test runs)
# that share one Redis each use their own.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Every periodic task, in one place.
CELERY_BEAT_SCHEDULE = {
    # Tasks whose publishing after commit failed (Redis was down) go out when it is back.
    "outbox-relay": {
        "task": "outbox.tasks.outbox_relay_task",
        "schedule": PORTAL_OUTBOX_RELAY_SECONDS,
    },
    "sessions-clear-expired": {
        "task": "accounts.tasks.sessions_clear_expired_task",
        "schedule": 24 * 60 * 60,
    },
    # Review reminders, escalations to chairs and declaration reminders (CELERY_TIMEZONE).
    "reminders-send": {
        "task": "governance.tasks.reminders_send_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Approved projects start on their start date once every condition holds; active
    # projects complete when their end date has passed (CELERY_TIMEZONE).
    "projects-advance": {
        "task": "partnerships.tasks.projects_advance_task",
        "schedule": crontab(hour=6, minute=30),
    },
    # Outcome reports due soon or overdue, final reports near or past their deadline; each
    # reminder once in all (CELERY_TIMEZONE).
    "outcome-reminders-send": {
        "task": "outcomes.tasks.outcome_reminders_send_task",
        "schedule": crontab(hour=7, minute=15),
    },
    # Disclosure documents left "running" by a worker that died are marked failed, so the
    # page offers a retry instead of waiting for ever.
    "disclosure-sweep-stale": {
        "task": "outcomes.tasks.disclosure_sweep_stale_task",
        "schedule": 5 * 60,
    },
}

# Security. In production (DEBUG off) cookies are secure, HSTS is on and HTTP
# goes to HTTPS; set DJANGO_SECURE_SSL_REDIRECT=0 behind a proxy that does it.
SESSION_COOKIE_AGE = env.int("PORTAL_SESSION_AGE", default=8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
# HSTS preload (security.W021) is the decision of whoever owns the whole domain
# (nhs.uk), not of one service under it; turn it on with DJANGO_SECURE_HSTS_PRELOAD.
SILENCED_SYSTEM_CHECKS = env.list("DJANGO_SILENCED_SYSTEM_CHECKS", default=["security.W021"])

# Content Security Policy (django-csp): only the portal's own scripts, plus
# the one-line inline script that marks the page as JavaScript-enabled (nonce).
_sso_origin = "/".join(OIDC_SERVER_URL.split("/")[:3]) if OIDC_SERVER_URL else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # NHS.UK frontend's stylesheet loads the Frutiger web font from the NHS.
        "font-src": [SELF, "data:", "https://assets.nhs.uk"],
        "connect-src": [SELF],
        "form-action": [SELF, *([_sso_origin] if _sso_origin else [])],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
    # The Azure SDK logs every request and response to Blob Storage at INFO.
    "loggers": {"azure": {"level": "WARNING"}},
}
