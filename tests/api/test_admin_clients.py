"""API clients in the admin: an administrator creates one and sees its token once, and revokes
it; bad input saves nothing; nobody else reaches the screen."""

import re

import pytest

from django.contrib.auth import get_user_model
from django.urls import reverse

from api.models import ApiClient
from lms.audit import API_CLIENT_CREATED, API_CLIENT_REVOKED
from lms.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, wagtail_root):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


def _token(response):
    match = re.search(rb'id="new-token" value="([^"]+)"', response.content)
    return match.group(1).decode() if match else None


def test_a_new_client_s_token_is_shown_once_and_works(admin_client):
    response = admin_client.post(
        reverse("api_clients"), {"name": "HR system", "scopes": ["write_people"]}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # the token must not sit in a cache
    token = _token(response)
    assert token and token.startswith("lms_")
    client_record = ApiClient.objects.get(name="HR system")
    assert client_record.scopes == ["write_people"]
    listing = admin_client.get(reverse("api_clients"))
    assert listing.status_code == 200
    assert b"HR system" in listing.content
    assert token.encode() not in listing.content
    assert AuditEvent.objects.filter(action=API_CLIENT_CREATED).count() == 1
    admin_client.logout()
    sync = admin_client.post(
        "/api/v1/people/sync?preview=true",
        '{"people": []}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert sync.status_code == 422  # through the door: refused only for having nobody in it


def test_revoking_stops_the_token(admin_client):
    token = _token(
        admin_client.post(reverse("api_clients"), {"name": "Warehouse", "scopes": ["read_status"]})
    )
    client_record = ApiClient.objects.get(name="Warehouse")
    response = admin_client.post(reverse("api_client_revoke", args=[client_record.pk]))
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.revoked_at is not None
    assert AuditEvent.objects.filter(action=API_CLIENT_REVOKED).count() == 1
    assert (
        admin_client.get("/api/v1/statuses", HTTP_AUTHORIZATION=f"Bearer {token}").status_code
        == 401
    )
    # Revoking again changes nothing and records nothing more.
    admin_client.post(reverse("api_client_revoke", args=[client_record.pk]))
    assert AuditEvent.objects.filter(action=API_CLIENT_REVOKED).count() == 1


def test_revoking_is_a_post_only(admin_client):
    client_record = ApiClient.objects.create(name="X", scopes=[], token_hash="0" * 64)
    assert (
        admin_client.get(reverse("api_client_revoke", args=[client_record.pk])).status_code == 405
    )
    assert admin_client.post(reverse("api_client_revoke", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "scopes": ["read_status"]}, b"This field is required"),
        ({"name": "HR", "scopes": []}, b"This field is required"),
        ({"name": "HR", "scopes": ["everything"]}, b"Select a valid choice"),
        ({"name": "hr", "scopes": ["read_status"]}, b"There is already a client called"),
    ],
)
def test_bad_input_is_explained_and_saves_nothing(admin_client, data, message):
    ApiClient.objects.create(name="HR", scopes=["read_status"], token_hash="1" * 64)
    response = admin_client.post(reverse("api_clients"), data)
    assert response.status_code == 200
    assert message in response.content
    assert b'aria-invalid="true"' in response.content or b"scopes-error" in response.content
    assert _token(response) is None
    assert ApiClient.objects.count() == 1
