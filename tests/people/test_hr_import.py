"""The HR import: every bad row is reported with its line, a bad file saves nothing, leavers stay."""

import base64
import datetime
import io

import pytest

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from lms import roles
from people.hr_csv import hr_rows_check
from people.models import Person, ReportingLink, Team
from people.selectors import reporting_line_ids, reporting_links_differences
from people.services import (
    PeopleImportError,
    PeopleImportLeaversUnconfirmed,
    PeopleImportPlanChanged,
    people_import,
    people_import_preview,
)

HEADER = "employee_number,first_name,last_name,email,team,job_title,line_manager_employee_number,start_date\n"
GOOD = HEADER + (
    "E1,Maya,Chief,maya.chief@example.org,Directorate,Director,,2015-04-01\n"
    "E2,Ben,Boss,ben.boss@example.org,Family court team,Service manager,E1,01/09/2019\n"
    "E3,Cara,Worker,cara.worker@example.org,Family court team,Family court adviser,E2,2024-02-29\n"
)


def errors_for(text):
    return [str(error) for error in hr_rows_check(text=text)[1]]


def test_a_good_file_has_no_errors():
    rows, errors = hr_rows_check(text=GOOD)
    assert errors == []
    assert [row.employee_number for row in rows] == ["E1", "E2", "E3"]
    assert rows[1].start_date == datetime.date(2019, 9, 1)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",Dan,Doe,dan@example.org,T,Job,E1,2020-01-01", "Line 5: the employee number is missing"),
        ("E4,,Doe,dan@example.org,T,Job,E1,2020-01-01", "Line 5: the first name is missing"),
        ("E4,Dan,,dan@example.org,T,Job,E1,2020-01-01", "Line 5: the last name is missing"),
        ("E4,Dan,Doe,,T,Job,E1,2020-01-01", "Line 5: the email is missing"),
        ("E4,Dan,Doe,dan@example.org,,Job,E1,2020-01-01", "Line 5: the team is missing"),
        ("E4,Dan,Doe,dan@example.org,T,,E1,2020-01-01", "Line 5: the job title is missing"),
        ("E4,Dan,Doe,dan@example.org,T,Job,E1,", "Line 5: the start date is missing"),
        (
            "E4,Dan,Doe,dan@example.org,T,Job,E1,31/02/2020",
            "Line 5: the start date “31/02/2020” is not a date",
        ),
        (
            "E4,Dan,Doe,dan@example.org,T,Job,E1,next week",
            "Line 5: the start date “next week” is not a date",
        ),
        (
            "E4,Dan,Doe,not-an-email,T,Job,E1,2020-01-01",
            "Line 5: the email “not-an-email” is not a valid email",
        ),
        (
            "E4,Dan,Doe,dan@example.org,T,Job,E99,2020-01-01",
            "Line 5: the line manager E99 is not in the file",
        ),
        (
            "E2,Dan,Doe,dan@example.org,T,Job,E1,2020-01-01",
            "Line 5: the employee number E2 is already used on line 3",
        ),
        (
            "E4,Dan,Doe,BEN.BOSS@example.org,T,Job,E1,2020-01-01",
            "Line 5: the email BEN.BOSS@example.org is already used on line 3",
        ),
        (
            "E4,Dan,Doe,dan@example.org,T,Job,E4,2020-01-01",
            "Line 5: the line manager chain loops: E4 → E4",
        ),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_its_line(row, message):
    errors = errors_for(GOOD + row + "\n")
    assert len(errors) == 1
    assert errors[0].startswith(message)


def test_a_loop_through_several_people_is_reported_on_each_of_their_lines():
    text = GOOD.replace("Director,,", "Director,E3,")  # E1 -> E3 -> E2 -> E1
    assert errors_for(text) == [
        "Line 2: the line manager chain loops: E1 → E3 → E2 → E1",
        "Line 3: the line manager chain loops: E2 → E1 → E3 → E2",
        "Line 4: the line manager chain loops: E3 → E2 → E1 → E3",
    ]


def test_every_bad_row_is_reported_not_just_the_first():
    text = (
        GOOD
        + ",Dan,Doe,dan@example.org,T,Job,E1,2020-01-01\nE5,Eve,Doe,eve@example.org,T,Job,E1,yesterday\n"
    )
    assert [error.split(":")[0] for error in errors_for(text)] == ["Line 5", "Line 6"]


def test_line_numbers_count_quoted_line_breaks():
    text = (
        GOOD.replace("Director,", '"Director,\nof everything",')
        + "E4,Dan,Doe,,T,Job,E1,2020-01-01\n"
    )
    assert errors_for(text) == [
        "Line 3: the job title contains a control character (such as a line break, a tab or a NUL byte)",
        "Line 6: the email is missing",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        (HEADER, "The file has no people in it."),
        ("number,name\n1,Ann\n", "The file has no column for: employee_number"),
    ],
)
def test_a_file_without_people_or_columns_is_refused(text, message):
    assert errors_for(text)[0].startswith(message)


@pytest.mark.django_db
def test_import_creates_people_teams_and_the_reporting_line(role_groups):
    result = people_import(data=GOOD.encode())
    assert (result.created, result.updated, result.left) == (3, 0, 0)
    cara = Person.objects.select_related("line_manager__line_manager", "team", "user").get(
        employee_number="E3"
    )
    assert cara.line_manager.employee_number == "E2"
    assert cara.line_manager.line_manager.employee_number == "E1"
    assert (cara.team.name, cara.job_title, cara.start_date) == (
        "Family court team",
        "Family court adviser",
        datetime.date(2024, 2, 29),
    )
    assert cara.user.email == "cara.worker@example.org" and not cara.user.has_usable_password()
    assert set(cara.user.groups.values_list("name", flat=True)) == {roles.STAFF}
    assert roles.LINE_MANAGERS in set(cara.line_manager.user.groups.values_list("name", flat=True))


@pytest.mark.django_db
def test_import_updates_people_and_marks_leavers_as_left_without_deleting_them(role_groups):
    people_import(data=GOOD.encode())
    moved = HEADER + (
        "E1,Maya,Chief,maya.chief@example.org,Directorate,Director,,2015-04-01\n"
        "E3,Cara,Senior,cara.worker@example.org,Adoption team,Senior adviser,E1,2024-02-29\n"
    )
    result = people_import(
        data=moved.encode(),
        today=datetime.date(2026, 5, 1),
        full_extract=True,
        confirm_leavers=True,
    )
    assert (result.created, result.updated, result.left) == (0, 2, 1)
    cara = Person.objects.select_related("user", "team").get(employee_number="E3")
    assert (cara.user.last_name, cara.team.name, cara.line_manager.employee_number) == (
        "Senior",
        "Adoption team",
        "E1",
    )
    ben = Person.objects.select_related("user").get(employee_number="E2")
    assert ben.left_on == datetime.date(2026, 5, 1) and not ben.user.is_active
    # Coming back in a later file brings them back.
    people_import(data=GOOD.encode())
    ben.refresh_from_db()
    ben.user.refresh_from_db()
    assert ben.left_on is None and ben.user.is_active


@pytest.mark.django_db
def test_import_adopts_an_existing_account_by_email(people):
    text = HEADER + "E9,Sam,Staff,sam.staff@example.org,Family court team,Adviser,,2020-01-01\n"
    result = people_import(data=text.encode())
    assert result.created == 0
    people["staff"].refresh_from_db()
    assert people["staff"].employee_number == "E9"
    # People without an employee number (never imported) are not marked as left.
    assert not Person.objects.filter(left_on__isnull=False).exists()


@pytest.mark.django_db
def test_an_email_of_another_account_is_refused(people):
    people["staff"].employee_number = "E77"
    people["staff"].save()
    text = (
        HEADER
        + "E9,Sam,Staff,sam.staff@example.org,Family court team,Adviser,,2020-01-01\nE77,S,S,s@example.org,T,J,,2020-01-01\n"
    )
    with pytest.raises(PeopleImportError) as error:
        people_import(data=text.encode())
    assert [str(e) for e in error.value.errors] == [
        "Line 2: the email sam.staff@example.org belongs to another account"
    ]


@pytest.mark.django_db
def test_a_bad_file_saves_nothing_at_all(role_groups):
    people_import(data=GOOD.encode())
    before = list(
        Person.objects.values_list(
            "employee_number", "line_manager_id", "team_id", "job_title", "left_on"
        )
    )
    teams_before = Team.objects.count()
    text = HEADER + (
        "E1,Maya,Renamed,maya.chief@example.org,Brand new team,Director,,2015-04-01\n"
        "E4,New,Person,new@example.org,Brand new team,Adviser,E1,2025-01-01\n"
        "E5,Bad,Row,bad@example.org,Brand new team,Adviser,E99,2025-01-01\n"
    )
    with pytest.raises(PeopleImportError) as error:
        people_import(data=text.encode())
    assert [str(e) for e in error.value.errors] == [
        "Line 4: the line manager E99 is not in the file"
    ]
    after = list(
        Person.objects.values_list(
            "employee_number", "line_manager_id", "team_id", "job_title", "left_on"
        )
    )
    assert after == before and Team.objects.count() == teams_before
    assert not Person.objects.filter(user__last_name="Renamed").exists()


@pytest.mark.django_db
def test_a_failure_while_saving_rolls_everything_back(role_groups, monkeypatch):
    from people import services

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(
        services,
        "team_get_or_create",
        lambda **kwargs: (
            explode()
            if kwargs["name"] == "Family court team"
            else Team.objects.get_or_create(name=kwargs["name"])[0]
        ),
    )
    with pytest.raises(RuntimeError):
        people_import(data=GOOD.encode())
    assert not Person.objects.exists() and not Team.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused(role_groups):
    with pytest.raises(PeopleImportError) as error:
        people_import(data=GOOD.encode("utf-16"))
    assert "not a UTF-8 CSV file" in str(error.value)


@pytest.mark.django_db
def test_the_command_imports_and_reports_every_problem(role_groups, tmp_path):
    good = tmp_path / "people.csv"
    good.write_text(GOOD)
    out = io.StringIO()
    call_command("import_people", str(good), stdout=out)
    assert "3 new, 0 updated, 0 marked as left" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "E4,Dan,Doe,,T,Job,E1,2020-01-01\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import_people", str(bad), stderr=err)
    assert "Line 5: the email is missing" in err.getvalue()


@pytest.mark.django_db
class TestAdminUpload:
    url = "/admin/people/import/"

    def test_only_people_with_the_import_permission_may_upload(self, people, client_for):
        assert client_for(people["author"]).get(self.url).status_code in (302, 403)
        assert client_for(people["auditor"]).get(self.url).status_code in (302, 403)

    def test_an_admin_uploads_a_file_sees_the_preview_and_confirms_it(
        self, people, client, admin_user
    ):
        client.force_login(admin_user)
        preview = client.post(
            self.url, {"file": SimpleUploadedFile("people.csv", GOOD.encode(), "text/csv")}
        )
        assert preview.status_code == 200
        html = preview.content.decode()
        assert "Preview: nothing has been saved yet" in html
        assert "3 to add, 0 to change" in html and "Maya Chief" in html
        assert not Person.objects.filter(employee_number__isnull=False).exists()
        response = client.post(self.url, {"digest": preview.context["plan"].digest})
        assert response.status_code == 302
        assert Person.objects.filter(employee_number__in=["E1", "E2", "E3"]).count() == 3
        # The confirmation is used up: posting it again imports nothing more.
        again = client.post(self.url, {"digest": preview.context["plan"].digest}, follow=True)
        assert "no checked file is waiting" in again.content.decode()

    def test_a_bad_file_is_shown_line_by_line_and_nothing_is_saved(
        self, people, client, admin_user
    ):
        client.force_login(admin_user)
        bad = GOOD + "E4,Dan,Doe,dan@example.org,T,Job,E99,2020-01-01\n"
        response = client.post(
            self.url, {"file": SimpleUploadedFile("people.csv", bad.encode(), "text/csv")}
        )
        assert response.status_code == 200
        assert "Line 5: the line manager E99 is not in the file" in response.content.decode()
        assert not Person.objects.filter(employee_number__isnull=False).exists()

    def test_a_granted_permission_is_enough(self, people, client_for):
        user = people["author"].user
        user.user_permissions.add(Permission.objects.get(codename="import_people"))
        assert client_for(people["author"]).get(self.url).status_code == 200

    @override_settings(LMS_HR_IMPORT_MAX_BYTES=100)
    def test_the_upload_is_size_and_type_checked(self, people, client, admin_user):
        client.force_login(admin_user)
        too_big = client.post(
            self.url, {"file": SimpleUploadedFile("people.csv", GOOD.encode(), "text/csv")}
        )
        assert "must be smaller than" in too_big.content.decode()
        wrong_type = client.post(
            self.url, {"file": SimpleUploadedFile("people.xlsx", b"PK..", "application/zip")}
        )
        assert "must be a CSV file" in wrong_type.content.decode()
        assert not Person.objects.filter(employee_number__isnull=False).exists()
        assert reverse("lms_people_import") == self.url


# Values the database would refuse (too long for their column, or a NUL byte) are line-numbered
# errors like any other, found before anything is written, on SQLite and PostgreSQL alike.
TOO_LONG_OR_UNPRINTABLE = [
    (
        "E4,{},Doe,dan@example.org,T,Job,E1,2020-01-01".format("D" * 200),
        "Line 5: the first name is longer than 150 characters (200)",
    ),
    (
        "E4,Dan,{},dan@example.org,T,Job,E1,2020-01-01".format("D" * 151),
        "Line 5: the last name is longer than 150 characters (151)",
    ),
    (
        "{},Dan,Doe,dan@example.org,T,Job,E1,2020-01-01".format("7" * 40),
        "Line 5: the employee number is longer than 30 characters (40)",
    ),
    (
        "E4,Dan,Doe,dan@example.org,{},Job,E1,2020-01-01".format("T" * 200),
        "Line 5: the team is longer than 150 characters (200)",
    ),
    (
        "E4,Dan,Doe,dan@example.org,T,{},E1,2020-01-01".format("J" * 151),
        "Line 5: the job title is longer than 150 characters (151)",
    ),
    (
        "E4,Dan,Doe,dan@{}org,T,Job,E1,2020-01-01".format(
            "x" * 60 + "." + "y" * 60 + "." + "z" * 30 + "."
        ),
        "Line 5: the email is longer than 150 characters (160)",
    ),
    (
        "E4,Dan\x00,Doe,dan@example.org,T,Job,E1,2020-01-01",
        "Line 5: the first name contains a control character",
    ),
    (
        "E4\x00,Dan,Doe,dan@example.org,T,Job,E1,2020-01-01",
        "Line 5: the employee number contains a control character",
    ),
    (
        "E4,Dan,Doe,dan@example.org,\x00Team,Job,E1,2020-01-01",
        "Line 5: the team contains a control character",
    ),
    (
        'E4,Dan,Doe,dan@example.org,"Two\nlines",Job,E1,2020-01-01',
        "Line 6: the team contains a control character",
    ),
]


@pytest.mark.parametrize(("row", "message"), TOO_LONG_OR_UNPRINTABLE)
def test_values_the_database_would_refuse_are_reported_with_their_line(row, message):
    errors = errors_for(GOOD + row + "\n")
    assert len(errors) == 1 and errors[0].startswith(message), errors


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "message"), TOO_LONG_OR_UNPRINTABLE)
def test_values_the_database_would_refuse_save_nothing_through_the_service_and_command(
    row, message, role_groups, tmp_path
):
    path = tmp_path / "people.csv"
    path.write_bytes(
        (
            GOOD
            + "E5,Eve,Early,eve@example.org,Family court team,Adviser,E1,2020-01-01\n"
            + row
            + "\n"
        ).encode()
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import_people", str(path), stderr=err)
    line = int(message.split(":")[0].removeprefix("Line "))
    assert message.replace(f"Line {line}:", f"Line {line + 1}:") in err.getvalue()
    assert not Person.objects.exists() and not Team.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "message"), TOO_LONG_OR_UNPRINTABLE)
def test_values_the_database_would_refuse_are_shown_in_the_admin_and_nothing_is_saved(
    row, message, people, client, admin_user
):
    client.force_login(admin_user)
    response = client.post(
        "/admin/people/import/",
        {"file": SimpleUploadedFile("people.csv", (GOOD + row + "\n").encode(), "text/csv")},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Person.objects.filter(employee_number__isnull=False).exists()
    assert not Team.objects.exclude(
        name__in=["Family court team", "Other team", "L&D", "QA"]
    ).exists()


# The import shows what it will do and does exactly that: a partial file marks nobody as left,
# mass leavers need a second confirmation, and a changed file or database refuses the confirmation.


def _staff_file(count, prefix="S"):
    return HEADER + "".join(
        f"{prefix}{n},First{n},Last{n},{prefix.lower()}{n}@example.org,Team,Adviser,,2020-01-01\n"
        for n in range(1, count + 1)
    )


@pytest.fixture
def hundred_people(role_groups):
    people_import(data=_staff_file(100).encode())
    assert Person.objects.filter(left_on__isnull=True).count() == 100


@pytest.mark.django_db
def test_a_partial_file_marks_nobody_as_left(hundred_people):
    plan = people_import_preview(data=_staff_file(7).encode())
    assert plan.leavers == () and not plan.full_extract
    result = people_import(data=_staff_file(7).encode())
    assert result.left == 0
    assert not Person.objects.filter(left_on__isnull=False).exists()


@pytest.mark.django_db
def test_seven_rows_against_a_hundred_people_need_the_second_confirmation(hundred_people):
    data = _staff_file(7).encode()
    plan = people_import_preview(data=data, full_extract=True)
    assert len(plan.leavers) == 93 and plan.leavers_need_confirmation
    with pytest.raises(PeopleImportLeaversUnconfirmed) as refusal:
        people_import(data=data, full_extract=True)
    assert len(refusal.value.plan.leavers) == 93
    assert not Person.objects.filter(left_on__isnull=False).exists()
    result = people_import(data=data, full_extract=True, confirm_leavers=True)
    assert result.left == 93
    assert Person.objects.filter(left_on__isnull=True).count() == 7


@pytest.mark.django_db
def test_ten_percent_of_leavers_needs_no_second_confirmation_but_eleven_do(hundred_people):
    ninety = people_import_preview(data=_staff_file(90).encode(), full_extract=True)
    assert len(ninety.leavers) == 10 and not ninety.leavers_need_confirmation
    eighty_nine = people_import_preview(data=_staff_file(89).encode(), full_extract=True)
    assert len(eighty_nine.leavers) == 11 and eighty_nine.leavers_need_confirmation
    assert people_import(data=_staff_file(90).encode(), full_extract=True).left == 10


@pytest.mark.django_db
def test_the_preview_lists_adds_changes_leavers_and_role_changes(role_groups):
    people_import(data=GOOD.encode())
    changed = HEADER + (
        "E1,Maya,Chief,maya.chief@example.org,Directorate,Director,,2015-04-01\n"
        "E3,Cara,Senior,cara.worker@example.org,Family court team,Senior adviser,E1,2024-02-29\n"
        "E4,Dev,New,dev.new@example.org,Family court team,Adviser,E3,2026-01-05\n"
    )
    plan = people_import_preview(data=changed.encode(), full_extract=True)
    assert [(p.employee_number, p.name) for p in plan.adds] == [("E4", "Dev New")]
    assert [(p.employee_number, p.details) for p in plan.changes] == [
        (
            "E3",
            (
                "last name: Worker → Senior",
                "job title: Family court adviser → Senior adviser",
                "line manager: E2 → E1",
            ),
        )
    ]
    assert plan.unchanged == 1
    assert [p.employee_number for p in plan.leavers] == ["E2"]
    assert [(p.employee_number, p.details) for p in plan.role_changes] == [
        ("E3", (f"becomes one of the {roles.LINE_MANAGERS}",))
    ]


@pytest.mark.django_db
def test_a_confirmation_of_another_preview_is_refused_and_saves_nothing(role_groups):
    people_import(data=GOOD.encode())
    confirmed = people_import_preview(data=GOOD.encode(), full_extract=True).digest
    other = GOOD.replace("Cara,Worker", "Cara,Changed")
    with pytest.raises(PeopleImportPlanChanged) as changed:
        people_import(data=other.encode(), full_extract=True, expected_digest=confirmed)
    assert changed.value.plan.changes[0].details == ("last name: Worker → Changed",)
    assert not Person.objects.filter(user__last_name="Changed").exists()
    # The same file, once the people it concerns changed in the database, is refused too.
    Person.objects.filter(employee_number="E3").update(job_title="Moved by hand")
    with pytest.raises(PeopleImportPlanChanged):
        people_import(data=GOOD.encode(), full_extract=True, expected_digest=confirmed)
    assert Person.objects.get(employee_number="E3").job_title == "Moved by hand"


@pytest.mark.django_db
def test_the_command_dry_run_prints_the_preview_and_saves_nothing(hundred_people, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(_staff_file(7) + "N1,New,Starter,new@example.org,Team,Adviser,,2026-01-05\n")
    out = io.StringIO()
    call_command("import_people", str(path), "--dry-run", "--full-extract", stdout=out)
    text = out.getvalue()
    assert "1 to add, 0 to change, 7 unchanged, 93 to mark as left" in text
    assert "Add: N1 New Starter" in text and "Mark as left: S99 First99 Last99" in text
    assert "Dry run: nothing was saved." in text
    assert not Person.objects.filter(employee_number="N1").exists()
    assert not Person.objects.filter(left_on__isnull=False).exists()


@pytest.mark.django_db
def test_the_command_refuses_mass_leavers_without_the_second_confirmation(hundred_people, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(_staff_file(7))
    with pytest.raises(CommandError, match="93 of 100 active people as left"):
        call_command("import_people", str(path), "--full-extract", stdout=io.StringIO())
    assert not Person.objects.filter(left_on__isnull=False).exists()
    out = io.StringIO()
    call_command("import_people", str(path), "--full-extract", "--confirm-leavers", stdout=out)
    assert "93 marked as left" in out.getvalue()


@pytest.mark.django_db
def test_the_command_without_full_extract_marks_nobody_as_left(hundred_people, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(_staff_file(7))
    out = io.StringIO()
    call_command("import_people", str(path), stdout=out)
    assert "Not declared a full extract" in out.getvalue() and "0 marked as left" in out.getvalue()
    assert not Person.objects.filter(left_on__isnull=False).exists()


def _upload(client, text, full_extract=False):
    data = {"file": SimpleUploadedFile("people.csv", text.encode(), "text/csv")}
    if full_extract:
        data["full_extract"] = "on"
    return client.post("/admin/people/import/", data)


@pytest.mark.django_db
class TestAdminPreviewAndConfirm:
    url = "/admin/people/import/"

    def test_mass_leavers_need_the_box_ticked(self, hundred_people, client, admin_user):
        client.force_login(admin_user)
        preview = _upload(client, _staff_file(7), full_extract=True)
        html = preview.content.decode()
        assert "93 to mark as left" in html and "Yes, mark 93 of 100 active people as left" in html
        digest = preview.context["plan"].digest
        refused = client.post(self.url, {"digest": digest})
        assert refused.status_code == 200
        assert "Nothing was imported: confirm the leavers" in refused.content.decode()
        assert not Person.objects.filter(left_on__isnull=False).exists()
        done = client.post(self.url, {"digest": digest, "confirm_leavers": "on"})
        assert done.status_code == 302
        assert Person.objects.filter(left_on__isnull=False).count() == 93

    def test_a_partial_upload_marks_nobody_as_left(self, hundred_people, client, admin_user):
        client.force_login(admin_user)
        preview = _upload(client, _staff_file(7))
        assert "nobody is marked as left" in preview.content.decode()
        client.post(self.url, {"digest": preview.context["plan"].digest})
        assert not Person.objects.filter(left_on__isnull=False).exists()

    def test_a_file_changed_between_preview_and_confirm_is_refused_with_the_new_preview(
        self, role_groups, client, admin_user
    ):
        client.force_login(admin_user)
        first = _upload(client, GOOD)
        # Another file is checked (say in another tab) before the first preview is confirmed.
        _upload(client, GOOD.replace("Cara,Worker", "Cara,Other"))
        refused = client.post(self.url, {"digest": first.context["plan"].digest})
        assert refused.status_code == 200
        html = refused.content.decode()
        assert "the file or the people changed since the preview" in html
        assert "Cara Other" in html
        assert not Person.objects.filter(employee_number__isnull=False).exists()
        # Confirming the new preview imports it.
        assert client.post(self.url, {"digest": refused.context["plan"].digest}).status_code == 302
        assert Person.objects.filter(user__last_name="Other").exists()

    def test_people_changed_between_preview_and_confirm_is_refused(
        self, role_groups, client, admin_user
    ):
        people_import(data=GOOD.encode())
        client.force_login(admin_user)
        preview = _upload(client, GOOD.replace("Cara,Worker", "Cara,Renamed"))
        Person.objects.filter(employee_number="E2").update(job_title="Changed meanwhile")
        refused = client.post(self.url, {"digest": preview.context["plan"].digest})
        assert "the file or the people changed since the preview" in refused.content.decode()
        assert not Person.objects.filter(user__last_name="Renamed").exists()

    def test_a_tampered_or_missing_pending_file_is_refused(self, role_groups, client, admin_user):
        client.force_login(admin_user)
        nothing = client.post(self.url, {"digest": "0" * 64}, follow=True)
        assert "no checked file is waiting" in nothing.content.decode()
        preview = _upload(client, GOOD)
        session = client.session
        pending = session["people_import_pending"]
        pending["data"] = base64.b64encode(GOOD.replace("Maya", "Evil").encode()).decode()
        session["people_import_pending"] = pending
        session.save()
        refused = client.post(self.url, {"digest": preview.context["plan"].digest}, follow=True)
        assert "no checked file is waiting" in refused.content.decode()
        assert not Person.objects.filter(employee_number__isnull=False).exists()


def _links():
    return sorted(ReportingLink.objects.values_list("pk", "manager_id", "person_id", "depth"))


@pytest.mark.django_db
def test_a_file_that_moves_nobody_rewrites_no_reporting_links(role_groups):
    people_import(data=GOOD.encode())
    before = _links()
    assert len(before) == 3  # E1 above E2 and E3; E2 above E3
    people_import(data=GOOD.replace("Director", "Chief executive").encode())
    assert _links() == before  # the same rows, not rows deleted and written again


@pytest.mark.django_db
def test_a_manager_and_their_report_swap_places_without_a_loop_on_the_way(role_groups):
    people_import(data=GOOD.encode())
    swapped = HEADER + (
        "E1,Maya,Chief,maya.chief@example.org,Directorate,Director,,2015-04-01\n"
        "E2,Ben,Boss,ben.boss@example.org,Family court team,Service manager,E3,01/09/2019\n"
        "E3,Cara,Worker,cara.worker@example.org,Family court team,Team manager,E1,2024-02-29\n"
    )
    people_import(data=swapped.encode())
    managers = dict(Person.objects.values_list("employee_number", "line_manager__employee_number"))
    assert managers == {"E1": None, "E2": "E3", "E3": "E1"}
    assert reporting_links_differences() == {}
    assert reporting_line_ids(manager=Person.objects.get(employee_number="E3")) == {
        Person.objects.get(employee_number="E2").pk
    }


@pytest.mark.django_db
def test_a_manager_without_an_employee_number_is_replaced_by_the_file(people):
    # Sam's manager was set up by hand and has no employee number; the file says Sam has none.
    Person.objects.filter(pk=people["staff"].pk).update(employee_number="S1")
    people_import(data=(HEADER + "S1,Sam,Staff,sam.staff@example.org,T,Job,,2020-01-01\n").encode())
    assert Person.objects.get(pk=people["staff"].pk).line_manager_id is None
    assert people["staff"].pk not in reporting_line_ids(manager=people["manager"])
