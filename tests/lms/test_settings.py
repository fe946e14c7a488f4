"""Settings come from the environment; production passes `check --deploy` with real values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args, env_extra, settings="lms.settings.production"):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DEBUG"}}
    env.update({"DJANGO_SETTINGS_MODULE": settings, **env_extra})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION_ENV = {
    "SECRET_KEY": "x7#kP2!qLz9@vN4$wR8^tY1&uI6*oE3(aS5)dF0_gH-jK+lZ=cX" * 2,
    "ALLOWED_HOSTS": "learning.example.org",
    "SITE_URL": "https://learning.example.org",
    "LMS_VAR_DIR": "/tmp/lms-settings-test",
    "EMAIL_HOST": "smtp.example.org",
    "BADGE_SIGNING_KEY": "/run/secrets/badge-signing-key.pem",
}


def test_production_settings_pass_check_deploy_without_warnings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    output = result.stdout + result.stderr
    # The HarfBuzz check is about the machine, not the settings; every other warning fails.
    problems = [
        line
        for line in output.splitlines()
        if "(security." in line or "(urls." in line or "(staticfiles." in line
    ]
    assert problems == [], output
    assert result.returncode == 0 or "lms.W001" in output, output


def test_production_refuses_to_start_without_a_secret_key():
    result = _run(["manage.py", "check"], {**PRODUCTION_ENV, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_a_mail_server():
    result = _run(["manage.py", "check"], {**PRODUCTION_ENV, "EMAIL_HOST": ""})
    assert result.returncode != 0 and "EMAIL_HOST must name the SMTP server" in result.stderr
    result = _run(["manage.py", "check"], {**PRODUCTION_ENV, "BADGE_SIGNING_KEY": ""})
    assert result.returncode != 0 and "BADGE_SIGNING_KEY must hold" in result.stderr


def test_production_refuses_both_kinds_of_mail_tls_at_once():
    env = {**PRODUCTION_ENV, "EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}
    result = _run(["manage.py", "check"], env)
    assert result.returncode != 0 and "Set only one of EMAIL_USE_TLS" in result.stderr


def test_production_mail_settings_come_from_the_environment():
    expression = (
        "(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, "
        "settings.EMAIL_USE_SSL, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD, "
        "settings.DEFAULT_FROM_EMAIL)"
    )
    env = {
        **PRODUCTION_ENV,
        "EMAIL_HOST": "relay.example.org",
        "EMAIL_USE_TLS": "false",
        "EMAIL_USE_SSL": "true",
        "EMAIL_HOST_USER": "lms",
        "EMAIL_HOST_PASSWORD": "relay-password",
        "DEFAULT_FROM_EMAIL": "Learning <learning@example.org>",
    }
    value = _settings_value(expression, env, settings="lms.settings.production")
    assert value == (
        "('django.core.mail.backends.smtp.EmailBackend', 'relay.example.org', 465, False, True, "
        "'lms', 'relay-password', 'Learning <learning@example.org>')"
    )
    starttls = _settings_value(
        "(settings.EMAIL_PORT, settings.EMAIL_USE_TLS)", PRODUCTION_ENV, "lms.settings.production"
    )
    assert starttls == "(587, True)"


def _settings_value(expression, env_extra, settings="lms.settings.dev", imports=""):
    """``expression`` over the settings as the settings module makes them from ``env_extra``,
    read in a new interpreter. No ``django.setup()``: the values are the module's, and loading
    every app as well took 2 to 4 seconds a call, thirty times the reading."""
    code = (
        f"from django.conf import settings; {imports + '; ' if imports else ''}print({expression})"
    )
    result = _run(["-c", code], env_extra, settings=settings)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sqlite_under_var_by_default(tmp_path):
    name = _settings_value("settings.DATABASES['default']['NAME']", {"LMS_VAR_DIR": str(tmp_path)})
    assert name == str(tmp_path / "db.sqlite3")


def test_database_url_switches_to_postgresql():
    engine = _settings_value(
        "settings.DATABASES['default']['ENGINE']",
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"},
    )
    assert engine == "django.db.backends.postgresql"


def test_debug_secret_key_and_hosts_come_from_the_environment():
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "from-the-environment",
        "ALLOWED_HOSTS": "a.example.org, b.example.org",
    }
    assert _settings_value("settings.DEBUG", env) == "False"
    assert _settings_value("settings.SECRET_KEY", env) == "from-the-environment"
    assert _settings_value("settings.ALLOWED_HOSTS", env) == "['a.example.org', 'b.example.org']"


def test_a_misspelt_boolean_is_an_error_not_a_guess():
    result = _run(["manage.py", "check"], {"DEBUG": "maybe"}, settings="lms.settings.dev")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


@pytest.mark.parametrize("settings", ["lms.settings.dev", "lms.settings.test"])
def test_non_production_settings_import(settings):
    assert _settings_value("settings.SECRET_KEY != ''", {}, settings=settings) == "True"


@pytest.mark.django_db
def test_the_demo_answers_an_unknown_url_with_the_products_404_page(client, settings):
    settings.DEBUG = _settings_value("settings.DEBUG", {}, settings="lms.settings.dev") == "True"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "URLconf" not in page


def test_the_demo_serves_static_files_without_collectstatic(tmp_path):
    code = (
        "import django; django.setup(); from django.test import Client; from django.templatetags.static import static; "
        "response = Client(HTTP_HOST='127.0.0.1').get(static('frontend/init.js')); "
        "print(response.status_code, len(b''.join(response.streaming_content)) > 0)"
    )
    result = _run(
        ["-c", code],
        {"LMS_VAR_DIR": str(tmp_path), "STATIC_ROOT": str(tmp_path / "static")},
        settings="lms.settings.dev",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "True"], result.stdout + result.stderr


def test_the_benchmark_settings_start_without_production_secrets(tmp_path):
    """`make bench` serves production settings with local values; a new secret that production
    insists on must get a bench value too, or the benchmarks stop before they start."""
    result = _run(
        ["manage.py", "check"],
        {"BENCH_VAR": str(tmp_path), "LMS_VAR_DIR": str(tmp_path)},
        settings="bench.settings",
    )
    assert result.returncode == 0, result.stderr


def test_the_app_servers_freeze_what_start_up_loaded_out_of_the_collectors_way():
    """lms.wsgi (what gunicorn loads in each app server process) freezes the objects that exist
    once Django is set up, so that full garbage collections skip them; collection still runs
    for what requests make."""
    script = (
        "import gc, lms.wsgi\n"
        "from django.apps import apps\n"
        "frozen = gc.get_freeze_count()\n"
        "gc.collect()\n"
        "tracked = {id(o) for o in gc.get_objects()}\n"
        "print(frozen, gc.isenabled(), id(apps.get_model('people', 'Person')) in tracked)\n"
    )
    result = _run(["-c", script], PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    frozen, enabled, model_still_tracked = result.stdout.split()
    assert int(frozen) > 100_000
    assert enabled == "True"
    # A model class made at start-up is frozen: the collector no longer looks at it.
    assert model_still_tracked == "False"
