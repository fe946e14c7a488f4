"""Steps that several journeys share. Each step that lands on a page of the service checks it with axe."""

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from certificates.models import Certificate
from quizzes.services import attempt_submit
from tests.factories import attempt_begin

from .keyboard import activate, press, tab_to

PASSWORD = "correct-horse-battery"


def wait_for_saved(page, url, *, timeout=None):
    """Wait for the page a form's save leads to (``url``, a pattern); if the form came back
    instead, fail saying what it says is wrong, not just that the wait ran out."""
    try:
        page.wait_for_url(url, timeout=timeout)
    except PlaywrightTimeoutError:
        said = page.locator(
            ".messages, .error-message, .help-critical, .w-field__errors, [role=alert]"
        ).all_inner_texts()
        raise AssertionError(
            f"The save did not lead to {url.pattern}: the page is {page.url}, saying {said}"
        ) from None


def sign_in(page, username, *, password=PASSWORD, start_at="/"):
    """Go to ``start_at``, get sent to the sign-in page, and sign in with the keyboard alone."""
    page.goto(start_at)
    page.audit.check()
    assert "/accounts/login/" in page.url
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    press(page, "Enter")
    page.audit.check()


def sign_out(page):
    activate(page, page.get_by_role("button", name="Sign out"))
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.audit.check()


def assert_refused(page, *paths):
    """Another role's pages: not found, exactly like a page that does not exist."""
    for path in paths:
        response = page.goto(path)
        page.audit.check()
        assert response.status == 404, f"{path} answered {response.status}, not 404"
        assert page.get_by_role("heading", level=1).inner_text() == "Page not found"


def assert_admin_refused(page):
    """The content admin is only for L&D authors: anyone else is sent to its sign-in page."""
    page.goto("/admin/")
    assert "/admin/login/" in page.url


def assert_content_admin_refused(page, module):
    """Auditors open the admin for the compliance reports only: editing content is refused."""
    page.goto(f"/admin/pages/{module.pk}/edit/")
    assert page.url.rstrip("/").endswith("/admin")


def pass_quiz(*, person, quiz):
    """``person`` answers every question of ``quiz`` right (without the browser) and holds its certificate."""
    attempt = attempt_begin(person=person, quiz=quiz)
    answers = {
        str(question["id"]): [
            next(option["id"] for option in question["options"] if option["correct"])
        ]
        for question in attempt.questions
    }
    attempt_submit(attempt=attempt, answers=answers)
    return Certificate.objects.get(person=person, kind=Certificate.Kind.MODULE)
