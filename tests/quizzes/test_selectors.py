"""When a person may retry, and what the result rows say for each question type."""

import datetime

import pytest

from django.utils import timezone

from quizzes.selectors import attempt_evidence_rows, attempt_result_rows, attempt_retry_at
from quizzes.services import attempt_submit
from tests.factories import attempt_begin
from tests.quizzes.answers import answers_for

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _sit(person, quiz, *, at, passing):
    attempt = attempt_begin(person=person, quiz=quiz, now=at)
    wrong = set() if passing else {question["id"] for question in attempt.questions}
    return attempt_submit(attempt=attempt, answers=answers_for(attempt, wrong=wrong), now=at)


@pytest.fixture
def limited_quiz(quiz):
    quiz.attempts_before_cooldown, quiz.cooldown_hours = 2, 48
    quiz.save()
    return quiz


def test_nobody_waits_before_using_up_their_attempts(people, limited_quiz):
    staff = people["staff"]
    assert attempt_retry_at(person=staff, quiz=limited_quiz) is None
    _sit(staff, limited_quiz, at=timezone.now() - HOUR, passing=False)
    assert attempt_retry_at(person=staff, quiz=limited_quiz) is None


def test_the_retry_time_is_the_cooldown_after_the_last_allowed_failure(people, limited_quiz):
    staff, start = people["staff"], timezone.now() - 3 * HOUR
    _sit(staff, limited_quiz, at=start, passing=False)
    last = _sit(staff, limited_quiz, at=start + HOUR, passing=False)
    assert attempt_retry_at(person=staff, quiz=limited_quiz) == last.submitted_at + 48 * HOUR
    assert (
        attempt_retry_at(person=staff, quiz=limited_quiz, now=last.submitted_at + 49 * HOUR) is None
    )
    assert attempt_retry_at(person=people["other_staff"], quiz=limited_quiz) is None


def test_the_count_starts_again_after_a_cooldown_and_after_a_pass(people, limited_quiz):
    staff, start = people["staff"], timezone.now() - 200 * HOUR
    _sit(staff, limited_quiz, at=start, passing=False)
    _sit(staff, limited_quiz, at=start + HOUR, passing=False)
    _sit(
        staff, limited_quiz, at=start + 50 * HOUR, passing=False
    )  # after the cooldown: a new run of failures
    assert attempt_retry_at(person=staff, quiz=limited_quiz) is None
    _sit(staff, limited_quiz, at=start + 51 * HOUR, passing=True)
    _sit(staff, limited_quiz, at=start + 190 * HOUR, passing=False)
    assert attempt_retry_at(person=staff, quiz=limited_quiz) is None


def test_no_cooldown_period_means_no_wait(people, limited_quiz):
    limited_quiz.cooldown_hours = 0
    limited_quiz.save()
    for hours in (3, 2, 1):
        _sit(people["staff"], limited_quiz, at=timezone.now() - hours * HOUR, passing=False)
    assert attempt_retry_at(person=people["staff"], quiz=limited_quiz) is None


def _in_authored_order(quiz):
    """Rows are listed as shown; with shuffling off they can be read by position."""
    quiz.shuffle_questions = quiz.shuffle_options = False
    quiz.save()


def test_result_rows_show_the_answer_rightness_feedback_and_clause_for_every_type(
    people, mixed_quiz
):
    _in_authored_order(mixed_quiz)
    attempt = attempt_begin(person=people["staff"], quiz=mixed_quiz)
    ordering_id = attempt.questions[3]["id"]
    attempt = attempt_submit(attempt=attempt, answers=answers_for(attempt, wrong={ordering_id}))
    rows = attempt_result_rows(attempt=attempt)
    assert [row["correct"] for row in rows] == [True, True, True, False, True]
    single, multiple, true_false, ordering, scenario = rows
    assert single["answer_text"] == "Option 0" and single["items"][0]["feedback"] == "Feedback 0"
    assert multiple["answer_text"] == "Choice 0; Choice 1"
    assert [item["given"] for item in multiple["items"]] == [
        "Chosen",
        "Chosen",
        "Not chosen",
        "Not chosen",
    ]
    assert true_false["answer_text"] == "True"
    assert [item["given"] for item in ordering["items"]] == [
        "Position 3",
        "Position 2",
        "Position 1",
    ]
    assert [item["expected"] for item in ordering["items"]] == [
        "Position 1",
        "Position 2",
        "Position 3",
    ]
    assert ordering["answer_text"] == "1. Step 3; 2. Step 2; 3. Step 1"
    assert [item["given"] for item in scenario["items"]] == [
        "Appropriate",
        "Not appropriate",
        "Appropriate",
    ]
    for row in rows:
        for item in row["items"]:
            assert "clause 2.19, clause version 1" in item["citation"]
            assert "(version 2.1)" in item["citation"]


def test_a_wrong_single_choice_answer_shows_the_choice_and_the_expected_option(people, quiz):
    _in_authored_order(quiz)
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    first = attempt.questions[0]["id"]
    attempt = attempt_submit(attempt=attempt, answers=answers_for(attempt, wrong={first}))
    row = attempt_result_rows(attempt=attempt)[0]
    assert [(item["text"], bool(item["given"]), item["expected"]) for item in row["items"]] == [
        ("Option 0", False, "Right answer"),
        ("Option 1", True, ""),
    ]


def test_evidence_rows_list_every_option_shown_with_its_clause(people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    attempt = attempt_submit(attempt=attempt, answers=answers_for(attempt))
    rows = list(attempt_evidence_rows(attempt=attempt))
    assert len(rows) == 3 + 3 + 2  # every option of both single-choice questions, True and False
    assert {row[-3] for row in rows} == {"2.19"}
