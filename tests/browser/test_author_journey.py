"""An L&D author edits a module's decision in the Wagtail admin, previews it and submits it for
review; once a reviewer approves it, staff who start afterwards see the new text, while someone
part-way through keeps the version they began."""

import re

from playwright.sync_api import expect

from django.urls import reverse

from lms import roles
from modules.services import module_progress_start
from people.services import person_create
from quizzes.models import Quiz
from tests.factories import OrganisationFactory

from .keyboard import activate
from .steps import assert_refused, sign_in, sign_out

NEW_HEADING = "Jade asks to message you on WhatsApp at night"
NEW_FEEDBACK = "Right: a parent must agree in writing first for anyone under 16."


def _open_decision_step(page, module):
    """As staff: start the module and go on to its decision (step 2)."""
    page.goto(module.url)
    page.audit.check()
    activate(
        page, page.get_by_role("button", name=re.compile("Start module|Continue where you stopped"))
    )
    page.audit.check()
    if "/step/1/" in page.url:
        activate(page, page.get_by_role("button", name="Continue"))
        page.audit.check()
    assert page.url.endswith("/step/2/")


def test_author_edits_previews_and_publishes_a_decision(page, new_page, people, reviewer, module):
    # Outside base competence, so that its approval needs no quiz (tests/modules/test_four_eyes.py).
    module.base_competence = False
    module.save_revision().publish()
    # Someone starts the module before the edit: their run is pinned to the version they began.
    module_progress_start(person=people["staff"], module=module)

    sign_in(page, "alex.author", start_at=f"/accounts/login/?next=/admin/pages/{module.pk}/edit/")
    assert page.url.endswith(f"/admin/pages/{module.pk}/edit/")
    page.locator("#steps-1-value-heading").fill(NEW_HEADING)
    page.locator("#steps-1-value-choices-0-value-feedback").fill(NEW_FEEDBACK)

    # Preview: the side panel shows every step with the unsaved edit.
    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("iframe[title='Preview']").first
    preview.get_by_role("heading", name=NEW_HEADING).wait_for()
    assert NEW_FEEDBACK in preview.locator("main").inner_text()
    page.audit.check_frame(
        page.locator("iframe[title='Preview']").first.element_handle().content_frame()
    )

    # Four eyes: the author has no Publish; they submit it, and a reviewer approves it.
    page.get_by_role("button", name="More actions").click()
    assert page.get_by_role("button", name="Publish").count() == 0
    page.get_by_role("button", name="Submit to Module review").click()
    # The edit page's own address matches /admin/pages/N/ too: wait for the one submitting leads to.
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    module.refresh_from_db()
    assert module.live_revision is None or NEW_HEADING not in str(module.live_revision.content)
    task_state = module.current_workflow_task_state
    task_state.task.specific.on_action(task_state, reviewer.user, "approve")
    module.refresh_from_db()
    assert NEW_HEADING in str(module.live_revision.content)

    # The author may not see the other roles' pages.
    page.goto("/")
    page.audit.check()
    assert_refused(page, reverse("team_dashboard"), reverse("certificates:auditor_list"))
    sign_out(page)

    # A member of staff who joins after publishing sees the new decision and its feedback.
    person_create(
        username="nia.new",
        first_name="Nia",
        last_name="New",
        email="nia.new@example.org",
        password="correct-horse-battery",
        roles_held=[roles.STAFF],
        line_manager=people["manager"],
        organisation=OrganisationFactory(),
    )
    newcomer = new_page()
    sign_in(newcomer, "nia.new")
    _open_decision_step(newcomer, module)
    assert newcomer.get_by_role("heading", level=1).inner_text() == NEW_HEADING
    activate(
        newcomer,
        newcomer.get_by_label("Agree once a parent consents in writing"),
        key="Space",
        navigates=False,
    )
    activate(newcomer, newcomer.get_by_role("button", name="Confirm my choice"))
    newcomer.audit.check()
    assert NEW_FEEDBACK in newcomer.locator("#feedback").inner_text()

    # Whoever had already started keeps the decision as it was when they began.
    earlier = new_page()
    sign_in(earlier, "sam.staff")
    _open_decision_step(earlier, module)
    assert earlier.get_by_role("heading", level=1).inner_text() == "Jade asks to use WhatsApp"


def _choose_clause(page, field_id, clause):
    page.locator(f"#{field_id}").locator(
        "xpath=ancestor::*[.//button[contains(., 'Choose')]][1]"
    ).get_by_role("button", name=re.compile("^Choose")).click()
    modal = page.locator(".modal-content")
    modal.get_by_role("link", name=re.compile(re.escape(clause.heading))).first.click()
    expect(modal).to_be_hidden()


def _tick(page, box):
    """Tick a checkbox or choose a radio button from the keyboard. A click is aimed at where the
    box was a moment before, and the editor above it can still be moving then (a chooser showing
    the clause just chosen): in CI a click once landed beside the radio button and chose
    nothing."""
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()


def _add_question(page, label):
    page.locator(
        "#panel-child-questions-question_editor-section button.c-sf-add-button"
    ).last.click()
    page.locator("[data-tippy-root]").get_by_role("option", name=label).click()


def test_author_creates_a_quiz_from_its_module_with_questions_on_one_screen(
    page, people, module, clause
):
    sign_in(page, "alex.author", start_at=f"/accounts/login/?next=/admin/pages/{module.pk}/edit/")
    page.get_by_role("navigation", name="Actions", exact=True).get_by_role(
        "button", name="Actions"
    ).click()
    page.get_by_role("link", name="Create the quiz").click()
    page.wait_for_url(re.compile(r"/admin/snippets/quizzes/quiz/add/\?module="))
    expect(page.locator("#id_title")).to_have_value(f"{module.title}: quiz")

    # A single-choice question: it starts with the two options it needs, and no error in red.
    _add_question(page, "Single choice")
    question = "#question_editor-0-value"
    expect(page.locator(f"{question}-options-1-value-text")).to_be_visible()
    assert page.get_by_text("The minimum number of items").count() == 0
    page.locator(f"{question}-text").fill("Who agrees before you message a child?")
    for index, (text, keyed) in enumerate([("A parent, in writing", True), ("The child", False)]):
        option = f"{question}-options-{index}-value"
        page.locator(f"{option}-text").fill(text)
        if keyed:
            _tick(page, page.locator(f"{option}-is_correct"))
        page.locator(f"{option}-feedback").fill(f"Because: {text}")
        _choose_clause(page, f"{option[1:]}-clause", clause)

    # A true/false question: True or False is chosen, never assumed.
    _add_question(page, "True or false")
    statement = "#question_editor-1-value"
    page.locator(f"{statement}-text").fill("A child's consent is enough.")
    _tick(page, page.get_by_role("radio", name="False"))
    page.locator(f"{statement}-feedback_true").fill("No: a parent must agree.")
    page.locator(f"{statement}-feedback_false").fill("Right: a parent must agree.")
    _choose_clause(page, f"{statement[1:]}-clause", clause)
    page.audit.check_admin()

    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/admin/snippets/quizzes/quiz/edit/\d+/"))
    page.audit.check_admin()
    quiz = Quiz.objects.get(module=module)
    questions = [question.get_real_instance() for question in quiz.questions.order_by("sort_order")]
    assert [question.question_type for question in questions] == ["single_choice", "true_false"]
    assert [option.is_correct for option in questions[0].options.order_by("sort_order")] == [
        True,
        False,
    ]
    assert questions[1].correct_answer is False and not questions[1].live
