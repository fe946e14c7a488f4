"""The API against its own OpenAPI schema, with schemathesis: for every operation, generated
requests (valid and invalid) never cause a server error, and every answer has a status, a content
type and a body that the schema declares. Each case is also sent without a token (401) and with a
token lacking the operation's scope (403).

Deterministic (derandomised, no example database) and bounded, so it runs in ``make test``."""

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck

from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from api.models import ApiClient
from api.services import api_client_create
from tests.factories import certificate_make, days

SCHEMA_PATH = "/api/v1/openapi.json"
# The scope each operation needs. An operation missing here fails the test: say which scope it
# needs before it ships.
SCOPE_OF = {
    "GET /api/v1/statuses": ApiClient.Scope.READ_STATUS,
    "GET /api/v1/certificates": ApiClient.Scope.READ_CERTIFICATES,
    "GET /api/v1/certificates/verify/{code}": ApiClient.Scope.READ_CERTIFICATES,
    "POST /api/v1/people/sync": ApiClient.Scope.WRITE_PEOPLE,
}


# Loaded through the app itself, as a client would fetch it. (Not ``from_fixture``: its lazy
# loading sets a pytest node attribute that pytest 9 no longer has.)
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, get_wsgi_application())


@pytest.fixture(autouse=True)
def connection_kept_between_requests():
    """Requests go through the real WSGI handler, whose request_finished closes the database
    connection, and with it the test's transaction (PostgreSQL then refuses every later query).
    Django's own test client unhooks it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(people, module, settings):
    """A token per scope, and some data for the reads to return."""
    # Each example is a few requests from one client; the limit itself is tested elsewhere.
    settings.API_RATE_LIMIT = 1_000_000
    certificate_make(person=people["staff"], module=module, expires_on=days(30))
    certificate_make(person=people["deep"], module=module, expires_on=days(-1))
    return {
        scope: api_client_create(name=f"Schema test {scope}", scopes=[scope], by=None)[1]
        for scope in ApiClient.Scope.values
    }


# The sync checks each row by the HR import's rules (a known manager, a real e-mail address, a
# date), which a JSON schema cannot say; a schema-valid sync may rightly be refused with 400 and
# the rows' errors. Every other check still applies to it.
EXCLUDED_CHECKS = {"POST /api/v1/people/sync": [schemathesis.checks.positive_data_acceptance]}


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_every_operation_has_a_known_scope():
    labels = {operation.ok().label for operation in schema.get_all_operations()}
    assert labels == set(SCOPE_OF)


@schema.parametrize()
@hypothesis.settings(
    max_examples=15,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, tokens):
    scope = SCOPE_OF[case.operation.label]
    answered = case.call_and_validate(
        headers=_bearer(tokens[scope]), excluded_checks=EXCLUDED_CHECKS.get(case.operation.label)
    )

    # Some generated cases probe an undeclared method or leave the Authorization header out on
    # purpose; the token checks below apply to the others.
    sent_token = (
        answered.request.headers.get("Authorization") == _bearer(tokens[scope])["Authorization"]
    )
    if case.method.upper() != case.operation.method.upper() or not sent_token:
        return
    assert answered.status_code not in (401, 403), answered.text
    anonymous = case.call(headers={"Authorization": ""})
    assert anonymous.status_code == 401, anonymous.text
    unknown = case.call(headers=_bearer("not-a-token"))
    assert unknown.status_code == 401, unknown.text
    wrong_scope = next(value for key, value in tokens.items() if key != scope)
    refused = case.call(headers=_bearer(wrong_scope))
    assert refused.status_code == 403, refused.text
