"""The production static files storage: whitenoise's hashed, compressed files, built so that a
gap in the build can never take the whole site down."""

import functools
import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage

logger = logging.getLogger(__name__)


def _without_source_maps(patterns):
    return tuple(
        (extension, tuple(pattern for pattern in rules if "sourceMappingURL" not in str(pattern)))
        for extension, rules in patterns
    )


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Source-map comments are a developer's aid that no page needs: the build strips them, and
    collectstatic leaves any that remain alone instead of failing on a ``.map`` it was never given.
    A missing image or font referenced from a stylesheet still fails collectstatic.

    At run time a name missing from the manifest (an asset added after the last collectstatic, or
    no collectstatic at all) is logged and served under its plain name: one broken asset, not a
    500 on every page, the sign-in and error pages included."""

    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
    # init.js imports GOV.UK Frontend, which base.html also preloads by its hashed name: rewriting
    # the import to that name too means the browser fetches it once (and caches it for good).
    support_js_module_import_aggregation = True

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            logger.error("Static file %r is missing from the manifest: run collectstatic", name)
            return name


@functools.cache
def _hashed_names():
    return frozenset(staticfiles_storage.hashed_files.values())


def immutable_file_test(path, url):
    """WHITENOISE_IMMUTABLE_FILE_TEST: a file may be cached forever when its name is a hashed name
    in the manifest. (Whitenoise's own test asks the storage for guessed names and relies on an
    error for the missing ones, which the storage above no longer raises.)"""
    prefix = settings.STATIC_URL
    return url.startswith(prefix) and url[len(prefix) :] in _hashed_names()
