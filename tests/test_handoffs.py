"""The places where a lower layer causes work above it are named hand-offs, each with one
receiver owned by the layer above (docs/architecture.md). A pass issues a certificate and a
revised clause makes certificates "recertification due": the suite tests those outcomes; this
checks that each hand-off is wired to its owner exactly once, and what an approved quiz hands
over to its questions' reviews."""

import pytest

from certificates.handoffs import attempt_passed_received
from modules.handoffs import clause_revised, content_approved, learner_records_written
from quizzes.handoffs import attempt_passed, content_approved_received
from quizzes.models import Quiz
from quizzes.selectors import quiz_bank
from tracking.handoffs import clause_revised_received, learner_records_written_received


def _receivers(signal):
    return [receiver() for _key, receiver, *_ in signal.receivers]


def test_a_pass_is_handed_to_the_certificates_app_once():
    assert _receivers(attempt_passed) == [attempt_passed_received]


def test_a_revised_clause_is_handed_to_tracking_once():
    assert _receivers(clause_revised) == [clause_revised_received]


def test_a_learners_written_record_is_handed_to_tracking_once():
    assert _receivers(learner_records_written) == [learner_records_written_received]


def test_an_approved_review_is_handed_to_quizzes_once():
    assert _receivers(content_approved) == [content_approved_received]


@pytest.mark.django_db
def test_an_approved_quiz_hands_over_its_questions_withdrawal(quiz, people, reviewer):
    # An author withdrew a published question and submitted it with the quiz: the quiz's approval,
    # handed to quizzes, approves the question's own review, which publishes the withdrawal.
    question = quiz.questions.get(sort_order=0)
    question.withdrawn = True
    question.save_revision(user=people["author"].user)
    question.get_workflow().start(question, people["author"].user)
    assert question.pk in {entry.id for entry in quiz_bank(quiz=quiz)}

    content_approved.send(sender=Quiz, obj=quiz, user=reviewer.user)

    question.refresh_from_db()
    assert question.withdrawn and question.live and not question.workflow_in_progress
    assert question.pk not in {entry.id for entry in quiz_bank(quiz=quiz)}
    assert len(quiz_bank(quiz=quiz)) == 2
