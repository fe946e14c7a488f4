"""What a submission leaves to the worker (``quizzes.submitted``, ``attempt_submitted_task``):
the reports' answered questions and the sealed evidence. The learner's request writes neither;
the worker writes both once, from the stored attempt, however often the task runs; nothing the
learner is assessed on waits for it (a retry's draw reads the attempts themselves)."""

import datetime

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes.models import AnsweredQuestion, Attempt, AttemptEvidence
from quizzes.selectors import questions_answered_right
from quizzes.services import attempt_close_overdue, attempt_submit
from quizzes.submitted import attempt_submission_follow_up
from quizzes.tasks import attempt_submitted_task
from tests.factories import attempt_begin
from tests.quizzes.answers import answers_for

pytestmark = pytest.mark.django_db


def _submitted(person, quiz, wrong=()):
    attempt = attempt_begin(person=person, quiz=quiz)
    return attempt_submit(attempt=attempt, answers=answers_for(attempt, wrong=wrong))


def _rows(attempt):
    return list(
        AnsweredQuestion.objects.filter(attempt=attempt)
        .order_by("position")
        .values_list("position", "question_id", "correct")
    )


def _expected_rows(attempt):
    correct = {int(result["question"]): result["correct"] for result in attempt.results}
    return [
        (position, question["id"], correct[question["id"]])
        for position, question in enumerate(attempt.questions, start=1)
    ]


def test_the_request_writes_no_answered_questions_and_the_follow_up_writes_them(people, quiz):
    attempt = _submitted(people["staff"], quiz, wrong={quiz.questions.first().pk})
    assert _rows(attempt) == [], "the learner's request leaves them to the worker"
    assert attempt_submission_follow_up(attempt_id=attempt.pk) is True
    assert _rows(attempt) == _expected_rows(attempt)
    assert {correct for _, _, correct in _rows(attempt)} == {True, False}


def test_the_follow_up_run_twice_writes_the_rows_once(people, quiz):
    attempt = _submitted(people["staff"], quiz)
    attempt_submission_follow_up(attempt_id=attempt.pk)
    with CaptureQueriesContext(connection) as queries:
        assert attempt_submission_follow_up(attempt_id=attempt.pk) is True
    assert _rows(attempt) == _expected_rows(attempt)
    assert not any("INSERT" in query["sql"] for query in queries.captured_queries)


def test_the_follow_up_of_an_open_or_vanished_attempt_writes_nothing(people, quiz):
    still_open = attempt_begin(person=people["staff"], quiz=quiz)
    assert attempt_submission_follow_up(attempt_id=still_open.pk) is False
    assert attempt_submission_follow_up(attempt_id=still_open.pk + 1000) is False
    assert not AnsweredQuestion.objects.exists()


def test_the_task_writes_the_rows_then_seals_the_evidence(
    people, quiz, django_capture_on_commit_callbacks
):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    wrong = {question["id"] for question in attempt.questions}  # a fail: no certificate task
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        attempt = attempt_submit(attempt=attempt, answers=answers_for(attempt, wrong=wrong))
    assert len(callbacks) == 1, "one task for the whole follow-up"
    assert _rows(attempt) == _expected_rows(attempt)
    evidence = AttemptEvidence.objects.get(attempt=attempt)
    # Run again (a retry after a crash): nothing is written twice.
    result = attempt_submitted_task.call(submitted_attempt_id=attempt.pk)
    assert result == {"attempt": attempt.pk, "sha256": evidence.sha256}
    assert AttemptEvidence.objects.filter(attempt=attempt).count() == 1
    assert _rows(attempt) == _expected_rows(attempt)


def test_the_task_of_an_attempt_that_no_longer_exists_finishes_quietly(people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    missing_id = attempt.pk
    # An open attempt can be deleted; a submitted one cannot (on PostgreSQL, a trigger refuses).
    Attempt.objects.filter(pk=missing_id).delete()
    assert attempt_submitted_task.call(submitted_attempt_id=missing_id) == {
        "attempt": missing_id,
        "gone": True,
    }
    assert not AttemptEvidence.objects.exists()


def test_an_attempt_closed_when_its_time_ran_out_leaves_the_same_follow_up(
    people, quiz, django_capture_on_commit_callbacks
):
    quiz.time_limit_minutes = 10
    quiz.save()
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attempt = attempt_close_overdue(
            attempt=attempt, now=attempt.submit_by + datetime.timedelta(seconds=1)
        )
    assert attempt.timed_out and _rows(attempt) == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert _rows(attempt) == _expected_rows(attempt)
    assert AttemptEvidence.objects.filter(attempt=attempt).exists()


def test_a_retry_started_before_the_worker_ran_counts_what_was_answered_right(people, quiz):
    """The retry's draw asks last what the learner already answered right; it must not wait for
    the reports' rows, or a retry started at once would be drawn as if nothing had been right."""
    questions = list(quiz.questions.values_list("pk", flat=True))
    attempt = _submitted(people["staff"], quiz, wrong=set(questions[1:]))
    assert not AnsweredQuestion.objects.exists()
    right = {question["id"] for question in attempt.questions} - set(questions[1:])
    assert right and questions_answered_right(person=people["staff"], quiz=quiz) == right
