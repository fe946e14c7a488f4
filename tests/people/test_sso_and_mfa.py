"""Single sign-on with Entra ID (against a fake provider inside the tests), roles from groups,
turning local passwords off, and two-factor authentication for local admin accounts."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from lms import roles
from people.models import Person
from people.services import email_from_organisation_set, people_import
from tests.people.fake_entra import FakeEntra
from tests.people.test_email_ownership import HEADER, _claim_address_as_allauth_let_them

MANAGERS_GROUP = "0f3c-managers-group-id"
AUDITORS_GROUP = "7a21-auditors-group-id"


@pytest.fixture
def entra(monkeypatch, settings):
    fake = FakeEntra()
    settings.SOCIALACCOUNT_PROVIDERS = fake.provider_settings()
    settings.ENTRA_GROUP_ROLES = {
        MANAGERS_GROUP: roles.LINE_MANAGERS,
        AUDITORS_GROUP: roles.AUDITORS,
    }
    monkeypatch.setattr(
        "allauth.socialaccount.adapter.DefaultSocialAccountAdapter.get_requests_session",
        lambda self: fake,
    )
    return fake


def _sign_in_with_entra(client, entra, claims):
    entra.claims = claims
    response = client.post("/accounts/oidc/entra/login/")
    assert response.status_code == 302 and response.url.startswith(
        entra.discovery()["authorization_endpoint"]
    )
    callback, query = entra.authorize(response.url)
    return client.get(callback, query)


def test_the_login_page_offers_microsoft_when_configured(client, entra, db):
    assert "Sign in with Microsoft" in client.get(reverse("login")).content.decode()


def test_the_login_page_offers_no_sso_when_not_configured(client, db):
    assert "Sign in with Microsoft" not in client.get(reverse("login")).content.decode()


def test_a_new_person_signs_in_with_entra_and_gets_roles_from_groups(client, entra, role_groups):
    response = _sign_in_with_entra(
        client,
        entra,
        {
            "sub": "entra-user-1",
            "email": "jo.new@example.org",
            "preferred_username": "jo.new@example.org",
            "given_name": "Jo",
            "family_name": "New",
            "groups": [MANAGERS_GROUP, "unmapped-group"],
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="jo.new@example.org")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert Person.objects.filter(user=user).exists()
    assert set(user.groups.values_list("name", flat=True)) == {roles.STAFF, roles.LINE_MANAGERS}
    assert not user.has_usable_password()
    assert entra.token_requests[0]["client_secret"] == "lms-client-secret"


def test_an_imported_person_signs_in_to_their_own_account_and_roles_follow_groups(
    client, entra, people
):
    staff = people["staff"].user
    _sign_in_with_entra(
        client,
        entra,
        {"sub": "entra-sam", "email": "SAM.STAFF@example.org", "groups": [AUDITORS_GROUP]},
    )
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert get_user_model().objects.filter(email__iexact="sam.staff@example.org").count() == 1
    assert set(staff.groups.values_list("name", flat=True)) == {roles.STAFF, roles.AUDITORS}
    # Removed from the Entra group: the role goes at the next sign-in; roles Entra does not manage stay.
    client.post(reverse("logout"))
    _sign_in_with_entra(
        client, entra, {"sub": "entra-sam", "email": "sam.staff@example.org", "groups": []}
    )
    assert set(staff.groups.values_list("name", flat=True)) == {roles.STAFF}


def test_a_token_from_the_wrong_audience_is_refused(client, entra, db, monkeypatch):
    monkeypatch.setattr("tests.people.fake_entra.CLIENT_ID", "someone-elses-app")
    entra.claims = {"sub": "x", "email": "x@example.org"}
    response = client.post("/accounts/oidc/entra/login/")
    callback, query = entra.authorize(
        response.url.replace("client_id=lms-client-id", "client_id=someone-elses-app")
    )
    client.get(callback, query)
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(email="x@example.org").exists()


@override_settings(LOCAL_PASSWORD_LOGIN=False)
def test_local_passwords_can_be_turned_off(client, people):
    response = client.post(
        reverse("login"), {"username": "sam.staff", "password": "correct-horse-battery"}
    )
    assert "passwords are turned off" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(LOCAL_PASSWORD_LOGIN=False)
def test_break_glass_administrators_keep_their_password(client, db):
    get_user_model().objects.create_superuser("root", "root@example.org", "a-long-admin-password")
    response = client.post(
        reverse("login"), {"username": "root", "password": "a-long-admin-password"}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


def _current_code(secret):
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def test_an_admin_with_two_factor_authentication_needs_the_code(client, db):
    admin = get_user_model().objects.create_superuser(
        "root", "root@example.org", "a-long-admin-password"
    )
    secret = generate_totp_secret()
    TOTP.activate(admin, secret)
    response = client.post(
        reverse("login"), {"username": "root", "password": "a-long-admin-password"}
    )
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(
        reverse("mfa_authenticate"),
        {"code": "000000" if _current_code(secret) != "000000" else "111111"},
    )
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(admin.pk)
    assert client.get("/admin/").status_code == 200


def test_admins_can_set_up_two_factor_authentication(client, db):
    get_user_model().objects.create_superuser("root", "root@example.org", "a-long-admin-password")
    client.post(reverse("login"), {"username": "root", "password": "a-long-admin-password"})
    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302:  # allauth asks for the password again before security changes
        assert response.url.startswith(reverse("account_reauthenticate"))
        client.post(response.url, {"password": "a-long-admin-password"})
        response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200 and "Authenticator" in response.content.decode()


def test_sso_never_links_to_an_account_whose_address_the_user_set(client, entra, people):
    attacker = people["staff"].user
    _claim_address_as_allauth_let_them(attacker, "zed.newboss@example.org")
    _sign_in_with_entra(
        client,
        entra,
        {"sub": "entra-zed", "email": "zed.newboss@example.org", "groups": [MANAGERS_GROUP]},
    )
    zed = get_user_model().objects.get(email="zed.newboss@example.org")
    assert zed != attacker and client.session["_auth_user_id"] == str(zed.pk)
    assert attacker.socialaccount_set.count() == 0
    attacker.refresh_from_db()
    assert not attacker.groups.filter(name=roles.LINE_MANAGERS).exists()
    assert EmailAddress.objects.get(email="zed.newboss@example.org", verified=True).user == zed


def test_sso_never_links_to_a_superuser(client, entra, db):
    admin = get_user_model().objects.create_superuser(
        "root", "root@example.org", "a-long-admin-password"
    )
    email_from_organisation_set(user=admin, email="root@example.org")
    response = _sign_in_with_entra(
        client, entra, {"sub": "entra-root", "email": "ROOT@example.org"}
    )
    assert response.status_code == 403 and "administrator account" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert admin.socialaccount_set.count() == 0
    assert get_user_model().objects.count() == 1


def test_sso_never_links_to_a_superuser_whose_address_has_no_record(client, entra, db):
    get_user_model().objects.create_superuser("root", "root@example.org", "a-long-admin-password")
    response = _sign_in_with_entra(
        client, entra, {"sub": "entra-root", "email": "root@example.org"}
    )
    assert response.status_code == 403 and "_auth_user_id" not in client.session
    assert get_user_model().objects.count() == 1


def test_an_sso_account_gets_its_address_from_entra_and_the_import_then_finds_it(
    client, entra, role_groups
):
    _sign_in_with_entra(
        client, entra, {"sub": "entra-jo", "email": "Jo.New@example.org", "given_name": "Jo"}
    )
    user = get_user_model().objects.get(email="jo.new@example.org")
    assert EmailAddress.objects.get(user=user).verified
    people_import(data=(HEADER + "E5,Jo,New,jo.new@example.org,T,J,,2020-01-01\n").encode())
    assert Person.objects.get(employee_number="E5").user == user
