"""Checks as you write, in the quiz editor: warnings while drafting, refusals on submitting."""

import json
import re

import pytest

from django.urls import reverse
from django.utils import timezone

from quizzes.content_checks import feedback_problems
from quizzes.models import Option, Question, Quiz
from quizzes.selectors import quiz_bank, quiz_check_problems
from tests.factories import (
    PolicyClauseFactory,
    PolicyDocumentFactory,
    default_steps,
    single_choice_create,
)
from tests.quizzes.test_admin import _quiz_form

pytestmark = pytest.mark.django_db

KEYS_PILED_UP = "The first option is the right answer in 2 of the 2 single-choice questions"


@pytest.fixture
def author_client(client_for, people):
    return client_for(people["author"])


def _edit_url(quiz):
    return reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])


def _checks_panel(html):
    start = html.index("data-content-checks")
    return html[start : html.index("</div>", start)]


def _keys_spread(quiz):
    """Moves the second single-choice question's key to its second option."""
    second = quiz.questions.get(sort_order=1)
    Option.objects.filter(question=second).update(is_correct=False)
    Option.objects.filter(question=second, sort_order=1).update(is_correct=True)


def test_the_quiz_editor_shows_the_checks_as_warnings(author_client, quiz):
    Option.objects.filter(question__quiz=quiz, sort_order=2).update(feedback="  ")
    panel = _checks_panel(author_client.get(_edit_url(quiz)).content.decode())
    assert KEYS_PILED_UP in panel
    assert "gives no feedback for option 3" in panel
    assert 'id="clause-chooser-quiz"' in author_client.get(_edit_url(quiz)).content.decode()


def test_saving_a_draft_with_problems_goes_through(author_client, quiz):
    response = author_client.post(_edit_url(quiz), _quiz_form(quiz))
    assert response.status_code == 302


@pytest.mark.parametrize("action", ["action-submit", "action-publish"])
def test_submitting_or_publishing_a_quiz_with_problems_is_refused_with_them_listed(
    author_client, quiz, action
):
    revisions = quiz.revisions.count()
    response = author_client.post(_edit_url(quiz), {**_quiz_form(quiz), action: action})
    assert response.status_code == 200
    assert KEYS_PILED_UP in response.content.decode()
    quiz = Quiz.objects.get(pk=quiz.pk)
    assert quiz.current_workflow_state is None
    assert quiz.revisions.count() == revisions  # nothing of the refused form was saved


def test_settings_posted_with_the_submission_are_the_ones_checked(author_client, quiz):
    _keys_spread(quiz)
    # Three questions cannot give two per attempt with room for a retry.
    response = author_client.post(
        _edit_url(quiz), {**_quiz_form(quiz, total="2"), "action-submit": "action-submit"}
    )
    assert response.status_code == 200
    assert "it needs at least 4 so that a retry can see different questions" in (
        response.content.decode()
    )


def test_a_quiz_that_passes_the_checks_is_submitted_into_the_review_workflow(author_client, quiz):
    _keys_spread(quiz)
    assert quiz_check_problems(quiz=quiz) == []
    panel = _checks_panel(author_client.get(_edit_url(quiz)).content.decode())
    assert "find nothing to put right" in panel
    response = author_client.post(
        _edit_url(quiz), {**_quiz_form(quiz), "action-submit": "action-submit"}
    )
    assert response.status_code == 302
    assert Quiz.objects.get(pk=quiz.pk).current_workflow_state.status == "in_progress"


def test_a_question_citing_another_organisations_clause_is_named(quiz, clause):
    _keys_spread(quiz)
    elsewhere = PolicyClauseFactory(
        document=PolicyDocumentFactory(organisation="Hertfordshire County Council"),
        reference="5.1",
    )
    question = quiz.questions.get(sort_order=0)
    Option.objects.filter(question=question, sort_order=2).update(clause=elsewhere)
    problems = quiz_check_problems(quiz=quiz)
    assert len(problems) == 2
    assert "“First question?” is about Cafcass's policy" in problems[0]
    assert "from Hertfordshire County Council" in problems[0]
    # Nor does the module teach it.
    assert f"“First question?” tests {elsewhere.document.label}:5.1, which no step" in problems[1]


UNTAUGHT = "which no step of the module teaches"


def _module_steps_draft(module, steps):
    """The module's steps changed in a draft revision, as an author saving it leaves them."""
    draft = module.get_latest_revision_as_object()
    draft.steps = json.dumps(steps)
    draft.save_revision()


def test_a_question_on_a_clause_the_module_does_not_teach_is_named(quiz, clause):
    _keys_spread(quiz)
    untaught = PolicyClauseFactory(document=clause.document, reference="2.20")
    question = quiz.questions.get(sort_order=1)
    Option.objects.filter(question=question, sort_order=2).update(clause=untaught)
    assert quiz_check_problems(quiz=quiz) == [
        f"Question “Second question?” tests {clause.document.label}:2.20, {UNTAUGHT}; cite it in "
        "a step (a policy extract or a key rule), or take the question out."
    ]


def test_the_module_as_being_written_is_what_teaches(quiz, clause):
    """A step added in the module's draft teaches the clause; a step taken out of it no longer
    does, though the live module still has it."""
    _keys_spread(quiz)
    untaught = PolicyClauseFactory(document=clause.document, reference="2.20")
    Option.objects.filter(question__quiz=quiz, sort_order=2).update(clause=untaught)
    steps = default_steps(clause=clause)
    _module_steps_draft(quiz.module, [*steps, _extract(untaught)])
    assert quiz_check_problems(quiz=quiz) == []

    _module_steps_draft(quiz.module, [step for step in steps if step["type"] == "narrative"])
    problems = quiz_check_problems(quiz=Quiz.objects.get(pk=quiz.pk))  # as a new request reads it
    assert len(problems) == 3 and all(UNTAUGHT in problem for problem in problems)
    assert f"{clause.document.label}:2.19" in problems[0]


def test_a_step_citing_an_older_version_of_the_clause_still_teaches_it(quiz, clause):
    from modules.services import policy_clause_revise

    _keys_spread(quiz)
    new_version = policy_clause_revise(clause=clause, heading="New", summary="New.", user=None)
    Option.objects.filter(question__quiz=quiz).update(clause=new_version)
    problems = quiz_check_problems(quiz=quiz)
    assert not any(UNTAUGHT in problem for problem in problems), problems


def _extract(clause):
    return {"type": "policy_extract", "value": {"clause": clause.pk, "commentary": "Why."}}


def test_keys_that_are_always_the_longest_option_are_named(quiz):
    _keys_spread(quiz)
    assert not any("longest option" in problem for problem in quiz_check_problems(quiz=quiz))
    Option.objects.filter(question__quiz=quiz, is_correct=True).update(
        text="Yes, once a parent has agreed in writing and the manager knows"
    )
    problems = quiz_check_problems(quiz=quiz)
    assert any(
        problem.startswith("The right answer is the longest option in 2 of the 2 single-choice")
        for problem in problems
    ), problems


def test_questions_citing_a_replaced_clause_version_are_named(quiz, clause):
    from modules.services import policy_clause_revise

    _keys_spread(quiz)
    policy_clause_revise(clause=clause, heading="New", summary="New.", user=None)
    # A change of meaning leaves the citations on the old version for the author to move.
    problems = quiz_check_problems(quiz=quiz)
    assert any("cite a replaced clause version" in problem for problem in problems)


def test_the_checks_take_the_same_queries_for_few_questions_or_many(
    quiz, clause, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        quiz_check_problems(quiz=quiz)
    for number in range(6):
        single_choice_create(
            quiz=quiz, clause=clause, text=f"More {number}?", sort_order=10 + number
        )
    with django_assert_max_num_queries(len(few)):
        quiz_check_problems(quiz=quiz)


def test_feedback_problems_name_the_options_and_answers_without_feedback():
    quiz = {
        "questions": [
            {"key": "a", "options": [{"feedback": "Why"}, {"feedback": ""}, {}]},
            {"key": "b", "actions": [{"feedback": "Why"}]},
            {"key": "c", "type": "true_false", "feedback_true": "Why", "feedback_false": " "},
            {"key": "d", "type": "true_false"},
        ]
    }
    assert feedback_problems(quiz=quiz) == [
        "Question a gives no feedback for options 2, 3; say why each is right or wrong.",
        "Question c gives no feedback for the answer “False”; say why it is right or wrong.",
        "Question d gives no feedback for the answers “True” and “False”; say why it is right "
        "or wrong.",
    ]


def test_the_clause_chooser_puts_the_quiz_documents_first(author_client, quiz, clause):
    first_by_name = PolicyClauseFactory(
        document=PolicyDocumentFactory(title="Aardvark policy", short_name="AAA"), reference="1.1"
    )
    results = reverse("wagtailsnippetchoosers_modules_policyclause:choose_results")

    def documents(params):
        html = author_client.get(results, params).content.decode()
        return re.findall(r"<td[^>]*>\s*(AAA|Social media policy \d+)( \(cited here\))?", html)

    cited = clause.document.label
    assert documents({"quiz": quiz.pk}) == [(cited, " (cited here)"), ("AAA", "")]
    # From the module's side, its quiz's documents count too.
    assert documents({"module": quiz.module_id})[0] == (cited, " (cited here)")
    # Without context nothing is marked, and a quiz id that is not one changes nothing.
    assert all(mark == "" for _, mark in documents({}))
    assert all(mark == "" for _, mark in documents({"quiz": "x1"}))
    assert first_by_name.pk


def test_a_new_quiz_whose_questions_are_all_drafts_is_judged_on_them_and_can_be_submitted(
    author_client, quiz
):
    """A quiz written from scratch in its editor has only draft questions until its review: the
    checks (and the draw settings' own validation) judge those, not the empty live bank."""
    _keys_spread(quiz)
    Question.objects.filter(quiz=quiz).update(live=False, first_published_at=None)
    assert quiz_bank(quiz=quiz) == []
    assert quiz_check_problems(quiz=quiz) == []
    response = author_client.post(
        _edit_url(quiz), {**_quiz_form(quiz), "action-submit": "action-submit"}
    )
    # Submitted, the quiz stays in view, with the way back to its module.
    assert response.status_code == 302 and response.url == _edit_url(quiz)
    assert Quiz.objects.get(pk=quiz.pk).current_workflow_state.status == "in_progress"
    page = author_client.get(_edit_url(quiz)).content.decode()
    assert f'href="{reverse("wagtailadmin_pages:edit", args=[quiz.module.pk])}"' in page
    assert "Edit the module" in page


def test_the_bank_as_written_leaves_out_questions_taken_offline(quiz):
    first, second, third = quiz.questions.order_by("sort_order")
    Question.objects.filter(pk=second.pk).update(live=False, first_published_at=None)
    # Published once, then taken offline.
    Question.objects.filter(pk=third.pk).update(live=False, first_published_at=timezone.now())
    assert [entry.id for entry in quiz_bank(quiz=quiz)] == [first.pk]
    assert [entry.id for entry in quiz_bank(quiz=quiz, as_written=True)] == [first.pk, second.pk]
