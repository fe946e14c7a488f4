"""Whatever a client sends, the API answers with a status its schema declares (or 422 for a
request that does not fit the schema), never a server error.

A stand-in for schemathesis (not installed): hypothesis draws the query values, and, for the
sync, the rows; ninja itself serialises every answer through the declared response schema."""

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.models import ApiClient
from api.services import api_client_create
from tests.factories import certificate_make, days

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
values = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.dates().map(str),
    st.sampled_from(["overdue", "expired", "valid", "base_competence", "0", "-1", "E1"]),
)


@pytest.fixture
def setup(client, people, module):
    certificate_make(person=people["staff"], module=module, expires_on=days(30))
    _, token = api_client_create(name="Fuzz", scopes=ApiClient.Scope.values, by=None)
    schema = client.get("/api/v1/openapi.json").json()
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}, schema


def _declared(schema, path, method):
    return {int(code) for code in schema["paths"][path][method]["responses"]} | {422}


def _parameters(schema, path, method):
    return [p["name"] for p in schema["paths"][path][method].get("parameters", [])]


@pytest.mark.parametrize("path", ["/api/v1/statuses", "/api/v1/certificates"])
def test_list_queries_never_fail(client, setup, path):
    headers, schema = setup
    names = _parameters(schema, path, "get")
    assert {"page", "page_size", "person", "team", "manager"} <= set(names)

    @FUZZ
    @given(st.dictionaries(st.sampled_from(names), values, max_size=4))
    def check(params):
        response = client.get(path, params, **headers)
        assert response.status_code in _declared(schema, path, "get"), (params, response.content)

    check()


def test_verification_codes_never_fail(client, setup):
    headers, schema = setup

    @FUZZ
    @given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=40))
    def check(code):
        response = client.get(f"/api/v1/certificates/verify/{quote(code, safe='')}", **headers)
        assert response.status_code in _declared(
            schema, "/api/v1/certificates/verify/{code}", "get"
        ) | {404}, (code, response.content)

    check()


rows = st.lists(
    st.fixed_dictionaries(
        dict.fromkeys(
            [
                "employee_number",
                "first_name",
                "last_name",
                "email",
                "team",
                "job_title",
                "line_manager_employee_number",
                "start_date",
            ],
            values,
        )
    ),
    max_size=4,
)


def test_people_syncs_never_fail(client, setup):
    headers, schema = setup

    @FUZZ
    @given(rows)
    def check(people):
        response = client.post(
            "/api/v1/people/sync?preview=true",
            json.dumps({"people": people}),
            content_type="application/json",
            **headers,
        )
        assert response.status_code in _declared(schema, "/api/v1/people/sync", "post"), (
            people,
            response.content,
        )

    check()
