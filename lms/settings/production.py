"""Production: every value that differs between deployments is an environment variable (docs in README)."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters")

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "lms.staticfiles.ManifestStaticFilesStorage"},
}


def WHITENOISE_IMMUTABLE_FILE_TEST(path, url):  # noqa: N802 - a setting whitenoise calls
    from lms.staticfiles import immutable_file_test

    return immutable_file_test(path, url)


# Mail through the organisation's SMTP relay. Without a host Django would try localhost:25 and
# reminders would vanish there, so production refuses to start instead.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if not EMAIL_HOST:
    raise ImproperlyConfigured(
        "EMAIL_HOST must name the SMTP server that sends the platform's mail"
    )
# Every certificate is also an Open Badge signed with the organisation's key: without one the
# badge download and check pages could only fail, so production refuses to start instead.
if not BADGE_SIGNING_KEY:  # noqa: F405
    raise ImproperlyConfigured(
        "BADGE_SIGNING_KEY must hold the organisation's EC P-256 private key (PEM text or a PEM "
        "file's path) that signs Open Badges"
    )
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)  # STARTTLS, usually on port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # implicit TLS, usually on port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set only one of EMAIL_USE_TLS (STARTTLS) and EMAIL_USE_SSL")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "465" if EMAIL_USE_SSL else "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)  # noqa: F405

# Certificates and media in S3-compatible object storage when a bucket is configured, so that
# no server depends on its own disk. Certificates are private: served only through the app.
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    _s3_options = {
        "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3_options, "location": "media"},
    }
    STORAGES["certificates"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3_options,
            "bucket_name": os.environ.get("CERTIFICATE_BUCKET_NAME", _s3_options["bucket_name"]),
            "location": "certificates",
        },
    }
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3_options,
            "bucket_name": os.environ.get("EVIDENCE_BUCKET_NAME", _s3_options["bucket_name"]),
            "location": "evidence",
        },
    }

# A cache every app server shares (rate limits, throttling counters): Redis when REDIS_URL is
# set, else a database table (create it with `manage.py createcachetable`). CACHE_KEY_PREFIX keeps
# apart deployments (or test runs) that share one Redis database.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "lms.redis_cache.KeptClientRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
        }
    }
else:
    # Django's default of 300 entries would cull the throttle's counters and everyone's usual
    # sign-in addresses (one entry per person who signed in lately) in any real organisation.
    # Each write counts the table's rows, so above this size Redis is the better cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "lms_cache",
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "100000"))},
        }
    }
