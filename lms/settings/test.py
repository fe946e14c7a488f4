"""Fast, isolated settings for the test suite."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import STORAGES

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    **STORAGES,
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "certificates": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "evidence": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), "lms-test-media")
SITE_URL = "https://learning.example.org"
# xAPI stays off whatever the environment says; the LRS tests switch it on against their own Ralph.
XAPI_ENDPOINT = ""
WAGTAILADMIN_BASE_URL = SITE_URL
# Static files are not built for most test runs; whitenoise would only warn about it.
MIDDLEWARE = [entry for entry in MIDDLEWARE if "whitenoise" not in entry]  # noqa: F405
# Transactional tests with serialized_rollback reload the database in app order; content types go
# first so that signal handlers looking them up during the reload find them instead of adding twins.
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    *[app for app in INSTALLED_APPS if app != "django.contrib.contenttypes"],  # noqa: F405
    "bench",  # the organisation generator's commands are tested too
]
# A development key made once per test run, outside the worktree (tests may set their own).
BADGE_DEV_KEY_ALLOWED = True
BADGE_DEV_KEY_PATH = os.path.join(tempfile.mkdtemp(prefix="lms-test-badge-key-"), "key.pem")
