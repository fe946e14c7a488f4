"""Local development and the demo that `make run` serves. Never use in production."""

import os

from .base import *  # noqa: F403
from .base import env_bool

# The demo shows the product's own 404 and 500 pages, as people will see them; DEBUG=true brings
# back Django's debug pages for development.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-not-for-production"
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Without DEBUG, static files come from whitenoise straight out of the source folders (no
# collectstatic), and uploaded media from Django's own file view.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SERVE_MEDIA = True
# The demo is Cafcass's: its policies apply to anyone created without an organisation.
LMS_HOME_ORGANISATION = os.environ.get("LMS_HOME_ORGANISATION", "cafcass")
# The benchmarks' organisation generator and tracking benchmark (manage.py generate_organisation,
# bench_tracking): tools for developers, never part of a production build.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
# The demo signs Open Badges with a development key made once in var/ (see base.py).
BADGE_DEV_KEY_ALLOWED = True
