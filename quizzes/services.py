"""Writes for quizzes: starting and submitting attempts."""

from django.db import transaction
from django.utils import timezone

from modules.services import module_progress_complete

from .models import Attempt, Question
from .scoring import ResponseError, attempt_score, response_parse


class AttemptError(Exception):
    """A submission that cannot be accepted. ``errors`` maps question ids to what is wrong with each."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class AttemptAlreadySubmitted(AttemptError):
    pass


def attempt_start(*, person, quiz):
    """Start an attempt, or return the one the person already has open (a reload must not
    draw a second set of questions). The questions shown are frozen into the attempt."""
    open_attempt = Attempt.objects.filter(person=person, quiz=quiz, submitted_at__isnull=True).first()
    if open_attempt:
        return open_attempt
    questions = (
        Question.objects.filter(quiz=quiz)
        .prefetch_related("options__clause__document")
        .order_by("sort_order", "id")
    )
    snapshots = [question.snapshot() for question in questions]
    if not snapshots:
        raise AttemptError("This quiz has no questions yet. Please tell your learning and development team.")
    return Attempt.objects.create(person=person, quiz=quiz, pass_mark=quiz.pass_mark, questions=snapshots)


def attempt_submit(*, attempt, answers):
    """Score and record a submission, exactly once.

    ``answers`` maps question id (string) to the list of raw values submitted for it. Anything
    wrong (a missing answer, an option the question does not offer, a question not in this
    attempt, a second submission) raises AttemptError and saves nothing."""
    if attempt.is_submitted:
        raise AttemptAlreadySubmitted("This attempt has already been submitted.")
    questions = {str(question["id"]): question for question in attempt.questions}
    strangers = sorted(set(answers) - set(questions))
    if strangers:
        raise AttemptError("The answers include a question that is not part of this attempt.")

    responses, errors = {}, {}
    for question_id, question in questions.items():
        try:
            responses[question_id] = response_parse(question=question, values=answers.get(question_id, []))
        except ResponseError as error:
            errors[question_id] = str(error)
    if errors:
        raise AttemptError("Some answers need your attention.", errors)

    score = attempt_score(questions=attempt.questions, responses=responses, pass_mark=attempt.pass_mark)
    results = [
        {
            "question": question_id,
            "points": str(score.by_question[question_id].points),
            "max_points": str(score.by_question[question_id].max_points),
            "correct": score.by_question[question_id].correct,
        }
        for question_id in questions
    ]
    with transaction.atomic():
        # The conditional update is the lock: of two concurrent submissions, only one matches.
        updated = Attempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
            submitted_at=timezone.now(),
            answers=responses,
            results=results,
            score=score.points,
            max_score=score.max_points,
            percent=score.percent,
            passed=score.passed,
        )
        if not updated:
            raise AttemptAlreadySubmitted("This attempt has already been submitted.")
        if score.passed:
            module_progress_complete(person=attempt.person, module=attempt.quiz.module)
            transaction.on_commit(lambda: _certificate_issue_enqueue(attempt_id=attempt.pk))
    attempt.refresh_from_db()
    return attempt


def _certificate_issue_enqueue(*, attempt_id):
    from certificates.tasks import certificate_issue_task

    certificate_issue_task.enqueue(attempt_id=attempt_id)
