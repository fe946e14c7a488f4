"""The HR sync: the CSV import's rules and all-or-nothing save, given JSON rows, with a preview
that saves nothing and errors that name the row."""

import json

import pytest

from django.test import override_settings

from lms.audit import PEOPLE_IMPORTED
from lms.models import AuditEvent
from people.models import Person

pytestmark = pytest.mark.django_db


def row(number, first, email, manager="", **overrides):
    return {
        "employee_number": number,
        "first_name": first,
        "last_name": "Example",
        "email": email,
        "team": "Family court team",
        "job_title": "Adviser",
        "line_manager_employee_number": manager,
        "start_date": "2020-01-01",
        **overrides,
    }


GOOD = [
    row("E1", "Maya", "maya@example.org"),
    row("E2", "Ben", "ben@example.org", "E1", start_date="01/09/2019"),
    row("E3", "Cara", "cara@example.org", "E2"),
]


def sync(client, headers, people, full_extract=False, confirm_leavers=False, **params):
    query = "?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else ""
    body = {"people": people, "full_extract": full_extract, "confirm_leavers": confirm_leavers}
    return client.post(
        "/api/v1/people/sync" + query,
        json.dumps(body),
        content_type="application/json",
        **headers,
    )


def test_a_good_sync_saves_people_and_the_reporting_line(client, api_token, role_groups):
    response = sync(client, api_token(["write_people"]), GOOD)
    assert response.status_code == 200, response.content
    assert response.json() == {"preview": False, "created": 3, "updated": 0, "left": 0}
    cara = Person.objects.get(employee_number="E3")
    assert cara.line_manager.employee_number == "E2"
    assert cara.user.email == "cara@example.org"
    assert AuditEvent.objects.filter(action=PEOPLE_IMPORTED).count() == 1


def test_a_second_sync_updates_and_marks_leavers_only_from_a_full_extract(
    client, api_token, role_groups
):
    headers = api_token(["write_people"])
    sync(client, headers, GOOD)
    fewer = [GOOD[0], row("E2", "Benjamin", "ben@example.org", "E1")]
    partial = sync(client, headers, fewer)
    assert partial.json() == {"preview": False, "created": 0, "updated": 2, "left": 0}
    assert Person.objects.get(employee_number="E3").left_on is None
    # One of three leaving is more than a tenth: a full extract needs the second confirmation.
    unconfirmed = sync(client, headers, fewer, full_extract=True)
    assert unconfirmed.status_code == 409 and "confirm_leavers" in unconfirmed.json()["detail"]
    assert Person.objects.get(employee_number="E3").left_on is None
    response = sync(client, headers, fewer, full_extract=True, confirm_leavers=True)
    assert response.json() == {"preview": False, "created": 0, "updated": 2, "left": 1}
    assert Person.objects.get(employee_number="E3").left_on is not None
    assert Person.objects.get(employee_number="E2").user.first_name == "Benjamin"


def test_a_preview_counts_and_saves_nothing(client, api_token, role_groups):
    headers = api_token(["write_people"])
    response = sync(client, headers, GOOD, preview="true")
    assert response.json() == {"preview": True, "created": 3, "updated": 0, "left": 0}
    assert not Person.objects.filter(employee_number__isnull=False).exists()
    assert not AuditEvent.objects.filter(action=PEOPLE_IMPORTED).exists()


def test_one_bad_row_refuses_the_whole_sync_with_the_import_s_messages(
    client, api_token, role_groups
):
    people = [
        GOOD[0],
        row("E2", "Ben", "not-an-email", "E1"),
        row("E3", "Cara", "cara@example.org", "E9", start_date="31/02/2020"),
    ]
    response = sync(client, api_token(["write_people"]), people)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 1, "message": "the email “not-an-email” is not a valid email address"},
        {
            "row": 2,
            "message": "the start date “31/02/2020” is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
        },
    ]
    assert not Person.objects.filter(employee_number__isnull=False).exists()


def test_rows_are_named_even_after_a_value_with_a_line_break(client, api_token, role_groups):
    people = [
        row("E1", "Maya\nJane", "maya@example.org"),
        row("E2", "Ben", "ben@example.org", "E1"),
        row("E3", "Cara", "cara@example.org", "E404"),
    ]
    errors = sync(client, api_token(["write_people"]), people).json()["errors"]
    assert [(error["row"], error["message"][:40]) for error in errors] == [
        (0, "the first name contains a control charac"),
        (2, "the line manager E404 is not in the file"),
    ]


def test_a_loop_in_the_reporting_line_is_refused(client, api_token, role_groups):
    people = [
        row("E1", "Maya", "maya@example.org", "E2"),
        row("E2", "Ben", "ben@example.org", "E1"),
    ]
    response = sync(client, api_token(["write_people"]), people)
    assert response.status_code == 400
    assert {error["row"] for error in response.json()["errors"]} == {0, 1}
    assert "loops" in response.json()["errors"][0]["message"]


def test_an_empty_sync_is_refused_by_the_schema(client, api_token, role_groups):
    response = sync(client, api_token(["write_people"]), [])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "body", "people"]


def test_a_body_that_is_not_json_is_refused(client, api_token, role_groups):
    response = client.post(
        "/api/v1/people/sync",
        b"{not json",
        content_type="application/json",
        **api_token(["write_people"]),
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}


@pytest.mark.parametrize(
    "body",
    [{}, {"people": [{"employee_number": "E1"}]}, {"people": "everyone"}, {"people": [[1]]}],
)
def test_a_body_of_the_wrong_shape_is_refused(client, api_token, role_groups, body):
    response = client.post(
        "/api/v1/people/sync",
        json.dumps(body),
        content_type="application/json",
        **api_token(["write_people"]),
    )
    assert response.status_code == 422
    assert not Person.objects.filter(employee_number__isnull=False).exists()


@override_settings(LMS_HR_IMPORT_MAX_BYTES=200)
def test_a_sync_bigger_than_the_import_allows_is_refused(client, api_token, role_groups):
    response = sync(client, api_token(["write_people"]), GOOD)
    assert response.status_code == 413
    assert not Person.objects.filter(employee_number__isnull=False).exists()


def test_a_sync_sets_organisations_and_refuses_an_unknown_one(client, api_token, role_groups):
    from tests.factories import OrganisationFactory

    herts = OrganisationFactory(code="hertfordshire", name="Hertfordshire County Council")
    headers = api_token(["write_people"])
    refused = sync(client, headers, [row("E1", "Maya", "maya@example.org", organisation="mars")])
    assert refused.status_code == 400, refused.content
    assert refused.json()["errors"] == [
        {"row": 0, "message": "the organisation “mars” is not one held here (known: hertfordshire)"}
    ]
    assert not Person.objects.exists()

    response = sync(
        client, headers, [row("E1", "Maya", "maya@example.org", organisation="hertfordshire")]
    )
    assert response.status_code == 200, response.content
    assert Person.objects.get(employee_number="E1").organisation == herts
