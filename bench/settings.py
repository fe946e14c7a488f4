"""Production settings with safe local values, for benchmarks on loopback only.

Everything that shapes a request stays as in production (DEBUG off, middleware, templates,
sessions in a shared cache backed by the database, the database task backend); only what cannot
work on a plain-HTTP loopback server without secrets is changed: HTTPS redirects and secure
cookies, the secret key, and the file locations. Never deploy this module."""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("EMAIL_HOST", "127.0.0.1")  # the bench sends no mail
os.environ.setdefault("BADGE_SIGNING_KEY", "replaced below")  # production insists on one
# The generated staff are the operator's own, as in the demo (people.selectors.person_organisation).
os.environ.setdefault("LMS_HOME_ORGANISATION", "cafcass")

from lms.settings.production import *  # noqa: E402, F403
from lms.settings.production import BASE_DIR, CACHES, DATABASES, STORAGES  # noqa: E402

BENCH_VAR = Path(os.environ.get("BENCH_VAR", BASE_DIR / "var" / "bench"))

ROOT_URLCONF = "bench.urls"
# Badges are signed with a development key made once under the bench's own folder.
BADGE_SIGNING_KEY = ""
BADGE_DEV_KEY_ALLOWED = True
BADGE_DEV_KEY_PATH = BENCH_VAR / "badge-signing-key.pem"
STATIC_ROOT = BENCH_VAR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]  # testserver: the in-process query counts
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SITE_URL = "http://127.0.0.1"
WAGTAILADMIN_BASE_URL = SITE_URL
# The manifest storage needs `collectstatic`; the pages under test are measured without their
# assets, so the plain storage (same URLs but for the hash) keeps the harness independent of it.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BENCH_VAR / "media")},
    },
    "certificates": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BENCH_VAR / "certificates")},
    },
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BENCH_VAR / "evidence")},
    },
}


def _redis_answers(url):
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 (no client, no server, refused: all mean "not there")
        return False
    return True


# Sessions and cached content must be shared by the two gunicorn workers, as by production's app
# servers (a worker's own copy would outlive a sign-out or a publish seen by the other): Redis as in
# production (REDIS_URL, else BENCH_REDIS_URL when it answers), else production's database table.
# The key prefix keeps runs apart in one Redis (python -m bench gives each run its own, so that
# nothing cached from an earlier database of the same name is read); clearing would empty the
# whole Redis database, other users' keys too.
BENCH_REDIS_URL = os.environ.get("REDIS_URL") or os.environ.get(
    "BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"
)
_cache_prefix = os.environ.get("BENCH_CACHE_PREFIX") or (
    "bench-" + str(DATABASES["default"]["NAME"]).rsplit("/", 1)[-1]
)
if _redis_answers(BENCH_REDIS_URL):
    CACHES = {
        "default": {
            "BACKEND": "lms.redis_cache.KeptClientRedisCache",
            "LOCATION": BENCH_REDIS_URL,
            "KEY_PREFIX": _cache_prefix,
        }
    }
else:
    CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": _cache_prefix}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.request": {"level": "ERROR"}},
}
# The worker-memory figure's render tasks go to a queue of their own (bench/tasks.py), so that
# the worker it starts runs only them.
TASKS = {
    "default": {
        **TASKS["default"],  # noqa: F405
        "QUEUES": [*TASKS["default"]["QUEUES"], "bench-worker-memory"],  # noqa: F405
    }
}
