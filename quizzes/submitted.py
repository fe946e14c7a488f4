"""What a submission leaves to the worker (``quizzes.tasks.attempt_submitted_task``).

The learner's request records the submission itself, in one transaction: the attempt, its score
and result, the pass and what a pass causes, the learner's status in the module that managers
see (``modules.handoffs``), and this work's task row (the database task backend writes it
there). What only the reports read is copied from that record afterwards, outside the request:
the answered questions of item analysis, the most-missed clauses and the managers' insight
(``quizzes.answered_questions``). It cannot change the result, and it is copied from the stored
attempt alone, so writing it late gives the same rows."""

from django.db import transaction

from .answered_questions import answered_questions_record
from .models import AnsweredQuestion, Attempt


def attempt_submission_follow_up(*, attempt_id):
    """Write a submitted attempt's answered questions, unless they are there already (a retried
    task). Returns False, and writes nothing, for an attempt that no longer exists (erased since
    it was submitted) or was never submitted."""
    with transaction.atomic():
        # Locked, so that two runs of the task at once (a worker thought lost, say) take turns
        # and the second finds the rows written.
        attempt = (
            Attempt.objects.select_for_update()
            .filter(pk=attempt_id, submitted_at__isnull=False)
            .first()
        )
        if attempt is None:
            return False
        if not AnsweredQuestion.objects.filter(attempt_id=attempt.pk).exists():
            answered_questions_record(attempts=[attempt])
    return True
