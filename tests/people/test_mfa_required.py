"""Superusers, L&D authors and auditors who sign in with a password must set up an authenticator
app before they can use anything; single sign-on follows the identity provider's policy."""

import pytest
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from lms import audit, roles
from lms.models import AuditEvent
from tests.conftest import PASSWORD
from tests.people.test_sso_and_mfa import (  # noqa: F401 (entra is a fixture)
    AUDITORS_GROUP,
    _current_code,
    _sign_in_with_entra,
    entra,
)

pytestmark = pytest.mark.django_db

REQUIRED = reverse("mfa_required")


def _password_sign_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def _open_app_set_up(client, password=PASSWORD):
    """allauth asks for the password again before a security change, even just after signing in."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response.url.startswith(
        reverse("account_reauthenticate")
    )
    assert client.get(response.url).status_code == 200
    client.post(response.url, {"password": password})
    return client.get(reverse("mfa_activate_totp"))


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)


@pytest.mark.parametrize("username", ["alex.author", "ada.auditor", "root"])
def test_a_password_sign_in_without_an_app_is_held_on_the_enrolment_page(
    username, people, superuser, client
):
    response = _password_sign_in(client, username)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]  # signed in, but held
    for url in ("/", "/admin/", reverse("audit_trail"), reverse("my_data")):
        held = client.get(url)
        assert held.status_code == 302 and held.url == REQUIRED, url
    page = client.get(REQUIRED)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Set up two-factor authentication" in html and reverse("mfa_activate_totp") in html
    set_up = _open_app_set_up(client)
    assert set_up.status_code == 200 and "Authenticator" in set_up.content.decode()
    # Signing out is always possible.
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("username", ["sam.staff", "maria.manager"])
def test_staff_and_managers_are_not_held(username, people, client):
    _password_sign_in(client, username)
    assert client.get("/").status_code == 200


def test_enrolling_an_app_gives_recovery_codes_and_lets_the_author_in(people, client):
    _password_sign_in(client, "alex.author")
    assert _open_app_set_up(client).status_code == 200
    secret = client.session["mfa.totp.secret"]
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200 and client.get("/").url == REQUIRED
    response = client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    assert response.status_code == 302 and response.url == reverse("mfa_view_recovery_codes")
    user = people["author"].user
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get(response.url).status_code == 200
    assert client.get("/admin/").status_code == 200
    # The app cannot be switched off again by someone who must use it.
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert not get_mfa_adapter().can_delete_authenticator(totp)


def test_an_enrolled_author_signs_in_with_the_code_and_a_wrong_code_is_audited(people, client):
    user = people["author"].user
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = _password_sign_in(client, "alex.author")
    assert response.url == reverse("mfa_authenticate")
    bad = "000000" if _current_code(secret) != "000000" else "111111"
    client.post(reverse("mfa_authenticate"), {"code": bad})
    failed = AuditEvent.objects.get(action=audit.SIGN_IN_FAILED)
    assert failed.data["step"] == "mfa" and failed.actor_id == user.pk
    client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert client.get("/admin/").status_code == 200
    signed_in = AuditEvent.objects.get(action=audit.SIGNED_IN)
    assert signed_in.data["methods"] == ["mfa", "password"]


def test_single_sign_on_follows_the_identity_provider(client, entra, people):  # noqa: F811
    _sign_in_with_entra(
        client,
        entra,
        {"sub": "entra-ada", "email": "ada.auditor@example.org", "groups": [AUDITORS_GROUP]},
    )
    assert client.session["_auth_user_id"] == str(people["auditor"].user.pk)
    assert client.get(reverse("audit_trail")).status_code == 200
    assert AuditEvent.objects.get(action=audit.SIGNED_IN).data["methods"] == ["socialaccount"]


def test_a_session_made_without_signing_in_is_not_held(people, client_for):
    # force_login records no sign-in method: nothing says a password was the only proof.
    assert client_for(people["author"]).get("/admin/").status_code == 200


def test_the_roles_that_need_two_factors_are_a_setting(people, client):
    with override_settings(LMS_MFA_REQUIRED_ROLES=[roles.AUTHORS]):
        _password_sign_in(client, "ada.auditor")
        assert client.get(reverse("audit_trail")).status_code == 200
    with override_settings(LMS_MFA_REQUIRED_ROLES=[roles.AUTHORS, roles.AUDITORS, "Reviewers"]):
        assert client.get(reverse("audit_trail")).url == REQUIRED


def test_superusers_can_be_exempted_only_by_the_setting(superuser, client):
    with override_settings(LMS_MFA_REQUIRED_FOR_SUPERUSERS=False, LMS_MFA_REQUIRED_ROLES=[]):
        _password_sign_in(client, "root")
        assert client.get("/admin/").status_code == 200
    assert client.get("/admin/").url == REQUIRED


def test_a_wrong_password_is_audited_without_the_password(people, client):
    _password_sign_in(client, "alex.author", "not-the-password")
    event = AuditEvent.objects.get(action=audit.SIGN_IN_FAILED)
    assert event.data == {"username": "alex.author", "step": "password"}
    assert "not-the-password" not in str(event.summary) + str(event.data)


def test_l_and_d_reviewers_are_held_too(reviewer, client):
    """Reviewers publish by approving: the same proof as authors."""
    _password_sign_in(client, "rosa.reviewer")
    held = client.get("/admin/")
    assert held.status_code == 302 and held.url == REQUIRED
