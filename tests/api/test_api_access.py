"""Who may call each API operation: every endpoint with every combination of scopes, no token, a
wrong one, a revoked one and a signed-in session; plus the rate limit and the audit trail.

The access matrix (tests/security/test_access_matrix.py) has a row per API URL for the roles,
all refused; tokens, which it cannot express, are tested here exhaustively."""

import itertools
import json

import pytest

from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.models import ApiClient
from api.services import api_client_create, api_client_revoke
from api.tokens import token_digest
from lms.audit import API_USED
from lms.models import AuditEvent
from tests.factories import certificate_make, days

pytestmark = pytest.mark.django_db

SCOPES = ApiClient.Scope.values
SYNC_BODY = json.dumps({"people": []})
# url name -> (method, the scope it needs); the status a granted scope gets is 2xx or a refusal
# of the request itself (the empty sync is refused by the schema, 422), never 401 or 403.
ENDPOINTS = {
    "statuses": ("get", ApiClient.Scope.READ_STATUS),
    "certificates": ("get", ApiClient.Scope.READ_CERTIFICATES),
    "certificate_verify": ("get", ApiClient.Scope.READ_CERTIFICATES),
    "people_sync": ("post", ApiClient.Scope.WRITE_PEOPLE),
}
NOT_OPERATIONS = {"openapi-json", "api-root"}
SCOPE_SETS = [
    list(combination)
    for size in range(1, len(SCOPES) + 1)
    for combination in itertools.combinations(SCOPES, size)
]


@pytest.fixture
def world(people, module):
    return {
        "certificate": certificate_make(person=people["staff"], module=module, expires_on=days(90))
    }


def _path(name, world):
    if name == "certificate_verify":
        return reverse("api_v1:certificate_verify", args=[world["certificate"].code])
    return reverse(f"api_v1:{name}")


def _call(client, name, world, headers):
    method, _ = ENDPOINTS[name]
    path = _path(name, world)
    if method == "post":
        return client.post(
            path + "?preview=true", SYNC_BODY, content_type="application/json", **headers
        )
    return client.get(path, **headers)


def _bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_every_api_operation_is_in_this_test():
    resolver = next(
        pattern
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == "api/v1/"
    )
    names = set()
    for inner in resolver.url_patterns:
        patterns = inner.url_patterns if isinstance(inner, URLResolver) else [inner]
        names |= {pattern.name for pattern in patterns if isinstance(pattern, URLPattern)}
    assert names - NOT_OPERATIONS == set(ENDPOINTS)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_each_scope_set_opens_exactly_its_endpoints(client, world, name):
    _, needed = ENDPOINTS[name]
    for scopes in SCOPE_SETS:
        _, token = api_client_create(name=f"{name} {'+'.join(scopes)}", scopes=scopes, by=None)
        response = _call(client, name, world, _bearer(token))
        if needed in scopes:
            assert response.status_code in (200, 422), (scopes, response.content)
        else:
            assert response.status_code == 403, (scopes, response.content)
            assert needed in response.json()["detail"]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_no_wrong_or_revoked_token_and_a_session_get_401(client, world, people, name):
    client_record, token = api_client_create(name="Revoked", scopes=SCOPES, by=None)
    api_client_revoke(client=client_record, by=None)
    for headers in [
        {},
        _bearer("lms_not-a-token"),
        _bearer(""),
        {"HTTP_AUTHORIZATION": token},  # no "Bearer"
        {"HTTP_AUTHORIZATION": f"Basic {token}"},
        _bearer(token),  # revoked
    ]:
        assert _call(client, name, world, headers).status_code == 401, headers
    client.force_login(people["auditor"].user)
    assert _call(client, name, world, {}).status_code == 401


def test_tokens_are_stored_only_as_a_digest(db):
    client_record, token = api_client_create(name="HR", scopes=SCOPES, by=None)
    client_record.refresh_from_db()
    stored = json.dumps(
        {field.name: str(getattr(client_record, field.name)) for field in ApiClient._meta.fields}
    )
    assert token not in stored
    assert token[12:] not in stored  # only a short prefix is kept, to tell tokens apart
    assert client_record.token_hash == token_digest(token)


def test_every_use_is_audited_with_the_client_and_last_used_is_kept(client, world, people):
    reader, token = api_client_create(name="Warehouse", scopes=["read_status"], by=None)
    client.force_login(people["auditor"].user)  # a session sent along is not the actor
    assert reader.last_used_at is None
    _call(client, "statuses", world, _bearer(token))
    _call(client, "certificates", world, _bearer(token))
    events = list(AuditEvent.objects.filter(action=API_USED).order_by("pk"))
    assert [(event.data["path"], event.data["allowed"]) for event in events] == [
        ("/api/v1/statuses", True),
        ("/api/v1/certificates", False),
    ]
    assert all(event.target_id == str(reader.pk) for event in events)
    assert "Warehouse" in events[0].summary
    assert events[0].data["address"] == "127.0.0.1"
    assert events[0].actor_id is None and events[0].actor_name == ""
    reader.refresh_from_db()
    assert reader.last_used_at is not None


def test_a_refused_token_is_not_audited_as_a_use(client, world):
    _call(client, "statuses", world, _bearer("lms_guess"))
    assert not AuditEvent.objects.filter(action=API_USED).exists()


@override_settings(API_RATE_LIMIT=3)
def test_a_client_over_its_rate_limit_gets_429_and_others_do_not(client, world):
    _, busy = api_client_create(name="Busy", scopes=SCOPES, by=None)
    _, calm = api_client_create(name="Calm", scopes=SCOPES, by=None)
    statuses = [_call(client, "statuses", world, _bearer(busy)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = _call(client, "statuses", world, _bearer(busy))
    assert refused["Retry-After"] == "60"
    assert _call(client, "statuses", world, _bearer(calm)).status_code == 200


@override_settings(API_RATE_LIMIT=3)
def test_guessing_tokens_is_rate_limited_by_address(client, world):
    statuses = [
        _call(client, "statuses", world, _bearer(f"lms_guess{n}")).status_code for n in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]


def test_the_schema_is_public_and_describes_every_operation(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) == {
        "/api/v1/statuses",
        "/api/v1/certificates",
        "/api/v1/certificates/verify/{code}",
        "/api/v1/people/sync",
    }
    assert schema["components"]["securitySchemes"]
