"""Settings shared by every environment. Anything secret or machine-specific comes from the environment."""

import datetime
import json
import os
from pathlib import Path

import dj_database_url

from django.core.exceptions import ImproperlyConfigured

from lms.database_options import postgresql_prepare_options

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("LMS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "lms",
    "people",
    "modules",
    "quizzes",
    "certificates",
    "tracking",
    "api",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "polymorphic",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lms.middleware.SessionLimitsMiddleware",
    "lms.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "people.middleware.MfaEnrolmentMiddleware",
]

ROOT_URLCONF = "lms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "lms.context_processors.organisation",
            ],
        },
    },
]

WSGI_APPLICATION = "lms.wsgi.application"

if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        postgresql_prepare_options(os.environ.get("DATABASE_PREPARE_THRESHOLD"))
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite (the demo, `make run`) must wait for a lock, never fail a learner's request with
    # "database is locked". A transaction that starts by reading and then writes cannot wait: when
    # another writer got in first SQLite refuses the upgrade at once, whatever the timeout. So every
    # transaction takes the write lock when it begins (IMMEDIATE) and queues for it for up to
    # `timeout` seconds. WAL lets readers carry on while one connection writes; synchronous=NORMAL
    # is WAL's safe setting (a power cut may lose the last commits, never corrupts the file).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": int(os.environ.get("SQLITE_TIMEOUT_SECONDS", "20")),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Sign-in goes through django-allauth: local passwords (which can be turned off), single sign-on
# with Microsoft Entra ID (OpenID Connect) when configured, and multi-factor authentication.
ACCOUNT_ADAPTER = "people.sso.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "people.sso.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "people.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
# Throttling failed sign-ins (people.sso.AccountAdapter explains how), counted in the shared cache
# so every server agrees:
# - LOGIN_PAIR_FAILURE_LIMIT an hour for one account from one address: guessing from one place
#   stops quickly, and locks the person out nowhere else;
# - LOGIN_ADDRESS_FAILURE_LIMIT an hour from one address, whatever the accounts;
# - LOGIN_FAILURE_LIMIT an hour for one account in all (OWASP ASVS 2.2.1): addresses the person
#   signed in from lately (their LOGIN_USUAL_ADDRESSES last ones) keep their own pair allowance,
#   and all other addresses share what is left, so guessing from elsewhere never locks the person
#   out at their usual address.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "100"))
LOGIN_PAIR_FAILURE_LIMIT = int(os.environ.get("LOGIN_PAIR_FAILURE_LIMIT", "10"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "100"))
LOGIN_USUAL_ADDRESSES = int(os.environ.get("LOGIN_USUAL_ADDRESSES", "2"))
LOGIN_USUAL_ADDRESS_DAYS = int(os.environ.get("LOGIN_USUAL_ADDRESS_DAYS", "90"))
_LOGIN_ELSEWHERE_LIMIT = LOGIN_FAILURE_LIMIT - LOGIN_PAIR_FAILURE_LIMIT * LOGIN_USUAL_ADDRESSES
if LOGIN_PAIR_FAILURE_LIMIT < 1 or _LOGIN_ELSEWHERE_LIMIT < 1:
    raise ImproperlyConfigured(
        "LOGIN_FAILURE_LIMIT must be more than LOGIN_PAIR_FAILURE_LIMIT x LOGIN_USUAL_ADDRESSES (and both at least 1)"
    )
# Behind a proxy, the client address comes from X-Forwarded-For: set how many proxies add to it.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ACCOUNT_RATE_LIMITS = {
    # allauth's own: "key" is the account and the address together (people.sso.AccountAdapter).
    "login_failed": f"{LOGIN_ADDRESS_FAILURE_LIMIT}/h/ip,{LOGIN_PAIR_FAILURE_LIMIT}/h/key",
    # Ours, through allauth's rate limits: "key" is the account, from addresses not usual for it.
    "login_failed_account": f"{_LOGIN_ELSEWHERE_LIMIT}/h/key",
    # All sign-ins from one address (a whole office behind one NAT): generous.
    "login": "600/m/ip",
}
# Local passwords: on by default. Off (LOCAL_PASSWORD_LOGIN=false) leaves single sign-on as the
# only way in, except for superusers, the break-glass administrators, who should use MFA.
LOCAL_PASSWORD_LOGIN = env_bool("LOCAL_PASSWORD_LOGIN", True)
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
ENTRA_TENANT_ID = os.environ.get("ENTRA_TENANT_ID", "")
ENTRA_CLIENT_ID = os.environ.get("ENTRA_CLIENT_ID", "")
ENTRA_CLIENT_SECRET = os.environ.get("ENTRA_CLIENT_SECRET", "")
# JSON object: Entra group object id -> role name, e.g. {"6f1c...": "Line managers"}.
ENTRA_GROUP_ROLES = json.loads(os.environ.get("ENTRA_GROUP_ROLES", "{}"))
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "entra",
                "name": "Microsoft",
                "client_id": ENTRA_CLIENT_ID,
                "secret": ENTRA_CLIENT_SECRET,
                "settings": {
                    "server_url": os.environ.get(
                        "ENTRA_SERVER_URL",
                        f"https://login.microsoftonline.com/{ENTRA_TENANT_ID}/v2.0",
                    ),
                    # The ID token carries the groups claim; Entra's userinfo endpoint does not.
                    "fetch_userinfo": False,
                    "token_auth_method": "client_secret_post",
                },
            }
        ]
        if ENTRA_CLIENT_ID
        else [],
    }
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "people.mfa.MFAAdapter"
# After signing in with a password, these people must set up an authenticator app before anything
# else (people.middleware). Role names as in lms/roles.py.
LMS_MFA_REQUIRED_ROLES = ["L&D authors", "L&D reviewers", "Auditors"]
LMS_MFA_REQUIRED_FOR_SUPERUSERS = True
MFA_TOTP_ISSUER = os.environ.get("ORGANISATION_NAME", "Northmoor Children's Services") + " learning"
WAGTAILADMIN_LOGIN_URL = "admin_login"

# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after login
# whatever happens (lms.middleware.SessionLimitsMiddleware); the cookie never outlives the latter.
SESSION_IDLE_TIMEOUT = datetime.timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
SESSION_ABSOLUTE_TIMEOUT = datetime.timedelta(hours=int(os.environ.get("SESSION_MAX_HOURS", "10")))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
# Sessions are read from the shared cache and written through to the database, which stays the
# record: a page costs no session query while the cache holds it, and a session outlives a cache
# restart. The cache must be one every app server shares (production: REDIS_URL), or a sign-out on
# one server would leave the session alive in another's copy.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# No inline script or style on the learners' pages. Wagtail's admin needs inline script, so it
# is left to Wagtail's own protections.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        # 'self', not 'none': Wagtail's preview frames the page it renders (through the whole
        # middleware stack, under the page's own path) inside the admin, on the same origin.
        "frame-ancestors": ["'self'"],
    },
}

# Uploads (HR CSV, PDFs to verify) are small; anything larger is refused before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static_build"))
STATICFILES_DIRS = [("frontend", BASE_DIR / "frontend" / "build")]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Certificates are private: they live apart from public media and are only ever served by a view.
    "certificates": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(Path(os.environ.get("CERTIFICATE_ROOT", VAR_DIR / "certificates")))
        },
    },
    # The evidence PDF of each submitted attempt, stored once: private too, served only to auditors.
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(os.environ.get("EVIDENCE_ROOT", VAR_DIR / "evidence")))},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Background work is finished or visibly given up on (lms/background.py, `manage.py recover_tasks`):
# a task RUNNING for longer than TASK_STALE_AFTER_SECONDS lost its worker and is queued again (a
# certificate renders in about a second; a reminder e-mail in a few). Retryable tasks that fail are
# queued again after TASK_RETRY_BASE_SECONDS, four times longer after each failure up to
# TASK_RETRY_MAX_SECONDS, for at most TASK_MAX_ATTEMPTS attempts in all. Only idempotent tasks may
# be listed. The worker restarts itself after WORKER_MAX_TASKS tasks (`manage.py run_worker`), which
# bounds whatever memory a long-lived process gathers (rendering keeps none since the font
# configuration is shared per thread: lms/pdf_fonts.py; the benchmark measures it).
TASK_STALE_AFTER_SECONDS = int(os.environ.get("TASK_STALE_AFTER_SECONDS", str(30 * 60)))
TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "5"))
TASK_RETRY_BASE_SECONDS = int(os.environ.get("TASK_RETRY_BASE_SECONDS", "60"))
TASK_RETRY_MAX_SECONDS = int(os.environ.get("TASK_RETRY_MAX_SECONDS", str(60 * 60)))
TASK_RETRYABLE = [
    "certificates.tasks.certificate_issue_task",
    "quizzes.tasks.attempt_submitted_task",
    "quizzes.tasks.attempt_evidence_seal_task",
    "tracking.tasks.reminder_send_task",
    "lms.outbox.outbox_send_task",  # only a message the server refused outright is tried again
    "lms.xapi.xapi_send_task",  # the LRS keeps one statement per id: sending again is harmless
    # Wagtail's own: rebuilding an object's references and deleting a replaced file both come out
    # the same however often they run.
    "wagtail.tasks.update_reference_index_task",
    "wagtail.tasks.delete_file_from_storage_task",
]
WORKER_MAX_TASKS = int(os.environ.get("WORKER_MAX_TASKS", "500"))

WAGTAIL_SITE_NAME = os.environ.get("ORGANISATION_NAME", "Northmoor Children's Services")
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# Wagtail's database backend (SQLite FTS5 or PostgreSQL), with typed quotes kept as plain text.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "lms.search"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_I18N_ENABLED = False
# No avatars fetched from gravatar.com: that would send a hash of each author's e-mail address to a
# third party (and fail on a network with no route out). Wagtail shows its default avatar instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does an administrator's browser ask releases.wagtail.org for Wagtail's latest version on the
# admin dashboard (a third party told who runs the admin, and a failed request on a closed
# network): upgrades come through requirements.lock and the release steps of docs/deploy.md.
WAGTAIL_ENABLE_UPDATE_CHECK = False

# The public address printed on certificates and in their QR codes.
SITE_URL = WAGTAILADMIN_BASE_URL.rstrip("/")
ORGANISATION_NAME = WAGTAIL_SITE_NAME

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every render at INFO; only their warnings are worth a line.
    "loggers": {
        "django.request": {"level": "ERROR"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Retention: personal details of people who left are removed this many days after leaving
# (python manage.py apply_retention, run by cron). Six years by default.
RETENTION_DAYS_AFTER_LEAVING = int(os.environ.get("RETENTION_DAYS_AFTER_LEAVING", str(6 * 365)))

# Certificates: optional PAdES signing (PEM text or file paths), and the public
# verification pages' rate limit per client address and upload size limit.
CERTIFICATE_SIGNING_KEY = os.environ.get("CERTIFICATE_SIGNING_KEY", "")
CERTIFICATE_SIGNING_CERT = os.environ.get("CERTIFICATE_SIGNING_CERT", "")
CERTIFICATE_SIGNING_KEY_PASSWORD = os.environ.get("CERTIFICATE_SIGNING_KEY_PASSWORD", "")
# Open Badges 3.0 (certificates/badges.py): the organisation's EC P-256 private key, as PEM text or
# the path of a PEM file. Unset, the demo and the tests make a development key in var/ (never
# committed); production refuses to sign without one.
BADGE_SIGNING_KEY = os.environ.get("BADGE_SIGNING_KEY", "")
BADGE_DEV_KEY_ALLOWED = DEBUG
BADGE_DEV_KEY_PATH = VAR_DIR / "badge-signing-key.pem"
CERTIFICATE_VERIFY_RATE_LIMIT = int(os.environ.get("CERTIFICATE_VERIFY_RATE_LIMIT", "30"))
CERTIFICATE_VERIFY_RATE_WINDOW_SECONDS = int(
    os.environ.get("CERTIFICATE_VERIFY_RATE_WINDOW_SECONDS", "60")
)
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR).
CERTIFICATE_VERIFY_TRUSTED_PROXIES = int(
    os.environ.get("CERTIFICATE_VERIFY_TRUSTED_PROXIES", os.environ.get("TRUSTED_PROXY_COUNT", "0"))
)
CERTIFICATE_CHECK_MAX_BYTES = int(
    os.environ.get("CERTIFICATE_CHECK_MAX_BYTES", str(5 * 1024 * 1024))
)

# Line-manager tracking: status windows, reminders and the HR import.
# The organisation that runs the platform (its code in the policy library): its policies apply to
# anyone whose own organisation is not recorded (people.selectors.person_organisation).
LMS_HOME_ORGANISATION = os.environ.get("LMS_HOME_ORGANISATION", "")
LMS_EXPIRING_SOON_DAYS = int(os.environ.get("LMS_EXPIRING_SOON_DAYS", "60"))
LMS_BASE_COMPETENCE_DUE_DAYS = int(os.environ.get("LMS_BASE_COMPETENCE_DUE_DAYS", "30"))
LMS_RECERTIFICATION_DUE_DAYS = int(os.environ.get("LMS_RECERTIFICATION_DUE_DAYS", "30"))
LMS_REMINDER_DUE_SOON_DAYS = int(os.environ.get("LMS_REMINDER_DUE_SOON_DAYS", "7"))
LMS_ESCALATE_OVERDUE_AFTER_DAYS = int(os.environ.get("LMS_ESCALATE_OVERDUE_AFTER_DAYS", "14"))
# The API (api/): requests a client may make per window, and the size of a page of results.
API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "120"))
API_RATE_WINDOW_SECONDS = int(os.environ.get("API_RATE_WINDOW_SECONDS", "60"))
API_PAGE_SIZE = int(os.environ.get("API_PAGE_SIZE", "100"))
API_PAGE_SIZE_MAX = int(os.environ.get("API_PAGE_SIZE_MAX", "500"))
LMS_HR_IMPORT_MAX_BYTES = int(os.environ.get("LMS_HR_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
LMS_DASHBOARD_PAGE_SIZE = int(os.environ.get("LMS_DASHBOARD_PAGE_SIZE", "100"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "learning@example.org")

# xAPI to a learning record store (lms/xapi.py, docs/integrations.md): off unless the endpoint
# (the LRS's xAPI base, ending before /statements) and its HTTP Basic credentials are all set.
XAPI_ENDPOINT = os.environ.get("XAPI_ENDPOINT", "")
XAPI_USERNAME = os.environ.get("XAPI_USERNAME", "")
XAPI_PASSWORD = os.environ.get("XAPI_PASSWORD", "")
XAPI_TIMEOUT_SECONDS = float(os.environ.get("XAPI_TIMEOUT_SECONDS", "10"))
XAPI_LANGUAGE = os.environ.get("XAPI_LANGUAGE", "en-GB")
XAPI_PLATFORM = os.environ.get("XAPI_PLATFORM", WAGTAIL_SITE_NAME)

# Four eyes: approving the last review task publishes without a publish permission, which neither
# authors nor reviewers hold (modules.workflows).
WAGTAIL_FINISH_WORKFLOW_ACTION = "modules.workflows.workflow_publish_approved"
