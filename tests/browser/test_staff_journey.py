"""A member of staff, with the keyboard alone: signs in, works through a module and its decision,
fails the quiz once, passes, downloads the certificate, and anyone can verify it logged out."""

import re
from pathlib import Path

from pypdf import PdfReader

from django.urls import reverse

from certificates.models import Certificate
from people.models import Person
from quizzes.models import Attempt
from tests.factories import OrganisationFactory

from .keyboard import activate, choose_radio, press, tab_to
from .steps import assert_admin_refused, assert_refused, sign_in, sign_out


def _option_index(question, *, correct):
    """Where the right (or a wrong) option sits in the order this attempt shows them."""
    return next(
        index for index, option in enumerate(question["options"]) if option["correct"] is correct
    )


def _error_summary_links(page):
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    # GOV.UK Frontend moves focus to the summary so that screen readers announce it at once.
    assert summary.evaluate("el => el === document.activeElement")
    return summary.locator("a")


def test_staff_member_completes_a_module_by_keyboard(page, people, quiz, module):
    staff = people["staff"]

    # Sign in: a wrong password is refused with an error summary, and the username typed stays.
    page.goto("/")
    page.audit.check()
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type("sam.staff")
    page.keyboard.press("Tab")
    page.keyboard.type("not-my-password")
    press(page, "Enter")
    page.audit.check()
    assert page.title().startswith("Error: Sign in")
    links = _error_summary_links(page)
    assert links.count() >= 1
    assert page.get_by_label("Username").input_value() == "sam.staff"
    assert page.get_by_label("Password").input_value() == ""  # never echoed back
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type("correct-horse-battery")
    press(page, "Enter")
    assert page.url.endswith("/")
    page.audit.check()

    # My learning: the module with its status, and no certificate yet.
    assert page.get_by_role("heading", level=1).inner_text() == "My learning"
    row = page.get_by_role("row").filter(has_text=module.title)
    assert "Not started" in row.inner_text()
    assert "You have no certificates yet" in page.content()

    # The module and its steps.
    activate(page, page.get_by_role("link", name=module.title))
    page.wait_for_url(re.compile(re.escape(module.url) + "$"))
    page.audit.check()
    activate(page, page.get_by_role("button", name="Start module"))
    page.wait_for_url(re.compile(r"/step/1/$"))
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Meet Jade"
    activate(page, page.get_by_role("button", name="Continue"))
    page.wait_for_url(re.compile(r"/step/2/$"))
    page.audit.check()

    # The decision: confirming without a choice explains what to do; then choose with the keyboard.
    activate(page, page.get_by_role("button", name="Confirm my choice"))
    page.audit.check()
    assert page.title().startswith("Error: ")
    error_link = _error_summary_links(page).first
    assert error_link.inner_text() == "Choose one of the options shown."
    # The summary's link takes the focus to the first option of the question.
    activate(page, error_link, navigates=False)
    assert page.locator("#choice-0").evaluate("el => el === document.activeElement")
    choose_radio(page, name="choice", index=0)
    activate(page, page.get_by_role("button", name="Confirm my choice"))
    page.wait_for_url(re.compile(r"/step/2/#feedback$"))
    page.audit.check()
    feedback = page.locator("#feedback")
    assert "This is what the policy expects." in feedback.inner_text()
    assert "under-16s need a parent's written consent" in feedback.inner_text()
    assert "clause 2.19" in feedback.inner_text()
    activate(page, page.get_by_role("button", name="Continue"))
    page.wait_for_url(
        re.compile(r"/step/3/(#feedback)?$")
    )  # the browser keeps the fragment through the redirect
    page.audit.check()
    activate(page, page.get_by_role("button", name="Continue"))
    page.wait_for_url(re.compile(r"#quiz$"))
    page.audit.check()

    # The quiz, first attempt: one unanswered question keeps the answers given, then a fail.
    activate(page, page.get_by_role("button", name="Take the quiz"))
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+/$"))
    page.audit.check()
    attempt = Attempt.objects.get(person=staff)
    first, second, third = attempt.questions
    choose_radio(page, name=f"q-{first['id']}", index=_option_index(first, correct=False))
    choose_radio(page, name=f"q-{second['id']}", index=_option_index(second, correct=False))
    activate(page, page.get_by_role("button", name="Submit my answers"))
    page.audit.check()
    error_links = _error_summary_links(page)
    assert error_links.count() == 1 and error_links.first.inner_text().startswith("Question 3:")
    assert (
        page.locator(f"input[name='q-{first['id']}']")
        .nth(_option_index(first, correct=False))
        .is_checked()
    )
    assert (
        page.locator(f"input[name='q-{second['id']}']")
        .nth(_option_index(second, correct=False))
        .is_checked()
    )
    activate(page, error_links.first, navigates=False)
    choose_radio(page, name=f"q-{third['id']}", index=_option_index(third, correct=False))
    activate(page, page.get_by_role("button", name="Submit my answers"))
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "You did not pass this time"
    results = page.locator(".govuk-summary-card")
    assert results.count() == 3
    # Right and wrong are said in words, never by colour alone, with the clause to re-read; the
    # answer the policy expects and the feedback wait until the quiz is passed. Questions are shown
    # shuffled: find a single-choice question's card by its text.
    single = next(question for question in attempt.questions if question["type"] == "single_choice")
    card = results.filter(has_text=single["text"])
    assert "not right" in card.inner_text()
    assert (
        "The answer the policy expects" not in page.content() and "Feedback 0" not in page.content()
    )
    assert "clause 2.19" in card.inner_text()
    assert not Certificate.objects.filter(person=staff).exists()

    # Second attempt: pass.
    activate(page, page.get_by_role("link", name="try the quiz again"))
    page.wait_for_url(re.compile(re.escape(module.url) + "$"))
    page.audit.check()
    activate(page, page.get_by_role("button", name="Take the quiz"))
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+/$"))
    page.audit.check()
    attempt = Attempt.objects.filter(person=staff, submitted_at__isnull=True).get()
    for question in attempt.questions:
        choose_radio(page, name=f"q-{question['id']}", index=_option_index(question, correct=True))
    activate(page, page.get_by_role("button", name="Submit my answers"))
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "You passed"
    # Now the key and its feedback show; questions are shuffled, so find a single-choice card by its text.
    single = next(question for question in attempt.questions if question["type"] == "single_choice")
    assert (
        "Feedback 0"
        in page.locator(".govuk-summary-card").filter(has_text=single["text"]).inner_text()
    )

    # The certificate: downloaded from My learning, its text read back from the PDF.
    certificate = Certificate.objects.get(person=staff, kind=Certificate.Kind.MODULE)
    activate(page, page.get_by_role("link", name="My learning"))
    page.wait_for_url(re.compile(r"/$"))
    page.audit.check()
    assert (
        "Passed, valid until" in page.get_by_role("row").filter(has_text=module.title).inner_text()
    )
    with page.expect_download() as download_info:
        activate(
            page,
            page.get_by_role("link", name=re.compile(f"Download certificate {certificate.serial}")),
            navigates=False,
        )
    download = download_info.value
    assert download.suggested_filename == f"certificate-{certificate.serial}.pdf"
    text = " ".join(pdf_page.extract_text() for pdf_page in PdfReader(Path(download.path())).pages)
    assert "Sam Staff" in text and module.title in text
    verify_path = reverse("certificates:verify", args=[certificate.code])
    assert verify_path in re.sub(r"\s+", "", text)

    # Staff are refused the other roles' pages.
    assert_refused(page, reverse("team_dashboard"), reverse("certificates:auditor_list"))
    assert_admin_refused(page)

    # Signed out, the link printed on the certificate says it is valid.
    page.goto("/")
    page.audit.check()
    sign_out(page)
    page.goto(verify_path)
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "This certificate is valid"
    assert "Sam Staff" in page.content() and module.title in page.content()


def test_sign_in_from_a_deep_link_returns_there(page, people, module):
    sign_in(page, "sam.staff", start_at=module.url)
    assert page.url.endswith(module.url)


def test_someone_whose_organisation_the_quiz_refuses_is_told_accessibly(page, people, quiz, module):
    """Staff of an organisation none of the quiz's questions apply to: *My learning* says the quiz
    is not available rather than a due date, and the module's page says so before its steps,
    both checked by axe like every other page."""
    Person.objects.filter(pk=people["staff"].pk).update(
        organisation=OrganisationFactory(code="northshire", name="Northshire Council")
    )
    sign_in(page, "sam.staff")
    row = page.get_by_role("row").filter(has_text=module.title)
    assert "Quiz not available to this organisation" in row.inner_text()
    page.goto(module.url)
    page.audit.check()
    inset = page.locator(".govuk-inset-text").filter(has_text="not take its quiz yet")
    assert inset.is_visible()
    assert "does not yet have enough questions on the policies" in inset.inner_text()
