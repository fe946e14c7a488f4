"""An ordering question without a mouse: each step's position is a drop-down set with the arrow keys."""

import re

from django.urls import reverse

from quizzes.models import Attempt
from tests.factories import QuizFactory, attempt_begin, ordering_create

from .keyboard import activate, choose_option
from .steps import sign_in


def test_staff_member_orders_steps_by_keyboard(page, people, module, clause):
    quiz = QuizFactory(module=module)
    ordering_create(quiz=quiz, clause=clause, n_items=3)  # "Step 1" .. "Step 3", in that order
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    shown = [option["text"] for option in attempt.questions[0]["options"]]

    sign_in(page, "sam.staff", start_at=reverse("quizzes:attempt", args=[attempt.pk]))
    assert page.get_by_role("heading", level=1).is_visible()
    assert "Give each step its position, 1 for the first." in page.locator("main").inner_text()

    # Two steps in the same place: refused with the design system's error, the positions kept.
    for text in shown:
        choose_option(
            page, page.get_by_label(text, exact=True), label="1" if text != "Step 3" else "3"
        )
    activate(page, page.get_by_role("button", name="Submit my answers"))
    page.audit.check()
    assert page.title().startswith("Error: ")
    assert (
        "Give each step a different position." in page.locator(".govuk-error-summary").inner_text()
    )
    assert page.get_by_label("Step 3", exact=True).evaluate("el => el.value") == "3"

    # The right order, from the keyboard: step n in position n.
    for text in shown:
        choose_option(page, page.get_by_label(text, exact=True), label=text.removeprefix("Step "))
    activate(page, page.get_by_role("button", name="Submit my answers"))
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "You passed"
    submitted = Attempt.objects.get(pk=attempt.pk)
    assert submitted.passed and submitted.score == submitted.max_score
    assert re.search(r"/quizzes/attempts/\d+/", page.url)
