"""Production runs on several servers: files go through the storage API, caches are shared,
and a failure never shows a stack trace."""

import pytest

from django.test import override_settings
from django.urls import path
from django.utils.module_loading import import_string

from certificates.models import Certificate
from quizzes.services import attempt_submit
from tests.factories import attempt_begin
from tests.lms.test_settings import PRODUCTION_ENV, _settings_value


def test_certificates_are_written_through_the_storage_api(
    people, quiz, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    answers = {
        str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])]
        for q in attempt.questions
    }
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=attempt, answers=answers)
    certificate = Certificate.objects.get(kind=Certificate.Kind.MODULE)
    # The test settings make the "certificates" storage an in-memory one: if the file is there
    # and nothing reached the disk, nothing bypassed the storage API. The field's own storage,
    # taken from the settings when the model loaded: a test that changes STORAGES hands out new
    # storages afterwards, and the field keeps the one it took.
    written_through = Certificate._meta.get_field("pdf").storage
    assert type(written_through) is import_string(settings.STORAGES["certificates"]["BACKEND"])
    assert written_through.exists(certificate.pdf.name)
    assert list(tmp_path.rglob("*.pdf")) == []


def test_production_puts_certificates_and_media_in_object_storage():
    env = {
        **PRODUCTION_ENV,
        "AWS_STORAGE_BUCKET_NAME": "lms-files",
        "CERTIFICATE_BUCKET_NAME": "lms-certificates",
    }
    backends = _settings_value(
        "settings.STORAGES['certificates']['BACKEND'], settings.STORAGES['certificates']['OPTIONS']['bucket_name'], "
        "settings.STORAGES['default']['BACKEND']",
        env,
        settings="lms.settings.production",
    )
    assert (
        backends == "storages.backends.s3.S3Storage lms-certificates storages.backends.s3.S3Storage"
    )


@pytest.mark.parametrize(
    "extra, backend, client",
    [
        ({}, "django.core.cache.backends.db.DatabaseCache", "DatabaseCache"),
        (
            {"REDIS_URL": "redis://127.0.0.1:6379/1"},
            "lms.redis_cache.KeptClientRedisCache",
            "KeptRedisCacheClient",
        ),
    ],
)
def test_production_cache_is_shared_between_servers(extra, backend, client):
    # The client is built (for Redis it imports the redis package) without reaching a server.
    value = _settings_value(
        "settings.CACHES['default']['BACKEND'], "
        "type(getattr(caches['default'], '_cache', caches['default'])).__name__, "
        "caches['default'].make_key('counter')",
        {**PRODUCTION_ENV, **extra, "CACHE_KEY_PREFIX": "learning-staging"},
        settings="lms.settings.production",
        imports="from django.core.cache import caches",
    )
    assert value == f"{backend} {client} learning-staging:1:counter"


def test_production_database_cache_holds_a_whole_organisation():
    # Django's default (300 entries) would cull the sign-in throttle's records in any real
    # organisation: one entry per person who signed in lately, besides the counters.
    expression = "caches['default']._max_entries"
    imports = "from django.core.cache import caches"
    settings = "lms.settings.production"
    assert _settings_value(expression, PRODUCTION_ENV, settings, imports) == "100000"
    env = {**PRODUCTION_ENV, "CACHE_MAX_ENTRIES": "250000"}
    assert _settings_value(expression, env, settings, imports) == "250000"


def _boom(request):
    raise RuntimeError("secret internals")


urlpatterns = [path("boom/", _boom)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_an_error_shows_a_plain_page_not_a_stack_trace(client, db):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    assert "secret internals" not in body and "Traceback" not in body


def test_without_a_manifest_static_files_keep_their_plain_names(tmp_path, caplog):
    from lms.staticfiles import ManifestStaticFilesStorage

    storage = ManifestStaticFilesStorage(location=str(tmp_path), base_url="/static/")
    assert storage.url("frontend/app.css") == "/static/frontend/app.css"
    assert "missing from the manifest" in caplog.text


def test_collectstatic_never_looks_for_source_maps():
    from lms.staticfiles import ManifestStaticFilesStorage

    rules = [str(rule) for _, patterns in ManifestStaticFilesStorage.patterns for rule in patterns]
    assert rules and not any("sourceMappingURL" in rule for rule in rules)
    assert any("url(" in rule for rule in rules)  # images and fonts in stylesheets are still hashed


def test_the_front_end_build_points_at_no_source_map():
    from pathlib import Path

    build = Path(__file__).resolve().parents[2] / "frontend" / "build"
    files = [*build.glob("*.css"), *build.glob("*.js")]
    assert files, "run make frontend"
    assert [f.name for f in files if "sourceMappingURL" in f.read_text()] == []


def test_collected_scripts_import_gov_uk_frontend_by_the_name_the_pages_preload(tmp_path, settings):
    """Under hashed names a script imported by its plain name is a second download of the same
    file (and one cached for only a minute): init.js must import the hashed GOV.UK Frontend."""
    import re

    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command
    from django.templatetags.static import static

    from lms.staticfiles import ManifestStaticFilesStorage

    settings.STATIC_ROOT = str(tmp_path)
    # The front end's own files only: the apps' (Wagtail's admin) change nothing here.
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "lms.staticfiles.ManifestStaticFilesStorage"},
    }
    # (Changing the settings rebuilds the storage; collectstatic leaves it knowing the new names.)
    call_command("collectstatic", interactive=False, verbosity=0)
    assert isinstance(staticfiles_storage._wrapped, ManifestStaticFilesStorage)
    preloaded = static("frontend/govuk-frontend.min.js")
    init = static("frontend/init.js")
    init_source = (tmp_path / init.removeprefix(settings.STATIC_URL)).read_text()
    assert re.fullmatch(r"/static/frontend/govuk-frontend\.min\.[0-9a-f]{12}\.js", preloaded)
    assert re.fullmatch(r"/static/frontend/init\.[0-9a-f]{12}\.js", init)
    imported = re.findall(r'from\s*"([^"]+)"', init_source)
    assert f"./{preloaded.rsplit('/', 1)[1]}" in imported, imported
    assert "./govuk-frontend.min.js" not in imported
