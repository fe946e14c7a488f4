"""Sessions end on idleness and after an absolute limit; failed logins are throttled per account and per address."""

import re
import time

import pytest

from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse

from lms.middleware import LOGIN_AT, SEEN_AT
from tests.factories import attempt_begin


def _login(client, username="sam.staff", password="correct-horse-battery", address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


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
    # Pair: 3 an hour; address: 5; account, from addresses not usual for it: 4.
    rates = {
        "login_failed": "5/h/ip,3/h/key",
        "login_failed_account": "4/h/key",
        "login": "600/m/ip",
    }
    with override_settings(ACCOUNT_RATE_LIMITS=rates, LOGIN_USUAL_ADDRESSES=1):
        yield


TOO_MANY = "Too many failed login attempts"


def _refused(response):
    return TOO_MANY in response.content.decode()


def test_failures_from_one_address_lock_that_account_there_and_nowhere_else(
    client, people, throttled
):
    for _ in range(3):
        response = _login(client, password="wrong", address="10.0.0.1")
        assert response.status_code == 200 and not _refused(response)
    # The right password from the same place is refused: that pair is paused.
    assert _refused(_login(client, address="10.0.0.1"))
    assert "_auth_user_id" not in client.session
    # The person elsewhere still signs in, and so does anyone else from that address.
    assert _login(client, address="10.0.0.2").status_code == 302
    client.post(reverse("logout"))
    assert _login(client, username="lee.lead", address="10.0.0.1").status_code == 302


def test_the_account_wide_limit_holds_across_addresses(client, people, throttled):
    for number in range(4):
        response = _login(client, password="wrong", address=f"10.0.1.{number}")
        assert not _refused(response)
    # Four failures from four places: the account is paused for every new address, right
    # password or not, and the failures stop being counted at the limit.
    assert _refused(_login(client, address="10.0.1.10"))
    assert _refused(_login(client, password="wrong", address="10.0.1.11"))
    assert "_auth_user_id" not in client.session
    # Another account is unaffected.
    assert _login(client, username="lee.lead", address="10.0.1.12").status_code == 302


def test_guessing_from_elsewhere_does_not_lock_the_person_out_at_their_usual_address(
    client, people, throttled
):
    assert _login(client, address="10.0.2.1").status_code == 302
    client.post(reverse("logout"))
    for number in range(4):
        _login(client, password="wrong", address=f"10.0.3.{number}")
    assert _refused(_login(client, address="10.0.3.9"))
    response = _login(client, address="10.0.2.1")
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_the_usual_address_is_still_held_back_by_its_pair_limit(client, people, throttled):
    assert _login(client, address="10.0.2.1").status_code == 302
    client.post(reverse("logout"))
    for _ in range(3):
        assert not _refused(_login(client, password="wrong", address="10.0.2.1"))
    assert _refused(_login(client, password="wrong", address="10.0.2.1"))
    assert _refused(_login(client, address="10.0.2.1"))


def test_a_password_right_but_a_second_step_not_taken_makes_no_address_usual(client, db, throttled):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from django.contrib.auth import get_user_model
    from django.test import Client

    admin = get_user_model().objects.create_superuser(
        "root", "root@example.org", "a-long-admin-password"
    )
    TOTP.activate(admin, generate_totp_secret())
    response = _login(client, username="root", password="a-long-admin-password", address="10.0.4.1")
    assert response.url == reverse("mfa_authenticate")
    for number in range(4):
        _login(Client(), username="root", password="wrong", address=f"10.0.5.{number}")
    assert _refused(
        _login(Client(), username="root", password="a-long-admin-password", address="10.0.4.1")
    )


def test_a_password_reset_lifts_the_limits_on_the_account(client, people, throttled, mailoutbox):
    for number in range(4):
        _login(client, password="wrong", address=f"10.0.6.{number}")
    assert _refused(_login(client, address="10.0.6.0"))
    client.post(
        reverse("account_reset_password"),
        {"email": "sam.staff@example.org"},
        REMOTE_ADDR="10.0.6.0",
    )
    link = re.search(
        r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mailoutbox[-1].body
    ).group(1)
    form = client.get(link, REMOTE_ADDR="10.0.6.0", follow=True)
    new_password = "another-long-passphrase-9"
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": new_password, "password2": new_password},
        REMOTE_ADDR="10.0.6.0",
    )
    assert response.status_code == 302
    assert _login(client, password=new_password, address="10.0.6.0").status_code == 302
    client.post(reverse("logout"))
    assert _login(client, password=new_password, address="10.0.6.50").status_code == 302


def test_too_many_failures_from_one_address_are_refused(client, people, throttled):
    for username in ["nobody1", "nobody2", "nobody3", "nobody4", "nobody5"]:
        _login(client, username=username, password="wrong", address="10.9.9.9")
    assert _refused(_login(client, address="10.9.9.9"))
    assert _login(client, address="10.1.1.1").status_code == 302


def test_successful_logins_do_not_use_up_the_allowance(client, people, throttled):
    for number in range(6):
        assert _login(client, address=f"10.2.2.{number}").status_code == 302
        client.post(reverse("logout"))


def test_the_limits_in_production(settings):
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "100/h/ip,10/h/key"
    # 80 from addresses not usual for the account + 10 from each of its 2 usual ones: at most 100
    # failed attempts an hour per account (OWASP ASVS 2.2.1).
    assert settings.ACCOUNT_RATE_LIMITS["login_failed_account"] == "80/h/key"
    assert settings.LOGIN_USUAL_ADDRESSES == 2 and settings.LOGIN_FAILURE_LIMIT == 100


def test_learner_pages_forbid_inline_script(client, people, module, quiz):
    _login(client)
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    for url in [
        reverse("home"),
        module.url,
        reverse("login"),
        reverse("quizzes:attempt", args=[attempt.pk]),
    ]:
        response = client.get(url, follow=True)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        inline = [
            tag
            for tag in re.findall(r"<script[^>]*>", response.content.decode())
            if "src=" not in tag
        ]
        assert inline == [], url


def test_a_page_reads_its_session_from_the_shared_cache_and_a_sign_out_ends_it_there_too(
    client, people, settings
):
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    _login(client)
    key = client.session.session_key
    assert client.get(reverse("home")).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    assert not [query for query in captured.captured_queries if "django_session" in query["sql"]]
    assert caches[settings.SESSION_CACHE_ALIAS].get(KEY_PREFIX + key) is not None
    client.post(reverse("logout"))
    assert caches[settings.SESSION_CACHE_ALIAS].get(KEY_PREFIX + key) is None
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key  # the old cookie, replayed
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
