"""Sessions end on idleness and after an absolute limit; failed logins are throttled per account and per address."""

import re
import time

import pytest

from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse

from lms.middleware import LOGIN_AT, SEEN_AT
from quizzes.services import attempt_start


def _login(client, username="sam.staff", password="correct-horse-battery", address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _age_session(client, key, seconds):
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def test_login_rotates_the_session_key(client, people):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    _login(client)
    assert client.session.session_key != before


def test_logout_deletes_the_session_on_the_server(client, people):
    _login(client)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_an_idle_session_ends(client, people, settings):
    _login(client)
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, SEEN_AT, settings.SESSION_IDLE_TIMEOUT.total_seconds() + 5)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_activity_keeps_a_session_alive_until_the_absolute_limit(client, people, settings):
    _login(client)
    client.get(reverse("home"))
    _age_session(client, SEEN_AT, settings.SESSION_IDLE_TIMEOUT.total_seconds() - 120)
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, LOGIN_AT, settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() + 5)
    response = client.get(reverse("home"))
    assert response.status_code == 302


def test_the_idle_timeout_is_thirty_minutes_by_default(settings):
    assert settings.SESSION_IDLE_TIMEOUT.total_seconds() == 30 * 60


@pytest.fixture
def throttled(settings):
    with override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/h/ip,3/h/key", "login": "600/m/ip"}):
        yield


TOO_MANY = "Too many failed login attempts"


def test_too_many_failures_for_one_account_lock_it_even_with_the_right_password(client, people, throttled):
    for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"]:
        response = _login(client, password="wrong", address=address)
        assert response.status_code == 200 and TOO_MANY not in response.content.decode()
    response = _login(client, address="10.0.0.4")
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account is unaffected.
    assert _login(client, username="lee.lead", address="10.0.0.5").status_code == 302


def test_too_many_failures_from_one_address_are_refused(client, people, throttled):
    for username in ["nobody1", "nobody2", "nobody3"]:
        _login(client, username=username, password="wrong", address="10.9.9.9")
    assert TOO_MANY in _login(client, address="10.9.9.9").content.decode()
    assert _login(client, address="10.1.1.1").status_code == 302


def test_successful_logins_do_not_use_up_the_allowance(client, people, throttled):
    for _ in range(5):
        assert _login(client, address="10.2.2.2").status_code == 302
        client.post(reverse("logout"))


def test_the_limit_in_production_is_a_hundred_per_hour_per_account_and_per_address(settings):
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "100/h/ip,100/h/key"


def test_learner_pages_forbid_inline_script(client, people, module, quiz):
    _login(client)
    attempt = attempt_start(person=people["staff"], quiz=quiz)
    for url in [reverse("home"), module.url, reverse("login"), reverse("quizzes:attempt", args=[attempt.pk])]:
        response = client.get(url, follow=True)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        inline = [tag for tag in re.findall(r"<script[^>]*>", response.content.decode()) if "src=" not in tag]
        assert inline == [], url
