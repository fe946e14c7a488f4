"""Compliance reports in the Wagtail admin, for L&D authors and auditors only."""

import csv
import io

import pytest
from openpyxl import load_workbook

from django.urls import reverse

from modules.services import roles_sync
from tests.factories import certificate_make, days
from tracking.reports import completion_by_team_and_module, expiring_list, overdue_list
from tracking.services import assignment_create

pytestmark = pytest.mark.django_db

REPORTS = ["lms_report_completion", "lms_report_overdue", "lms_report_expiring"]


@pytest.fixture
def tracked(people, module):
    """Everyone is due 10 days ago; Sam passed, Rita's certificate expires in 20 days, Oscar's expired."""
    assignment_create(module=module, due_on=days(-10))
    certificate_make(person=people["staff"], module=module, expires_on=days(300))
    certificate_make(person=people["deep"], module=module, expires_on=days(20))
    certificate_make(person=people["other_staff"], module=module, expires_on=days(-2))
    return people


def test_completion_by_team_and_module(tracked, module):
    lines = {line.team: line for line in completion_by_team_and_module()}
    family = lines["Family court team"]  # maria, sam, lee, rita
    assert (
        family.module,
        family.assigned,
        family.compliant,
        family.overdue,
        family.expiring_soon,
    ) == (module.title, 4, 2, 2, 1)
    assert family.percent_compliant == 50
    assert (lines["Other team"].assigned, lines["Other team"].overdue) == (2, 2)


def test_overdue_list_includes_expired_and_leaves_out_leavers(tracked):
    tracked["manager"].left_on = days(-1)
    tracked["manager"].save()
    lines = overdue_list()
    assert {line.name for line in lines} == {
        "Lee Lead",
        "Olu Other",
        "Oscar Other",
        "Alex Author",
        "Ada Auditor",
    }
    lee = next(line for line in lines if line.name == "Lee Lead")
    assert (lee.days, lee.due_on, lee.line_manager) == (10, days(-10), "Maria Manager")
    oscar = next(line for line in lines if line.name == "Oscar Other")
    assert oscar.status.startswith("Expired") and oscar.line_manager == "Olu Other"


def test_expiring_list(tracked):
    assert [(line.name, line.days) for line in expiring_list()] == [("Rita Report", 20)]


@pytest.mark.parametrize("who", ["author", "auditor"])
@pytest.mark.parametrize("report", REPORTS)
def test_authors_and_auditors_see_the_reports_and_can_export_them(tracked, client_for, who, report):
    client = client_for(tracked[who])
    response = client.get(reverse(report))
    assert response.status_code == 200
    exported = client.get(reverse(report), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert len(rows) > 1
    workbook = client.get(reverse(report), {"export": "xlsx"})
    assert load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active.max_row == len(
        rows
    )


def test_the_overdue_export_has_the_people_and_dates(tracked, client_for):
    exported = client_for(tracked["auditor"]).get(reverse("lms_report_overdue"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert rows[0] == [
        "Name",
        "Employee number",
        "Team",
        "Line manager",
        "Module",
        "Status",
        "Due",
        "Days overdue",
    ]
    assert any(row[0] == "Lee Lead" and row[7] == "10" for row in rows)


@pytest.mark.parametrize("who", ["staff", "manager"])
def test_staff_and_managers_cannot_see_the_reports(tracked, client_for, who):
    for report in REPORTS:
        assert client_for(tracked[who]).get(reverse(report)).status_code in (302, 403)


def test_the_reports_are_in_the_reports_menu_for_auditors(tracked, client_for):
    page = client_for(tracked["auditor"]).get(reverse("wagtailadmin_home")).content.decode()
    assert "Overdue training" in page and "Certificates expiring soon" in page


def test_auditors_get_admin_access_for_the_reports_but_cannot_edit_content(
    tracked, client_for, module
):
    auditor = tracked["auditor"].user
    assert auditor.has_perm("wagtailadmin.access_admin")
    assert not any(
        auditor.has_perm(f"modules.{action}_policydocument")
        for action in ("add", "change", "delete")
    )
    assert not auditor.has_perm("tracking.add_assignment") and not auditor.has_perm(
        "people.import_people"
    )
    client = client_for(tracked["auditor"])
    assert client.get(reverse("wagtailadmin_pages:edit", args=[module.pk])).status_code in (
        302,
        403,
    )
    assert client.get(reverse("lms_people_import")).status_code in (302, 403)


def test_authors_can_manage_assignments(tracked):
    author = tracked["author"].user
    assert all(
        author.has_perm(f"tracking.{action}_assignment")
        for action in ("add", "change", "delete", "view")
    )
    assert author.has_perm("people.view_compliance_reports")


def test_roles_sync_stays_idempotent(tracked):
    roles_sync()
    roles_sync()
    assert tracked["auditor"].user.groups.get().permissions.count() == 2
