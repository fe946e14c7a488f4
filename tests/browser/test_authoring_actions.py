"""How many actions it takes an L&D author to build a module and its quiz, counted in a real browser.

The author starts at the admin home, adds a module from its "Write a module" panel with two steps (a
narrative, and a decision with two choices resting on one clause, chosen once for the decision
through the clause chooser), saves a draft, creates its quiz from the message that says the module
has none, writes four questions of three types (single choice, two true/false, multiple response)
on the quiz's own screen, each citing a clause (once per question, which its options share), draws
two questions per attempt (so that the content checks pass: the bank is twice the draw), saves,
previews the quiz from its header and answers it, and submits the quiz and then the module for
review.

The module is left out of base competence: such a module cannot be submitted until its quiz is
published (``modules.publishing``), which needs a reviewer, so the journey would stop half-way.

An action is one gesture of the author's: a click, typing into one field, a choice of a radio,
checkbox or drop-down option, a key press that submits, an address typed in. What a gesture makes
the page do (a navigation, a form shown) is not another action. Every gesture goes through
``Author``, which counts it and then makes it, so the count is what the test does."""

import re
from collections import Counter

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from modules.models import ModulePage
from modules.services import module_index_ensure, roles_sync
from quizzes.models import Quiz
from tests.factories import PolicyClauseFactory

from .steps import PASSWORD, wait_for_saved

ACTIONS_MOST = 40


class ActionBudgetExceeded(AssertionError):
    """The journey worked, but took more actions than authoring at speed allows."""


class Author:
    """The author's hands: each method is one counted action, then the real Playwright call."""

    def __init__(self, page):
        self.page = page
        self.actions = 0
        self.by_phase = Counter()
        self.phase = "start"

    def _count(self):
        self.actions += 1
        self.by_phase[self.phase] += 1

    def visit(self, path):
        self._count()
        self.page.goto(path)

    def click(self, locator):
        self._count()
        locator.click()

    def fill(self, locator, text):
        self._count()
        locator.fill(text)

    def tick(self, locator):
        self._count()
        try:
            locator.check()
        except PlaywrightError as error:
            # Seen once, in a CI run under load (and not in ten loaded runs since): the click
            # was made and the box stayed empty. The cause is not known; Wagtail's autosave
            # re-renders parts of the editor while the author types, which is one candidate.
            # An author who sees the box still empty ticks it again, and so does the test,
            # without counting it: the count is of the journey's gestures, not of a lost
            # click. A box that never ticks still fails here.
            if "did not change its state" not in str(error):
                raise
            locator.check()

    def choose(self, select, *, label):
        self._count()
        select.select_option(label=label)

    def press(self, locator, key):
        self._count()
        locator.press(key)

    def choose_clause(self, field_id, clause):
        """Open the chooser beside the field (one action) and pick the clause (another)."""
        page = self.page
        self.click(
            page.locator(f"#{field_id}")
            .locator("xpath=ancestor::*[.//button[contains(., 'Choose')]][1]")
            .get_by_role("button", name=re.compile("^Choose"))
        )
        modal = page.locator(".modal-content")
        self.click(modal.get_by_role("link", name=re.compile(re.escape(clause.heading))).first)
        expect(modal).to_be_hidden()

    def add_block(self, add_button, label):
        """A stream's "+" (one action) and the kind of block from its picker (another)."""
        self.click(add_button)
        self.click(self.page.locator("[data-tippy-root]").get_by_role("option", name=label))


@pytest.fixture
def catalogue(people):
    """The catalogue, with the module review workflow on it (roles_sync attaches the workflow to
    the catalogue it finds)."""
    index = module_index_ensure()
    roles_sync()
    return index


@pytest.fixture
def clauses(db):
    return [
        PolicyClauseFactory(reference="2.19", heading="Contacting children on WhatsApp"),
        PolicyClauseFactory(reference="2.20", heading="Recording a parent's consent"),
    ]


def _write_module(author, clauses):
    page = author.page
    author.fill(page.locator("#id_title"), "Messaging families")
    author.fill(page.locator("#id_summary"), "When you may message a child or their parent.")

    steps_add = page.locator("#panel-child-content-steps-section button.c-sf-add-button")
    author.add_block(steps_add.last, "Narrative")
    author.fill(page.locator("#steps-0-value-heading"), "Meet Jade")
    author.fill(page.get_by_role("textbox", name="Body"), "Jade is 14 and in foster care.")

    author.add_block(steps_add.last, "Decision")
    decision = "steps-1-value"
    author.fill(page.locator(f"#{decision}-heading"), "Jade asks to use WhatsApp")
    author.fill(page.get_by_role("textbox", name="Situation"), "Jade asks if she can message you.")
    choices = [
        ("Agree once a parent consents in writing", "You record consent.", True),
        ("Agree straight away", "Your manager raises it.", False),
    ]
    for index, (text, consequence, right) in enumerate(choices):
        choice = f"{decision}-choices-{index}-value"
        author.fill(page.locator(f"#{choice}-text"), text)
        author.fill(page.locator(f"#{choice}-consequence"), consequence)
        author.fill(page.locator(f"#{choice}-feedback"), f"Under 16s need consent: {text}.")
        if right:
            author.tick(page.locator(f"#{choice}-is_correct"))
            # The quiz asks about recording consent too, so the module must teach it: the right
            # choice rests on that clause as well as on the decision's.
            author.choose_clause(f"{choice}-clause", clauses[1])
    author.choose_clause(f"{decision}-clause", clauses[0])


def _write_questions(author, clauses):
    page = author.page
    questions_add = page.locator(
        "#panel-child-questions-question_editor-section button.c-sf-add-button"
    )

    def with_options(number, kind, text, options):
        author.add_block(questions_add.last, kind)
        question = f"question_editor-{number}-value"
        author.fill(page.locator(f"#{question}-text"), text)
        for index, (option_text, right) in enumerate(options):
            option = f"{question}-options-{index}-value"
            author.fill(page.locator(f"#{option}-text"), option_text)
            if right:
                author.tick(page.locator(f"#{option}-is_correct"))
            author.fill(page.locator(f"#{option}-feedback"), f"Because: {option_text}.")
        author.choose_clause(f"{question}-clause", clauses[0])

    def true_or_false(number, text, answer):
        author.add_block(questions_add.last, "True or false")
        question = f"question_editor-{number}-value"
        author.fill(page.locator(f"#{question}-text"), text)
        author.click(
            page.locator(f"#{question}-answer").locator("xpath=..").get_by_label(answer)
            if page.locator(f"#{question}-answer").count()
            else page.locator(f"input[name='{question}-answer'][value='{answer.lower()}']")
        )
        author.fill(page.locator(f"#{question}-feedback_true"), "A parent must agree first.")
        author.fill(page.locator(f"#{question}-feedback_false"), "Right: a parent must agree.")
        author.choose_clause(f"{question}-clause", clauses[1])

    with_options(
        0,
        "Single choice",
        "Who agrees before you message a child under 16?",
        [("A parent, in writing", True), ("The child", False)],
    )
    true_or_false(1, "A child's consent is enough.", "False")
    true_or_false(2, "You record a parent's consent.", "True")
    with_options(
        3,
        "Multiple response",
        "Which may you do once a parent agrees?",
        [("Message the child", True), ("Add the child to a group", False)],
    )


# Each question's right answer, as the author wrote it.
RIGHT_ANSWERS = {
    "Who agrees before you message a child under 16?": "A parent, in writing",
    "A child's consent is enough.": "False",
    "You record a parent's consent.": "True",
    "Which may you do once a parent agrees?": "Message the child",
}


def _answer_preview(author):
    """Answer each question drawn right, with one gesture: the author knows the key."""
    page = author.page
    fieldsets = page.locator("form[method=post] fieldset").all()
    assert len(fieldsets) == 2, "the preview draws two questions, as set"
    for fieldset in fieldsets:
        legend = fieldset.locator("legend").inner_text()
        question = next(text for text in RIGHT_ANSWERS if text in legend)
        author.tick(fieldset.get_by_label(RIGHT_ANSWERS[question], exact=True))


def _submit_for_review(author):
    page = author.page
    author.click(page.get_by_role("button", name="More actions"))
    author.click(page.get_by_role("button", name="Submit to Module review"))


# The journey itself must work: any other failure fails the test. Only the budget is not met yet
# (76 actions, 34 of them writing the content: its fields and right answers); strict, so that
# meeting it fails here until this marker is removed.
@pytest.mark.xfail(
    raises=ActionBudgetExceeded,
    strict=True,
    reason="authoring takes 76 actions, not yet at most 40",
)
def test_an_author_builds_a_module_and_its_quiz_within_forty_actions(
    page, people, catalogue, clauses
):
    author = Author(page)

    author.phase = "sign in"
    author.visit("/admin/")
    page.audit.check()
    author.fill(page.get_by_label("Username"), "alex.author")
    author.fill(page.get_by_label("Password"), PASSWORD)
    with page.expect_navigation(wait_until="load"):
        author.press(page.get_by_label("Password"), "Enter")
    page.audit.check_admin()

    author.phase = "find the catalogue"
    author.click(page.get_by_role("link", name="Add a module"))
    page.wait_for_url(re.compile(rf"/admin/pages/add/modules/modulepage/{catalogue.pk}/"))
    page.audit.check_admin()

    author.phase = "module"
    _write_module(author, clauses)
    author.click(page.get_by_role("button", name="Save draft"))
    wait_for_saved(page, re.compile(r"/admin/pages/\d+/edit/"))
    page.audit.check_admin()
    module = ModulePage.objects.get(title="Messaging families")
    assert not module.base_competence and not module.live
    decision = module.get_latest_revision_as_object().steps[1].value
    assert decision["key"], "the decision's key is made from its heading"
    assert [choice["clause"] for choice in decision["choices"]] == [clauses[1], clauses[0]]
    assert [choice["is_correct"] for choice in decision["choices"]] == [True, False]

    author.phase = "quiz"
    author.click(page.get_by_role("link", name="Create the quiz"))
    page.wait_for_url(re.compile(r"/admin/snippets/quizzes/quiz/add/\?module="))
    expect(page.locator("#id_title")).to_have_value("Messaging families: quiz")
    _write_questions(author, clauses)
    author.fill(page.locator("#id_questions_per_attempt"), "2")
    page.audit.check_admin()
    author.click(page.get_by_role("button", name="Save draft"))
    wait_for_saved(page, re.compile(r"/admin/snippets/quizzes/quiz/edit/\d+/"))
    page.audit.check_admin()
    quiz = Quiz.objects.get(module=module)
    kinds = sorted(question.get_real_instance().question_type for question in quiz.questions.all())
    assert kinds == ["multiple_response", "single_choice", "true_false", "true_false"]
    cited = {
        option.clause_id
        for question in quiz.questions.all()
        for option in question.get_real_instance().options.all()
    }
    assert cited == {clauses[0].pk}, "each option cites the clause chosen once for its question"

    author.phase = "preview"
    with page.expect_navigation(wait_until="load"):
        author.click(
            page.get_by_role("navigation", name="Actions", exact=True).get_by_role(
                "link", name="Preview quiz"
            )
        )
    page.audit.check()
    _answer_preview(author)
    with page.expect_navigation(wait_until="load"):
        author.click(page.get_by_role("button", name="Submit my answers"))
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "You passed"
    with page.expect_navigation(wait_until="load"):
        author.click(page.get_by_role("link", name="Back to editing the quiz").last)
    page.audit.check_admin()

    author.phase = "submit"
    _submit_for_review(author)
    page.wait_for_url(re.compile(r"/admin/snippets/quizzes/quiz/"))
    page.audit.check_admin()
    author.click(page.get_by_role("link", name="Edit the module"))
    page.wait_for_url(re.compile(rf"/admin/pages/{module.pk}/edit/"))
    page.audit.check_admin()
    _submit_for_review(author)
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    page.audit.check_admin()

    module.refresh_from_db()
    quiz.refresh_from_db()
    for content in (module, quiz):
        state = content.current_workflow_state
        assert state is not None and state.status == "in_progress", f"{content} is not in review"
        assert state.requested_by == people["author"].user
    phases = ", ".join(f"{phase} {count}" for phase, count in author.by_phase.items())
    print(f"\nAuthoring actions: {author.actions} ({phases})")
    if author.actions > ACTIONS_MOST:
        raise ActionBudgetExceeded(
            f"building the module and its quiz took {author.actions} actions ({phases}); "
            f"at most {ACTIONS_MOST} are allowed"
        )
