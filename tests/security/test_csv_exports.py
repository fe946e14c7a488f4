"""Every CSV the product writes, fed names that start like spreadsheet formulas: none comes out
raw. (lms.exports.spreadsheet_cell is the one rule; this checks each export reaches it.)"""

import csv
import io
import re
import zipfile

import pytest

from django.urls import reverse

from lms.exports import FORMULA_STARTS

from .conftest import HOSTILE_TEAM, OVERDUE_NAME

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv_files(response):
    body = _body(response)
    if response["Content-Type"].startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return [
                archive.read(name).decode() for name in archive.namelist() if name.endswith(".csv")
            ]
    assert response["Content-Type"].startswith("text/csv"), response["Content-Type"]
    return [body.decode()]


def _exports(world):
    quiz, attempt = world["quiz"], world["attempt"]
    return [
        ("auditor", reverse("lms_report_completion") + "?export=csv"),
        ("auditor", reverse("lms_report_overdue") + "?export=csv"),
        ("auditor", reverse("lms_report_expiring") + "?export=csv"),
        ("auditor", reverse("quizzes_report_item-analysis") + f"?quiz={quiz.pk}&export=csv"),
        ("manager", reverse("team_dashboard") + "?export=csv"),
        ("auditor", reverse("audit_trail") + "?export=csv"),
        ("auditor", reverse("certificates:auditor_export", args=["csv"])),
        ("auditor", reverse("certificates:auditor_zip")),
        ("auditor", reverse("quizzes:audit_quiz_list") + "?format=csv"),
        ("auditor", reverse("quizzes:audit_quiz_attempts_csv", args=[quiz.pk])),
        ("auditor", reverse("quizzes:audit_attempt_csv", args=[attempt.pk])),
    ]


@pytest.fixture
def world(hostile, client_for):
    # The passed person downloads their certificate, so their name is in the audit trail too.
    response = client_for(hostile["passed"]).get(
        reverse("certificates:download", args=[hostile["certificate"].serial])
    )
    assert response.status_code == 200
    return hostile


def test_no_export_carries_a_formula(world, client_for):
    people = world["people"]
    for who, url in _exports(world):
        response = client_for(people[who]).get(url)
        assert response.status_code == 200, url
        cells = [
            cell
            for text in _csv_files(response)
            for row in csv.reader(io.StringIO(text))
            for cell in row
        ]
        raw = [
            cell for cell in cells if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)
        ]
        assert raw == [], f"{url} writes formulas raw: {raw}"
        # The hostile values really went through this export, made safe.
        assert any(
            cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) for cell in cells
        ), url


def test_the_admin_reports_keep_the_text_after_the_apostrophe(world, client_for):
    response = client_for(world["people"]["auditor"]).get(
        reverse("lms_report_overdue"), {"export": "csv"}
    )
    rows = list(csv.reader(io.StringIO(_body(response).decode())))
    overdue = next(row for row in rows if row[0] == "'" + " ".join(OVERDUE_NAME))
    assert overdue[1:3] == ["'-E1", "'" + HOSTILE_TEAM]


def test_the_admin_reports_xlsx_is_safe_too(world, client_for):
    from openpyxl import load_workbook

    response = client_for(world["people"]["auditor"]).get(
        reverse("lms_report_completion"), {"export": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(_body(response))).active
    teams = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'" + HOSTILE_TEAM in teams
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_wagtails_own_reports_export_through_the_same_rule(world, client):
    """Wagtail's site history lists the hostile module's creation under its title, "@SUM(1) ..."."""
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root.admin", "root@example.org", "x")
    client.force_login(admin)
    response = client.get(reverse("wagtailadmin_reports:site_history"), {"export": "csv"})
    assert response.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(_body(response).decode())) for cell in row]
    assert "'" + world["module"].title in cells
    assert not [
        cell for cell in cells if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)
    ]
