"""Line managers and auditors, with the pages that exist so far: the manager sees a report's new
status; the auditor lists and downloads certificates. Each is refused the other roles' pages."""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from django.urls import reverse

from certificates.models import Certificate
from people.services import team_get_or_create
from quizzes.services import attempt_submit
from tests.factories import attempt_begin

from .keyboard import activate, press, tab_to
from .steps import assert_admin_refused, assert_content_admin_refused, assert_refused, sign_in


@pytest.fixture
def passed_certificate(people, quiz):
    """Sam Staff has passed the module's quiz and holds its certificate."""
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    answers = {
        str(question["id"]): [
            next(option["id"] for option in question["options"] if option["correct"])
        ]
        for question in attempt.questions
    }
    attempt_submit(attempt=attempt, answers=answers)
    return Certificate.objects.get(person=people["staff"], kind=Certificate.Kind.MODULE)


def test_manager_sees_the_new_status_of_their_reporting_line(
    page, people, module, passed_certificate
):
    sign_in(page, "maria.manager")
    activate(page, page.get_by_role("link", name="My team"))
    page.audit.check()
    table = page.get_by_role("table")
    assert "3 people in your reporting line" in table.locator("caption").inner_text()
    assert (
        "Passed, valid until" in table.get_by_role("row").filter(has_text="Sam Staff").inner_text()
    )
    assert "Not started" in table.get_by_role("row").filter(has_text="Rita Report").inner_text()
    assert "Oscar Other" not in table.inner_text()  # another manager's line

    activate(page, page.get_by_role("link", name="Sam Staff"))
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Sam Staff"
    assert "Passed, valid until" in page.get_by_role("table").inner_text()

    # Outside their line, and the auditor's and author's pages: refused.
    assert_refused(
        page,
        reverse("team_member", args=[people["other_staff"].pk]),
        reverse("certificates:auditor_list"),
        reverse("certificates:download", args=[passed_certificate.serial]),
    )
    assert_admin_refused(page)


def test_auditor_lists_and_downloads_certificates(page, people, module, passed_certificate):
    sign_in(page, "ada.auditor")
    activate(page, page.get_by_role("link", name="Certificates"))
    page.audit.check()
    row = page.get_by_role("row").filter(has_text=passed_certificate.serial)
    assert "Sam Staff" in row.inner_text() and "Valid" in row.inner_text()

    with page.expect_download() as download_info:
        activate(
            page,
            row.get_by_role("link", name=f"Download certificate {passed_certificate.serial} (PDF)"),
            navigates=False,
        )
    text = " ".join(
        pdf_page.extract_text() for pdf_page in PdfReader(Path(download_info.value.path())).pages
    )
    assert "Sam Staff" in text and module.title in text

    # The team is typed, not picked from every team: words that fit two teams bring both, as
    # links that filter by each.
    team_get_or_create(name="Family court north")
    tab_to(page, page.get_by_role("textbox", name="Team"))
    page.keyboard.type("family court")
    press(page, "Enter")
    page.audit.check()
    summary = page.get_by_role("link", name="More than one team's name contains “family court”")
    expect(summary).to_be_visible()
    activate(page, page.get_by_role("link", name="Family court team", exact=True))
    page.audit.check()
    expect(page.get_by_role("textbox", name="Team")).to_have_value("Family court team")
    expect(page.get_by_role("row").filter(has_text=passed_certificate.serial)).to_be_visible()

    assert_refused(page, reverse("team_dashboard"))
    assert_content_admin_refused(page, module)
