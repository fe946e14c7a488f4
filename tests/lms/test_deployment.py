"""Production runs on several servers: files go through the storage API, caches are shared,
and a failure never shows a stack trace."""

import pytest

from django.core.files.storage import storages
from django.test import override_settings
from django.urls import path

from certificates.models import Certificate
from quizzes.services import attempt_submit
from tests.factories import attempt_begin
from tests.lms.test_settings import PRODUCTION_ENV, _settings_value


def test_certificates_are_written_through_the_storage_api(people, quiz, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    answers = {str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])] for q in attempt.questions}
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=attempt, answers=answers)
    certificate = Certificate.objects.get(kind=Certificate.Kind.MODULE)
    # The test settings make the "certificates" storage an in-memory one: if the file is there
    # and nothing reached the disk, nothing bypassed the storage API.
    assert storages["certificates"].exists(certificate.pdf.name)
    assert list(tmp_path.rglob("*.pdf")) == []


def test_production_puts_certificates_and_media_in_object_storage():
    env = {**PRODUCTION_ENV, "AWS_STORAGE_BUCKET_NAME": "lms-files", "CERTIFICATE_BUCKET_NAME": "lms-certificates"}
    backends = _settings_value(
        "settings.STORAGES['certificates']['BACKEND'], settings.STORAGES['certificates']['OPTIONS']['bucket_name'], "
        "settings.STORAGES['default']['BACKEND']", env, settings="lms.settings.production")
    assert backends == "storages.backends.s3.S3Storage lms-certificates storages.backends.s3.S3Storage"


@pytest.mark.parametrize("extra, backend", [({}, "django.core.cache.backends.db.DatabaseCache"),
                                             ({"REDIS_URL": "redis://127.0.0.1:6379/1"}, "django.core.cache.backends.redis.RedisCache")])
def test_production_cache_is_shared_between_servers(extra, backend):
    value = _settings_value("settings.CACHES['default']['BACKEND']", {**PRODUCTION_ENV, **extra}, settings="lms.settings.production")
    assert value == backend


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
