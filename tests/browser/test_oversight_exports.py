"""Line managers and auditors narrowing their lists and taking them away: the manager filters the
dashboard to overdue and exports exactly that table as CSV; the auditor filters certificates,
downloads them as a ZIP with its manifest, and anyone signed out can check a certificate file."""

import csv
import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from django.urls import reverse

from certificates.models import Certificate
from tests.factories import days
from tracking.services import assignment_create

from .keyboard import activate, choose_option, press, tab_to
from .steps import assert_refused, pass_quiz, sign_in, sign_out


def _body_rows(table):
    """Each row of the table's body as the text of its cells, without visually hidden words."""
    return table.locator("tbody tr").evaluate_all(
        """rows => rows.map(row => [...row.cells].map(cell => {
             const copy = cell.cloneNode(true);
             copy.querySelectorAll('.govuk-visually-hidden').forEach(hidden => hidden.remove());
             return copy.textContent.replace(/\\s+/g, ' ').trim();
           }))"""
    )


def test_manager_filters_to_overdue_and_exports_the_table(page, people, module, quiz):
    assignment_create(module=module, due_on=days(-5))
    pass_quiz(person=people["staff"], quiz=quiz)

    sign_in(page, "maria.manager")
    activate(page, page.get_by_role("link", name="My team"))
    page.audit.check()
    table = page.locator("#reporting-line")
    assert "3 people in your reporting line" in table.locator("caption").inner_text()
    assert (
        "Passed, valid until" in table.get_by_role("row").filter(has_text="Sam Staff").inner_text()
    )
    assert "2 overdue or expired" in page.locator("#headline").inner_text()

    choose_option(page, page.get_by_label("Status"), label="Overdue")
    activate(page, page.get_by_role("button", name="Apply filters"))
    page.audit.check()
    assert "status=overdue" in page.url
    assert (
        page.get_by_label("Status").evaluate("el => el.value") == "overdue"
    )  # the filter stays chosen
    table = page.locator("#reporting-line")
    assert "2 people in your reporting line" in table.locator("caption").inner_text()
    shown = _body_rows(table)
    assert [row[0] for row in shown] == ["Lee Lead", "Rita Report"]
    assert all(row[2].startswith("Overdue") for row in shown), shown

    with page.expect_download() as download_info:
        activate(
            page, page.get_by_role("link", name="CSV file of your reporting line"), navigates=False
        )
    download = download_info.value
    assert download.suggested_filename == "reporting-line.csv"
    exported = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert exported[0] == ["Name", "Team", module.title]
    assert exported[1:] == shown

    # The auditor's exports are not for managers.
    assert_refused(
        page,
        reverse("certificates:auditor_export", args=["csv"]),
        reverse("certificates:auditor_zip") + "?person=Sam",
    )


@pytest.fixture
def two_certificates(people, quiz):
    return {key: pass_quiz(person=people[key], quiz=quiz) for key in ("staff", "other_staff")}


def test_auditor_filters_downloads_a_zip_and_a_file_is_checked_signed_out(
    page, people, module, two_certificates, tmp_path
):
    sams = two_certificates["staff"]
    sign_in(page, "ada.auditor")
    activate(page, page.get_by_role("link", name="Certificates"))
    page.audit.check()
    # Each has the module's certificate and, the module being the only one, base competence too.
    assert (
        f"{Certificate.objects.count()} certificates"
        in page.get_by_role("table").locator("caption").inner_text()
    )
    assert Certificate.objects.count() == 4

    # Filter by person, module and status, with the keyboard.
    tab_to(page, page.get_by_label("Person's name"))
    page.keyboard.type("Sam")
    choose_option(page, page.get_by_label("What it certifies"), label=f"Module: {module.title}")
    choose_option(page, page.get_by_label("Status"), label="Valid")
    activate(page, page.get_by_role("button", name="Apply filters"))
    page.audit.check()
    assert page.get_by_label("Person's name").input_value() == "Sam"
    table = page.get_by_role("table")
    assert "1 certificate" in table.locator("caption").inner_text()
    shown = _body_rows(table)
    assert [row[:2] for row in shown] == [[sams.serial, "Sam Staff"]]

    # The filtered list as a ZIP: the PDFs shown, and a manifest whose SHA-256 sums match them.
    with page.expect_download() as download_info:
        activate(
            page,
            page.get_by_role("link", name="Download these certificates (ZIP)"),
            navigates=False,
        )
    with zipfile.ZipFile(download_info.value.path()) as archive:
        manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8"))))
        assert [row["Serial"] for row in manifest] == [row[0] for row in shown]
        assert sorted(archive.namelist()) == sorted(
            ["manifest.csv", *(row["File"] for row in manifest)]
        )
        for row in manifest:
            pdf = archive.read(row["File"])
            assert pdf.startswith(b"%PDF")
            assert (
                hashlib.sha256(pdf).hexdigest()
                == row["SHA-256"]
                == Certificate.objects.get(serial=row["Serial"]).sha256
            )
        pdf_bytes = archive.read(manifest[0]["File"])
    original = tmp_path / "certificate.pdf"
    original.write_bytes(pdf_bytes)
    edited = tmp_path / "certificate-edited.pdf"
    edited.write_bytes(
        pdf_bytes.replace(b"Sam Staff", b"Sam Stuff")
        if b"Sam Staff" in pdf_bytes
        else pdf_bytes + b"\n%"
    )

    # The manager's export is not for auditors.
    assert_refused(page, reverse("team_dashboard") + "?status=overdue&export=csv")
    page.goto(reverse("certificates:auditor_list"))
    page.audit.check()

    # Signed out, anyone can check a file: the certificate as issued matches, an edited copy does not.
    sign_out(page)
    page.goto(reverse("certificates:check_file"))
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Check a certificate"
    _upload_by_keyboard(page, original)
    page.audit.check()
    assert (
        page.get_by_role("heading", level=1).inner_text() == "This file is a certificate we issued"
    )
    assert (
        sams.serial in page.locator("main").inner_text()
        and "This certificate is valid" in page.locator("main").inner_text()
    )

    activate(page, page.get_by_role("link", name="Check another certificate"))
    page.audit.check()
    _upload_by_keyboard(page, edited)
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"

    # Or type the code printed on it: nothing typed is explained; small letters and spaces are fine.
    activate(page, page.get_by_role("link", name="try again"))
    page.audit.check()
    activate(page, page.get_by_role("button", name="Check code"))
    page.audit.check()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert summary.evaluate("el => el === document.activeElement")
    assert summary.get_by_role("link").inner_text() == "Enter the verification code"
    tab_to(page, page.get_by_label("Enter the verification code"))
    page.keyboard.type(sams.code_for_reading.lower())
    press(page, "Enter")
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "This certificate is valid"
    assert sams.serial in page.locator("main").inner_text()


def _upload_by_keyboard(page, path):
    """The file input and its label are reached with the keyboard, and the focus shows. The file
    itself is set on the input: the operating system's file dialog that Space opens is not the
    page's, and whether (and when) a headless browser reports it differs between builds."""
    field = page.get_by_label("Upload a certificate PDF")
    tab_to(page, field)
    assert field.evaluate("el => el.type === 'file' && el.labels.length === 1"), (
        "the file input has no label of its own"
    )
    field.set_input_files(path)
    activate(page, page.get_by_role("button", name="Check file"))
