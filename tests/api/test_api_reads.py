"""The API's reads: statuses from the team grid, certificates as the auditor's list filters them,
and the verify page's lookup, with paging and filters."""

import datetime

import pytest

from certificates.models import Certificate
from certificates.services import certificate_revoke
from people.models import Team
from tests.factories import certificate_make, days, module_page_create
from tracking.services import assignment_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbered(people):
    for number, key in enumerate(
        ["manager", "staff", "lead", "deep", "other_manager", "other_staff"], start=1
    ):
        people[key].employee_number = f"E{number}"
        people[key].save(update_fields=["employee_number"])
    return people


def test_statuses_come_from_the_team_grid(client, api_token, numbered, module, quiz):
    assignment_create(module=module, due_on=days(-3))
    certificate_make(person=numbered["staff"], module=module, expires_on=days(300))
    response = client.get("/api/v1/statuses", {"manager": "E1"}, **api_token())
    assert response.status_code == 200
    body = response.json()
    by_number = {item["person"]["employee_number"]: item for item in body["items"]}
    assert set(by_number) == {"E2", "E3", "E4"}  # the whole reporting line, to any depth
    assert body["count"] == 3
    staff = by_number["E2"]["modules"][0]
    assert staff["module_id"] == module.pk
    assert staff["status"] == "passed"
    assert staff["valid_until"] == days(300).isoformat()
    assert by_number["E3"]["modules"][0]["status"] == "overdue"
    assert by_number["E3"]["modules"][0]["label"] == "Overdue"


def test_statuses_filter_by_status_person_and_team(client, api_token, numbered, module, quiz):
    assignment_create(module=module, due_on=days(-3))
    certificate_make(person=numbered["staff"], module=module, expires_on=days(300))
    headers = api_token()
    overdue = client.get("/api/v1/statuses", {"manager": "E1", "status": "overdue"}, **headers)
    cells = {
        item["person"]["employee_number"]: [cell["status"] for cell in item["modules"]]
        for item in overdue.json()["items"]
    }
    assert cells == {"E3": ["overdue"], "E4": ["overdue"]}
    assert overdue.json()["count"] == 2
    one = client.get("/api/v1/statuses", {"person": "E6"}, **headers).json()
    assert [item["person"]["employee_number"] for item in one["items"]] == ["E6"]
    team = Team.objects.get(name="Other team")
    in_team = client.get("/api/v1/statuses", {"team": team.pk}, **headers).json()
    assert {item["person"]["employee_number"] for item in in_team["items"]} == {"E5", "E6"}


def test_statuses_include_sub_teams(client, api_token, numbered, module):
    parent = Team.objects.create(name="Directorate")
    Team.objects.filter(name="Other team").update(parent=parent)
    body = client.get("/api/v1/statuses", {"team": parent.pk}, **api_token()).json()
    assert {item["person"]["employee_number"] for item in body["items"]} == {"E5", "E6"}


def test_statuses_are_paged(client, api_token, numbered, module):
    headers = api_token()
    first = client.get("/api/v1/statuses", {"page_size": 3}, **headers).json()
    second = client.get("/api/v1/statuses", {"page_size": 3, "page": 2}, **headers).json()
    third = client.get("/api/v1/statuses", {"page_size": 3, "page": 3}, **headers).json()
    assert first["count"] == second["count"] == 8
    ids = [item["person"]["id"] for item in first["items"] + second["items"] + third["items"]]
    assert len(ids) == 8 and len(set(ids)) == 8
    beyond = client.get("/api/v1/statuses", {"page_size": 3, "page": 9}, **headers).json()
    assert beyond["items"] == [] and beyond["count"] == 8


def test_a_status_filter_narrows_each_persons_entries_and_pages_by_who_matches(
    client, api_token, numbered, module, quiz, clause
):
    second = module_page_create(clause=clause, title="Second module", slug="second")
    assignment_create(module=module, due_on=days(-3))
    assignment_create(module=second, due_on=days(-3))
    certificate_make(person=numbered["staff"], module=module, expires_on=days(300))
    headers = api_token()

    def entries(**params):
        body = client.get("/api/v1/statuses", params, **headers).json()
        return body["count"], {
            item["person"]["employee_number"]: [
                (cell["module_id"], cell["status"]) for cell in item["modules"]
            ]
            for item in body["items"]
        }

    # Staff passed the first module and is overdue in the second: only the second is listed.
    count, overdue = entries(manager="E1", status="overdue")
    assert count == 3
    assert overdue["E2"] == [(second.pk, "overdue")]
    assert overdue["E3"] == overdue["E4"] == [(module.pk, "overdue"), (second.pk, "overdue")]
    count, passed = entries(manager="E1", status="passed")
    assert (count, passed) == (1, {"E2": [(module.pk, "passed")]})
    # A module filter and a status filter together; nobody matching is an empty page, not a 404.
    assert entries(manager="E1", module=module.pk, status="overdue")[0] == 2
    assert entries(manager="E1", module=second.pk, status="passed") == (0, {})
    # Pages cut the matching people, not everyone filtered.
    first_page = client.get(
        "/api/v1/statuses", {"status": "overdue", "page_size": 2}, **headers
    ).json()
    second_page = client.get(
        "/api/v1/statuses", {"status": "overdue", "page_size": 2, "page": 2}, **headers
    ).json()
    assert first_page["count"] == second_page["count"]
    listed = first_page["items"] + second_page["items"]
    assert all(item["modules"] for item in listed)
    assert all(cell["status"] == "overdue" for item in listed for cell in item["modules"])


def test_people_who_left_are_not_listed(client, api_token, numbered, module):
    numbered["other_staff"].left_on = days(-1)
    numbered["other_staff"].save(update_fields=["left_on"])
    body = client.get("/api/v1/statuses", {"person": "E6"}, **api_token()).json()
    assert body["count"] == 0


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"manager": "NOBODY"}, 404),
        ({"team": 999999}, 404),
        ({"status": "brilliant"}, 422),
        ({"page": 0}, 422),
        ({"page_size": 100000}, 422),
        ({"module": "x"}, 422),
        ({"person": "E1\x00"}, 422),
        ({"manager": "E1\x00"}, 422),
    ],
)
def test_bad_status_filters_are_refused_with_a_reason(client, api_token, numbered, params, status):
    response = client.get("/api/v1/statuses", params, **api_token())
    assert response.status_code == status
    assert response.json()["detail"]


def test_certificates_by_person_line_dates_and_status(client, api_token, numbered, module, quiz):
    staff_old = certificate_make(
        person=numbered["staff"],
        module=module,
        expires_on=days(-5),
        issued_at=datetime.datetime(2023, 1, 10, 12, tzinfo=datetime.UTC),
    )
    staff_new = certificate_make(person=numbered["staff"], module=module, expires_on=days(300))
    deep = certificate_make(person=numbered["deep"], module=module, expires_on=days(300))
    outside = certificate_make(person=numbered["other_staff"], module=module, expires_on=days(300))
    headers = api_token()

    def serials(**params):
        response = client.get("/api/v1/certificates", params, **headers)
        assert response.status_code == 200, response.content
        return [item["serial"] for item in response.json()["items"]]

    assert serials(person="E2") == [staff_new.serial, staff_old.serial]
    assert set(serials(manager="E1")) == {staff_new.serial, staff_old.serial, deep.serial}
    assert outside.serial not in serials(manager="E1")
    assert serials(issued_to="2023-12-31") == [staff_old.serial]
    assert staff_old.serial not in serials(issued_from="2024-01-01")
    assert serials(status="expired") == [staff_old.serial]
    assert serials(certifies="base_competence") == []
    assert len(serials(certifies=str(module.pk))) == 4
    everything = serials()
    assert len(everything) == 4
    assert [serials(page_size=1, page=page)[0] for page in range(1, 5)] == everything
    assert serials(page_size=1, page=5) == []


def test_a_certificate_reads_its_status_and_scope(client, api_token, numbered, module, quiz):
    certificate = certificate_make(person=numbered["staff"], module=module, expires_on=days(-1))
    certificate.scope = {"policies": [{"organisation": "Org", "title": "Data", "version": "2"}]}
    certificate.save(update_fields=["scope"])
    item = client.get("/api/v1/certificates", {"person": "E2"}, **api_token()).json()["items"][0]
    assert item["status"] == "valid"
    assert item["current_status"] == "Expired"
    assert item["is_currently_valid"] is False
    assert item["holder_employee_number"] == "E2"
    assert item["policies"] == [{"organisation": "Org", "title": "Data", "version": "2"}]


@pytest.mark.parametrize(
    "params",
    [
        {"issued_from": "yesterday"},
        {"issued_to": "0"},
        {"issued_from": "1700000000"},
        {"status": "lost"},
        {"certifies": "anything"},
    ],
)
def test_bad_certificate_filters_are_refused(client, api_token, numbered, params):
    assert client.get("/api/v1/certificates", params, **api_token()).status_code == 422


def test_verify_by_code_as_the_verify_page_finds_it(client, api_token, numbered, module, quiz):
    certificate = certificate_make(person=numbered["staff"], module=module, expires_on=days(300))
    headers = api_token()
    found = client.get(f"/api/v1/certificates/verify/{certificate.code}", **headers)
    assert found.status_code == 200
    assert found.json()["serial"] == certificate.serial
    assert found.json()["is_currently_valid"] is True
    certificate_revoke(
        certificate=certificate, by=None, reason="Issued in error.", category="issued_in_error"
    )
    revoked = client.get(f"/api/v1/certificates/verify/{certificate.code}", **headers).json()
    assert revoked["status"] == Certificate.Status.REVOKED
    assert revoked["is_currently_valid"] is False
    missing = client.get("/api/v1/certificates/verify/NO-SUCH-CODE", **headers)
    assert missing.status_code == 404
    # A NUL byte (PostgreSQL refuses it in a query and in the audit trail) is just not found.
    assert client.get("/api/v1/certificates/verify/AB%00CD", **headers).status_code == 404
