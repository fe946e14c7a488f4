"""An L&D author previews the quiz from its edit screen: answers it as a learner would, by
keyboard, and sees the score with the whole key; nothing is recorded."""

from playwright.sync_api import expect

from django.urls import reverse

from quizzes.models import AnsweredQuestion, Attempt

from .keyboard import activate, choose_radio
from .steps import sign_in

# In the ``quiz`` fixture, "Option 0" is right in each single-choice question and "True" in the
# true/false question.
RIGHT_LABELS = ("Option 0", "True")


def _right_choices(page):
    """(radio group name, index of the right option as shown) for each question, in page order."""
    choices = []
    for fieldset in page.locator("form[method=post] fieldset").all():
        radios = fieldset.locator("input[type=radio]")
        labels = [
            fieldset.locator(f"label[for='{radio.get_attribute('id')}']").inner_text().strip()
            for radio in radios.all()
        ]
        index = next(i for i, label in enumerate(labels) if label in RIGHT_LABELS)
        choices.append((radios.first.get_attribute("name"), index))
    return choices


def test_author_previews_the_quiz_from_its_edit_screen(page, people, quiz):
    edit_url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])
    sign_in(page, "alex.author", start_at=f"/accounts/login/?next={edit_url}")
    assert page.url.endswith(edit_url)

    # In the header, and in the actions menu beside Save draft.
    preview_url = reverse("quizzes:preview", args=[quiz.pk])
    expect(
        page.locator(f"nav[aria-label='Actions (footer)'] a[href='{preview_url}']")
    ).to_have_count(1)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("navigation", name="Actions", exact=True).get_by_role(
            "link", name="Preview quiz"
        ).click()
    page.audit.check()
    assert page.url.endswith(reverse("quizzes:preview", args=[quiz.pk]))
    assert "Nothing you answer here is recorded." in page.locator("main").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == quiz.title

    choices = _right_choices(page)
    assert len(choices) == 3
    for name, index in choices:
        choose_radio(page, name=name, index=index)
    activate(page, page.get_by_role("button", name="Submit my answers"))
    page.audit.check()

    assert page.get_by_role("heading", level=1).inner_text() == "You passed"
    main = page.locator("main").inner_text()
    assert "3.00 out of 3 (100%)" in main
    # The feedback of the options chosen, and the key, as after a pass.
    assert "Feedback 0" in main and "Feedback true" in main
    assert Attempt.objects.count() == 0
    assert AnsweredQuestion.objects.count() == 0

    # Back to the editor from the result.
    activate(page, page.get_by_role("link", name="Back to editing the quiz").last)
    assert page.url.endswith(edit_url)
