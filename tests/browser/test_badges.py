"""Open Badges in the browser: the holder downloads the badge beside the PDF on My learning, and
anyone, signed out, checks it on the public page: a good one, nothing at all, and a changed one.
Every page is checked with axe and used with the keyboard alone."""

import re
from pathlib import Path

from django.urls import reverse

from certificates.badges import badge_verify

from .keyboard import activate, tab_to
from .steps import pass_quiz, sign_in, sign_out


def test_holder_downloads_the_badge_and_anyone_checks_it(page, people, module, quiz):
    certificate = pass_quiz(person=people["staff"], quiz=quiz)
    sign_in(page, "sam.staff")
    with page.expect_download() as download_info:
        activate(
            page,
            page.get_by_role("link", name=f"Open Badge for certificate {certificate.serial}"),
            navigates=False,
        )
    download = download_info.value
    assert download.suggested_filename == f"badge-{certificate.serial}.jwt"
    token = Path(download.path()).read_text()
    assert badge_verify(token=token).certificate == certificate

    sign_out(page)
    page.goto(reverse("certificates:badge_check"))
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Check an Open Badge"

    # Nothing given: the error summary takes the focus and links to the field.
    activate(page, page.get_by_role("button", name="Check badge"))
    page.audit.check()
    assert page.title().startswith("Error: ")
    assert (
        "Paste the badge, or upload its file" in page.locator(".govuk-error-summary").inner_text()
    )

    # A changed badge: refused with a reason.
    field = page.get_by_label("Paste the badge")
    tab_to(page, field)
    field.fill(token[:-8] + ("A" * 8 if not token.endswith("A" * 8) else "B" * 8))
    activate(page, page.get_by_role("button", name="Check badge"))
    page.audit.check()
    assert page.title().startswith("Error: ")

    # The badge as downloaded: genuine and valid.
    field = page.get_by_label("Paste the badge")
    tab_to(page, field)
    field.fill(token)
    activate(page, page.get_by_role("button", name="Check badge"))
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "This badge is genuine and valid"
    assert re.search(certificate.serial, page.locator("main").inner_text())
